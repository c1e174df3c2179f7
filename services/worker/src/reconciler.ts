// Heals lost queue work: whatever Postgres says is unfinished and Redis no longer carries is enqueued again.
import { randomUUID } from 'node:crypto';
import {
  type AppContext,
  invitationSendJob,
  notificationSendJob,
  pendingNotifications,
  recoverStaleNotifications,
  recoverStaleReminders,
  recoverStaleSends,
  runningSends,
  staleQueuedInvitations,
  unfollowedResponseIds,
  unplannedEvents,
  unroutedEdits,
} from '@surveyflow/core';

const BATCH_SIZE = 1000;
/** After a Redis loss everything unfinished goes back at once, not a batch per interval. */
const HEAL_BATCH = 20_000;
/** How often the worker looks for its marker key; a lost queue is healed within about this long of Redis answering. */
const LOSS_CHECK_MS = 2000;

/**
 * Only work that is really lost is enqueued again and counted: rows whose job Redis holds in no state
 * at all (job ids are derived from row ids), or, for sends, whose job already ran and left the row
 * unfinished. A backlog, however old, is work still waiting: it is left alone and reported as nothing.
 * `all`: Redis lost everything (flushed, or a new server), so rows of any age are looked at, not only
 * those old enough to have surely lost their job.
 */
export async function reconcile(
  ctx: AppContext,
  options: { all?: boolean } = {},
): Promise<Record<string, number>> {
  const { database, queues, config } = ctx;
  const now = ctx.clock.now().getTime();
  const before = (ms: number) => new Date(now - ms);
  const after = options.all ? 0 : config.RECONCILE_AFTER_MS;
  const limit = options.all ? HEAL_BATCH : BATCH_SIZE;
  const lost = <R>(rows: R[], job: Parameters<typeof queues.withoutPendingJob<R>>[1]) =>
    queues.withoutPendingJob(rows, job);

  // Events enqueued alone are asked about one by one; those of one ingest statement, by their chunk's job.
  const unplanned = await unplannedEvents(database, before(after), limit);
  const single = await lost(
    unplanned.flatMap((e) => (e.planJob ? [] : [e.id])),
    (eventId) => ({ name: 'event.plan', payload: { eventId } }),
  );
  await queues.addMany(
    'event.plan',
    single.map((eventId) => ({ eventId })),
  );
  const byChunk = new Map<string, string[]>();
  for (const e of unplanned) {
    if (!e.planJob) continue;
    const ids = byChunk.get(e.planJob);
    if (ids) ids.push(e.id);
    else byChunk.set(e.planJob, [e.id]);
  }
  // A lost chunk goes back under its own job id, carrying those of its events still unplanned.
  const chunks = await lost(
    [...byChunk].map(([chunkId, eventIds]) => ({ chunkId, eventIds })),
    (payload) => ({ name: 'events.plan', payload }),
  );
  await queues.addMany('events.plan', chunks);
  const events = [...single, ...chunks.flatMap((c) => c.eventIds)];
  // A send job that finished without sending (its claim was taken then) must not hide the work either.
  const invitations = await queues.withoutPendingJob(
    await staleQueuedInvitations(database, before(after), limit),
    invitationSendJob,
    { finished: true },
  );
  await queues.addInvitationSends(invitations, { again: true });
  const notifications = await queues.withoutPendingJob(
    await pendingNotifications(database, before(after), limit),
    notificationSendJob,
    { finished: true },
  );
  await queues.addNotificationSends(notifications, { again: true });
  const followup = (responseId: string) => ({ name: 'response.followup' as const, payload: { responseId } });
  const responses = await lost(
    await unfollowedResponseIds(database, before(after + config.FOLLOWUP_COMMENT_WAIT_MS), limit),
    followup,
  );
  await queues.addMany(
    'response.followup',
    responses.map((responseId) => ({ responseId })),
  );
  // Answers still inside their wait for a comment had a delayed follow-up: it waits again, at most as long.
  const ready = new Set(responses);
  const waiting = options.all
    ? await lost(
        (await unfollowedResponseIds(database, before(0), limit)).filter((id) => !ready.has(id)),
        followup,
      )
    : [];
  await Promise.all(
    waiting.map((responseId) =>
      queues.add('response.followup', { responseId }, { delayMs: config.FOLLOWUP_COMMENT_WAIT_MS }),
    ),
  );
  const edits = await lost(await unroutedEdits(database, before(after), limit), (payload) => ({
    name: 'response.reroute',
    payload,
  }));
  await queues.addMany('response.reroute', edits);
  // Claims whose sender died: re-sent if they never reached the provider call, else marked interrupted.
  // A claim is Postgres's, not Redis's: a Redis that lost its queues (`all`) killed no sender, so a claim is
  // still given RECONCILE_AFTER_MS. (Taken back at once, a sender still running had its hand-over refused, and
  // its batch, whose job was still running, waited for the next reconcile to be enqueued again.)
  const cutoffs = {
    claimedBefore: before(config.RECONCILE_AFTER_MS),
    handedOverBefore: before(config.DELIVERY_LEASE_MS),
    queuedBefore: before(config.DELIVERY_RETRY_HORIZON_HOURS * 3_600_000),
  };
  const stale = await recoverStaleSends(database, ctx.clock.now(), cutoffs);
  await queues.addInvitationSends(stale.requeued, { again: true });
  const staleNotes = await recoverStaleNotifications(database, ctx.clock.now(), cutoffs);
  await queues.addNotificationSends(staleNotes.requeued, { again: true });
  const staleReminders = await recoverStaleReminders(database, ctx.clock.now(), cutoffs);
  await queues.addAgain('reminder.send', staleReminders.requeued);
  // A running send whose job was lost (Redis flushed, or its job failed for good) is planned on from its first pending line.
  const sends = await runningSends(database, before(after));
  await queues.addAgain(
    'send.plan',
    sends.map((sendId) => ({ sendId })),
  );
  const interrupted = stale.interrupted + staleNotes.interrupted + staleReminders.interrupted;
  const counts = {
    events: events.length,
    invitations: invitations.length,
    notifications: notifications.length,
    responses: responses.length + waiting.length,
    edits: edits.length,
    sends: sends.length,
    resent: stale.requeued.length + staleNotes.requeued.length + staleReminders.requeued.length,
    interrupted,
  };
  ctx.metrics.repaired(counts);
  return counts;
}

