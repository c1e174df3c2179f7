// The worker: one BullMQ worker per queue, the due scanner and the reconciler, started and stopped together.
import {
  type AppContext,
  createRedis,
  type EmailChannel,
  type QueueName,
  queueNames,
  type SmsChannel,
} from '@surveyflow/core';
import { type Processor, Worker } from 'bullmq';
import { createEmailChannel } from './channels/email.ts';
import { createSmsChannel } from './channels/sms.ts';
import { DueScanner } from './due-scanner.ts';
import { eventsProcessor } from './queues/events.ts';
import { followupsProcessor } from './queues/followups.ts';
import { sendEmailProcessor } from './queues/send-email.ts';
import { sendSmsProcessor } from './queues/send-sms.ts';
import { webhooksProcessor } from './queues/webhooks.ts';
import { Reconciler } from './reconciler.ts';

export type RunningWorker = { scanner: DueScanner; close(): Promise<void> };

export function startWorker(
  ctx: AppContext,
  options: { email?: EmailChannel; sms?: SmsChannel } = {},
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
  // A queue's limiter is shared by every worker on it through Redis: one pace per channel.
  const limiters: Partial<Record<QueueName, number>> = {
    [queueNames.sendEmail]: config.EMAIL_RATE_PER_SECOND,
    [queueNames.sendSms]: config.SMS_RATE_PER_SECOND,
  };
  const scanner = new DueScanner(ctx);
  const reconciler = new Reconciler(ctx);

  const connections: ReturnType<typeof createRedis>[] = [];
  const workers = (
    [
      [queueNames.events, eventsProcessor(ctx, () => scanner.kick())],
      [queueNames.sendEmail, sendEmailProcessor(ctx, email)],
      [queueNames.sendSms, sendSmsProcessor(ctx, sms)],
      [queueNames.followups, followupsProcessor(ctx)],
      [queueNames.webhooks, webhooksProcessor(ctx)],
    ] as [QueueName, Processor][]
  ).map(([name, processor]) => {
    // A worker blocks its connection while waiting for jobs, so each gets its own; closed below.
    const connection = createRedis(ctx.redisUrl);
    connections.push(connection);
    const worker = new Worker(name, processor, {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      ...(limiters[name] ? { limiter: { max: limiters[name], duration: 1000 } } : {}),
    });
    worker.on('failed', (job, err) =>
      ctx.log.warn(
        { queue: name, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'job failed',
      ),
    );
    worker.on('error', (err) => ctx.log.error({ queue: name, err }, 'worker error'));
    return worker;
  });

  scanner.start();
  reconciler.start();
  ctx.log.info({ queues: Object.values(queueNames) }, 'worker started');

  return {
    scanner,
    async close() {
      // Stop taking work, let running jobs finish, then release the channel.
      await Promise.all([scanner.stop(), reconciler.stop()]);
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(connections.map((c) => c.quit()));
      await Promise.all([email.close(), sms.close()]);
    },
  };
}
