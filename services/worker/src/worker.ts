// The worker: one BullMQ worker per queue, the due scanner and the reconciler, started and stopped together.
import {
  type AppContext,
  createRedis,
  type EmailChannel,
  type QueueName,
  queueNames,
  type SmsChannel,
} from '@surveyflow/core';
import { Worker } from 'bullmq';
import { createEmailChannel } from './channels/email.ts';
import { createSlackChannel, type SlackChannel } from './channels/slack.ts';
import { createSmsChannel } from './channels/sms.ts';
import { dataRetentionSchedule } from './data-retention.ts';
import { DueScanner } from './due-scanner.ts';
import { type QueueJobs, queueProcessor } from './job-registry.ts';
import { observeWorker } from './observe-worker.ts';
import { eventsJobs } from './queues/events.ts';
import { followupsJobs } from './queues/followups.ts';
import { reportsJobs, reportsSchedule } from './queues/reports.ts';
import { sendEmailJobs } from './queues/send-email.ts';
import { sendSlackJobs } from './queues/send-slack.ts';
import { sendSmsJobs } from './queues/send-sms.ts';
import { sendsJobs } from './queues/sends.ts';
import { webhooksJobs } from './queues/webhooks.ts';
import { Reconciler } from './reconciler.ts';
import { type FleetSchedule, keepSchedules } from './schedules.ts';

export type RunningWorker = { scanner: DueScanner; close(): Promise<void> };

export function startWorker(
  ctx: AppContext,
  options: { email?: EmailChannel; sms?: SmsChannel; slack?: SlackChannel } = {},
): RunningWorker {
  const { config } = ctx;
  const email =
    options.email ??
    createEmailChannel({
      smtpUrl: config.DEV_OUTBOX ? undefined : config.SMTP_URL,
      from: config.MAIL_FROM,
      database: ctx.database,
      dkim:
        config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY
          ? {
              domainName: config.DKIM_DOMAIN,
              keySelector: config.DKIM_SELECTOR,
              privateKey: config.DKIM_PRIVATE_KEY,
            }
          : undefined,
      pool: { size: config.SMTP_POOL_SIZE, maxMessages: config.SMTP_MAX_MESSAGES },
    });
  const sms =
    options.sms ??
    createSmsChannel({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      from: config.TWILIO_FROM,
      messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
      apiUrl: config.TWILIO_API_URL,
      database: ctx.database,
      devOutbox: config.SMS_DEV_OUTBOX,
    });
  const slack = options.slack ?? createSlackChannel({ allowPrivate: config.OUTBOUND_ALLOW_PRIVATE });
  // A queue's limiter is shared by every worker on it through Redis: one pace per channel.
  const limiters: Partial<Record<QueueName, number>> = {
    [queueNames.sendEmail]: config.EMAIL_RATE_PER_SECOND,
    [queueNames.sendSms]: config.SMS_RATE_PER_SECOND,
  };
  const scanner = new DueScanner(ctx);
  const reconciler = new Reconciler(ctx);

  // Every queue, each with a handler for every one of its jobs (the types insist on both).
  const registry: { [Q in QueueName]: QueueJobs<Q> } = {
    [queueNames.events]: eventsJobs(ctx, () => scanner.kick()),
    [queueNames.sendEmail]: sendEmailJobs(ctx, email),
    [queueNames.sendSms]: sendSmsJobs(ctx, sms),
    [queueNames.sendSlack]: sendSlackJobs(ctx, slack),
    [queueNames.followups]: followupsJobs(ctx),
    [queueNames.webhooks]: webhooksJobs(ctx),
    [queueNames.reports]: reportsJobs(ctx),
    [queueNames.sends]: sendsJobs(ctx, () => scanner.kick()),
  };
  const processor = <Q extends QueueName>(name: Q) => queueProcessor(name, registry[name]);

  const connections: ReturnType<typeof createRedis>[] = [];
  const workers = Object.values(queueNames).map((name) => {
    // A worker blocks its connection while waiting for jobs, so each gets its own; closed below.
    const connection = createRedis(ctx.redisUrl, ctx.outages);
    connections.push(connection);
    const worker = new Worker(name, processor(name), {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency:
        name === queueNames.sendEmail
          ? config.EMAIL_CONCURRENCY
          : name === queueNames.events
            ? config.PLANNING_CHUNK_SIZE * 2
            : config.WORKER_CONCURRENCY,
      lockDuration: config.JOB_LOCK_MS,
      stalledInterval: config.JOB_LOCK_MS,
      ...(limiters[name] ? { limiter: { max: limiters[name], duration: 1000 } } : {}),
    });
    observeWorker(ctx, name, worker);
    return worker;
  });

  scanner.start();
  reconciler.start();
  // Audit and data retention, digests and drop checks: Redis keeps the schedules, checked again each interval in case it lost them.
  const stopSchedules = keepSchedules(
    ctx,
    [auditRetentionSchedule, dataRetentionSchedule, reportsSchedule(ctx)],
    config.REPORTS_SCAN_INTERVAL_MS,
  );
  ctx.log.info({ queues: Object.values(queueNames) }, 'worker started');

  return {
    scanner,
    async close() {
      // Stop taking work, let running jobs finish, then release the channel.
      stopSchedules();
      await Promise.all([scanner.stop(), reconciler.stop()]);
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(connections.map((c) => c.quit()));
      await Promise.all([email.close(), sms.close(), slack.close()]);
    },
  };
}

/** Once a day for the whole fleet: a job scheduler has one id, so every worker upserting it keeps one schedule. */
export const AUDIT_RETENTION_EVERY_MS = 86_400_000;

const auditRetentionSchedule: FleetSchedule = {
  queue: queueNames.followups,
  id: 'audit.retention',
  every: AUDIT_RETENTION_EVERY_MS,
  opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } },
};