/**
 * BullMQ's complaint when a job it was running vanished from Redis, or was enqueued again (after Redis
 * lost its data) and taken by another runner, so its lock is no longer this one's: expected then.
 */
export function isLostJobError(err: unknown): boolean {
  return err instanceof Error && /Missing (key|lock) for job|Lock mismatch for job/.test(err.message);
}

/**
 * Two loops. Every RECONCILE_INTERVAL_MS: rows old enough to have lost their job are enqueued again.
 * Every couple of seconds: is `<prefix>:alive` still in Redis? A FLUSHALL, a new server or one restarted
 * without its data lacks it, and then everything unfinished is enqueued at once and the key set again.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private lossTimer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private checking: Promise<unknown> | undefined;
  /** Set while a loss has been seen and not yet healed (a heal that failed half-way is retried). */
  private healing = false;
  private readonly bootId = randomUUID();
  private readonly markerKey: string;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: { lossCheckMs?: number } = {},
  ) {
    this.markerKey = `${ctx.config.QUEUE_PREFIX}:alive`;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = reconcile(this.ctx)
        .then((counts) => {
          if (Object.values(counts).some((n) => n > 0))
            this.ctx.log.warn({ counts }, 'reconciler re-enqueued lost work');
        })
        .catch((err) => {
          if (!this.ctx.outages.absorb(err)) this.ctx.log.error({ err }, 'reconcile failed');
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.ctx.config.RECONCILE_INTERVAL_MS);
    const check = () => {
      if (this.checking) return;
      this.checking = this.checkForLoss()
        .catch((err) => {
          if (!this.ctx.outages.absorb(err)) this.ctx.log.error({ err }, 'redis loss check failed');
        })
        .finally(() => {
          this.checking = undefined;
        });
    };
    check();
    this.lossTimer = setInterval(check, this.options.lossCheckMs ?? LOSS_CHECK_MS);
  }

  /** Whether Redis still holds what we put there; if not, put it all back, then say so in the marker. */
  private async checkForLoss(): Promise<void> {
    const { redis, log } = this.ctx;
    // While Redis is away a command would wait for it (BullMQ's setting): skip until it answers.
    if (redis.status !== 'ready') return;
    if (!this.healing) {
      if (await redis.exists(this.markerKey)) return;
      this.healing = true;
    }
    const started = Date.now();
    // Set first: a flush during the heal removes it again, and the next check heals once more.
    await redis.set(this.markerKey, this.bootId);
    const counts = await reconcile(this.ctx, { all: true });
    this.healing = false;
    this.ctx.metrics.healed();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total > 0) {
      log.warn(
        { counts, tookMs: Date.now() - started },
        'redis had lost its queues (flushed or new): unfinished work enqueued again',
      );
    } else {
      log.info({ marker: this.markerKey }, 'queue marker set (nothing unfinished to enqueue)');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.lossTimer);
    await Promise.all([this.running, this.checking]);
  }
}
