// The worker: one BullMQ worker per queue, the due scanner and the reconciler, started and stopped together.
import {
  type AppContext,
  createRedis,
  type EmailChannel,
  type QueueName,
  queueNames,
} from '@surveyflow/core';
import { type Processor, Worker } from 'bullmq';
import { createEmailChannel } from './channels/email.ts';
import { DueScanner } from './due-scanner.ts';
import { eventsProcessor } from './queues/events.ts';
import { followupsProcessor } from './queues/followups.ts';
import { sendEmailProcessor } from './queues/send-email.ts';
import { Reconciler } from './reconciler.ts';

export type RunningWorker = { scanner: DueScanner; close(): Promise<void> };

export function startWorker(ctx: AppContext, options: { email?: EmailChannel } = {}): RunningWorker {
  const email =
    options.email ??
    createEmailChannel({
      smtpUrl: ctx.config.DEV_OUTBOX ? undefined : ctx.config.SMTP_URL,
      from: ctx.config.MAIL_FROM,
      database: ctx.database,
    });
  const scanner = new DueScanner(ctx);
  const reconciler = new Reconciler(ctx);

  const connections: ReturnType<typeof createRedis>[] = [];
  const workers = (
    [
      [queueNames.events, eventsProcessor(ctx, () => scanner.kick())],
      [queueNames.sendEmail, sendEmailProcessor(ctx, email)],
      [queueNames.followups, followupsProcessor(ctx)],
    ] as [QueueName, Processor][]
  ).map(([name, processor]) => {
    // A worker blocks its connection while waiting for jobs, so each gets its own; closed below.
    const connection = createRedis(ctx.redisUrl);
    connections.push(connection);
    const worker = new Worker(name, processor, {
      connection,
      prefix: ctx.config.QUEUE_PREFIX,
      concurrency: ctx.config.WORKER_CONCURRENCY,
      ...(name === queueNames.sendEmail
        ? { limiter: { max: ctx.config.EMAIL_RATE_PER_SECOND, duration: 1000 } }
        : {}),
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
      await email.close();
    },
  };
}
