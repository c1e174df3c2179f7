// The single source of queue names, job names and job payloads. Renaming a queue strands jobs in Redis.
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const queueNames = {
  events: 'events',
  sendEmail: 'send.email',
  /** Its own queue so BullMQ's limiter paces texts per sender number (SMS_RATE_PER_SECOND). */
  sendSms: 'send.sms',
  /**
   * Slack posts on their own, so a Slack outage (posts waiting out their timeout and backoff) and the
   * email rate limit never hold each other.
   */
  sendSlack: 'send.slack',
  followups: 'followups',
  webhooks: 'webhooks',
  /** Telling the team: the hourly scan, weekly digests and daily drop checks (usecases/digest.ts, drop-alerts.ts). */
  reports: 'reports',
  /** List sends: each job plans a send's pending rows chunk by chunk until it is done, paused or cancelled. */
  sends: 'sends',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

export const jobs = {
  /** One event (the reconciler's heal of an event enqueued alone, connectors, jobs from before events.plan). */
  'event.plan': { queue: queueNames.events, payload: z.object({ eventId: z.uuid() }) },
  /**
   * The events one ingest statement accepted, as one job: its id is `events.plan-<chunkId>`, and each event row
   * carries the chunk id (`events.plan_job`), so the reconciler can ask Redis about a chunk of them at once.
   */
  'events.plan': {
    queue: queueNames.events,
    payload: z.object({ chunkId: z.uuid(), eventIds: z.array(z.uuid()).min(1).max(1000) }),
  },
  'invitation.send': { queue: queueNames.sendEmail, payload: z.object({ invitationId: z.uuid() }) },
  /**
   * Several due email invitations in one job (EMAIL_BATCH_SIZE), so Redis does a job's work once per
   * batch, not once per mail. The rows name their batch (send_batch): the job sends whichever of them are
   * still queued, so a member handed back to its batch is carried again, and the reconciler finds the job
   * from any row. Each member is still claimed, rate-limited, handed over and retried on its own.
   */
  'invitations.send': { queue: queueNames.sendEmail, payload: z.object({ batchId: z.uuid() }) },
  'reminder.send': {
    queue: queueNames.sendEmail,
    payload: z.object({ invitationId: z.uuid(), reminder: z.number().int().min(1) }),
  },
  'sms.send': { queue: queueNames.sendSms, payload: z.object({ invitationId: z.uuid() }) },
  /** Email notifications; texts go on the SMS queue, paced with the invitations, and Slack posts on theirs. */
  'notification.send': { queue: queueNames.sendEmail, payload: z.object({ notificationId: z.uuid() }) },
  'notification.sms': { queue: queueNames.sendSms, payload: z.object({ notificationId: z.uuid() }) },
  'notification.slack': { queue: queueNames.sendSlack, payload: z.object({ notificationId: z.uuid() }) },
  'response.followup': { queue: queueNames.followups, payload: z.object({ responseId: z.uuid() }) },
  /** An answer edited after its follow-up ran: one job per version (its updated_at in ms). */
  'response.reroute': {
    queue: queueNames.followups,
    payload: z.object({ responseId: z.uuid(), version: z.number().int() }),
  },
  'webhook.deliver': {
    queue: queueNames.webhooks,
    payload: z.object({ deliveryId: z.string(), attempt: z.number().int().min(1) }),
  },
  /** Daily (a BullMQ job scheduler, one for the fleet): audit entries past their workspace's retention go. */
  'audit.retention': { queue: queueNames.followups, payload: z.object({}) },
  /** Daily (one job scheduler for the fleet): events and messages past each workspace's retention_months (usecases/retention.ts). */
  'data.retention': { queue: queueNames.followups, payload: z.object({}) },
  /** Repeats (a BullMQ job scheduler): finds digests and drop checks that are due in their workspace's time zone. */
  'reports.scan': { queue: queueNames.reports, payload: z.object({}) },
  'digest.send': {
    queue: queueNames.reports,
    payload: z.object({ workspaceId: z.uuid(), week: z.string() }),
  },
  'drop.check': { queue: queueNames.reports, payload: z.object({ workspaceId: z.uuid(), day: z.string() }) },
  /** A case mirrored into Zendesk: create its ticket, or comment on it once the case is resolved (usecases/zendesk-tickets.ts). */
  'zendesk.sync': {
    queue: queueNames.followups,
    payload: z.object({ caseId: z.uuid(), attempt: z.number().int().min(1) }),
  },
  'send.plan': { queue: queueNames.sends, payload: z.object({ sendId: z.uuid() }) },
} as const;

export type JobName = keyof typeof jobs;
export type JobPayload<N extends JobName> = z.infer<(typeof jobs)[N]['payload']>;

export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  // Finished jobs are kept only as long as they help someone look (README, "Redis"): bounded by age and by count.
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/**
 * A job's id is derived from the work it does (the row, and the reminder number), so enqueueing the
 * same work twice while the first job is still waiting adds nothing (the reconciler relies on this).
 */
export function jobId<N extends JobName>(name: N, payload: JobPayload<N>): string {
  // A list in a payload is the work's contents (a chunk's events), not its identity.
  const scalars = Object.values(payload).filter((v) => !Array.isArray(v));
  return [name, ...scalars.map(String)].join('-');
}

/** Where a job waits to run or is running: work in one of these is not lost, however long it has waited. */
const pendingStates = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

type JobFor<R> = (row: R) => { [N in JobName]: { name: N; payload: JobPayload<N> } }[JobName];

/** An invitation row as the queues see it: its channel, and the batch job that carries it, if one does. */
export type InvitationJobRow = { id: string; channel: string; sendBatch?: string | null };

/** The send job of an invitation: its batch's, else its own by its channel (qr codes are printed, never sent). */
export const invitationSendJob: JobFor<InvitationJobRow> = (r) =>
  r.sendBatch
    ? { name: 'invitations.send', payload: { batchId: r.sendBatch } }
    : r.channel === 'sms'
      ? { name: 'sms.send', payload: { invitationId: r.id } }
      : { name: 'invitation.send', payload: { invitationId: r.id } };

/** The send job of a notification: texts and Slack posts on their queues, anything else is an email. */
export const notificationSendJob: JobFor<{ id: string; channel: string }> = (r) =>
  r.channel === 'sms'
    ? { name: 'notification.sms', payload: { notificationId: r.id } }
    : r.channel === 'slack'
      ? { name: 'notification.slack', payload: { notificationId: r.id } }
      : { name: 'notification.send', payload: { notificationId: r.id } };

/** Producers for every queue, sharing one Redis connection. */
export class Queues {
  private readonly queues: Record<QueueName, Queue>;

  constructor(connection: Redis, prefix: string) {
    const make = (name: QueueName) => new Queue(name, { connection, prefix, defaultJobOptions });
    this.queues = {
      events: make(queueNames.events),
      'send.email': make(queueNames.sendEmail),
      'send.sms': make(queueNames.sendSms),
      'send.slack': make(queueNames.sendSlack),
      followups: make(queueNames.followups),
      webhooks: make(queueNames.webhooks),
      reports: make(queueNames.reports),
      sends: make(queueNames.sends),
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async add<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    options: { delayMs?: number } = {},
  ): Promise<void> {
    const data = jobs[name].payload.parse(payload);
    await this.queues[jobs[name].queue].add(name, data, {
      jobId: jobId(name, payload),
      delay: options.delayMs,
    });
  }

  /** Runs a delayed job now (if it is still waiting); returns false when there was none to promote. */
  async promote<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
    const job = await this.queues[jobs[name].queue].getJob(jobId(name, payload));
    if (!job || !(await job.isDelayed())) return false;
    await job.promote();
    return true;
  }

  async addMany<N extends JobName>(
    name: N,
    payloads: JobPayload<N>[],
    options: { delayMs?: number } = {},
  ): Promise<void> {
    if (payloads.length === 0) return;
    const delay = options.delayMs ? { delay: options.delayMs } : {};
    await this.queues[jobs[name].queue].addBulk(
      payloads.map((p) => ({
        name,
        data: jobs[name].payload.parse(p),
        opts: { jobId: jobId(name, p), ...delay },
      })),
    );
  }

  /**
   * Work handed back to be done again (a recovered claim, an operator's resend): a finished job with
   * the same id is removed first, else the add would be a no-op. A job still waiting or running stays.
   */
  async addAgain<N extends JobName>(
    name: N,
    payloads: JobPayload<N>[],
    options: { delayMs?: number } = {},
  ): Promise<void> {
    const queue = this.queues[jobs[name].queue];
    await Promise.all(
      payloads.map(async (p) => {
        const job = await queue.getJob(jobId(name, p));
        if (job && ((await job.isCompleted()) || (await job.isFailed()))) await job.remove();
      }),
    );
    await this.addMany(name, payloads, options);
  }

  /**
   * Of these rows, those whose job no worker will ever run: Redis holds no job with its id in any state
   * (it was lost), or, with `finished`, only one that already ran (a send that ran while its claim was
   * elsewhere and left the row to do). Work waiting in a queue, delayed, or running is never among them.
   */
  async withoutPendingJob<R>(rows: R[], job: JobFor<R>, opts: { finished?: boolean } = {}): Promise<R[]> {
    const states = await Promise.all(
      rows.map((row) => {
        const { name, payload } = job(row);
        return this.queues[jobs[name].queue].getJobState(jobId(name, payload));
      }),
    );
    return rows.filter((_, i) => {
      const state = states[i] ?? 'unknown';
      if (pendingStates.has(state)) return false;
      return state === 'unknown' || (opts.finished === true && (state === 'completed' || state === 'failed'));
    });
  }

  /**
   * Send jobs for claimed invitations, each on its channel's queue (qr codes are printed, never sent):
   * one job per batch for rows that name one (send_batch), else one per invitation.
   */
  async addInvitationSends(rows: InvitationJobRow[], opts: { again?: boolean } = {}) {
    const add = opts.again ? this.addAgain.bind(this) : this.addMany.bind(this);
    const single = rows.filter((r) => !r.sendBatch);
    const on = (channel: string) =>
      single.filter((r) => r.channel === channel).map((r) => ({ invitationId: r.id }));
    const batches = new Set(rows.flatMap((r) => (r.sendBatch ? [r.sendBatch] : [])));
    await Promise.all([
      add('invitation.send', on('email')),
      add('sms.send', on('sms')),
      add(
        'invitations.send',
        [...batches].map((batchId) => ({ batchId })),
      ),
    ]);
  }

  /** Send jobs for notifications, each on its channel's queue (anything not a text or a Slack post is an email). */
  async addNotificationSends(rows: { id: string; channel: string }[], opts: { again?: boolean } = {}) {
    const add = opts.again ? this.addAgain.bind(this) : this.addMany.bind(this);
    const on = (pick: (channel: string) => boolean) =>
      rows.filter((r) => pick(r.channel)).map((r) => ({ notificationId: r.id }));
    await Promise.all([
      add(
        'notification.send',
        on((c) => c !== 'sms' && c !== 'slack'),
      ),
      add(
        'notification.sms',
        on((c) => c === 'sms'),
      ),
      add(
        'notification.slack',
        on((c) => c === 'slack'),
      ),
    ]);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
