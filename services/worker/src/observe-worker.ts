// What a BullMQ worker reports, turned into log lines and metrics: completions, failures, and its errors.
import type { AppContext } from '@surveyflow/core';
import { UnrecoverableError, type Worker } from 'bullmq';
import { isLostJobError } from './reconciler.ts';

/** Jobs that vanished from Redis under a running worker are told at most this often (with how many). */
const LOST_JOB_LOG_MS = 60_000;

export function observeWorker(ctx: AppContext, queue: string, worker: Worker): void {
  let lost = { count: 0, loggedAt: 0 };
  worker.on('completed', (job) => ctx.metrics.jobCompleted(queue, job));
  worker.on('failed', (job, err) => {
    if (job) {
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      ctx.metrics.jobFailed(queue, job, final);
    }
    ctx.log.warn(
      { queue, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    );
  });
  worker.on('error', (err) => {
    if (isLostJobError(err)) {
      // The job ran (its row says so); only BullMQ's record of it is gone. The reconciler re-enqueues the rest.
      lost.count++;
      if (Date.now() - lost.loggedAt < LOST_JOB_LOG_MS) return;
      ctx.log.warn(
        { queue, jobs: lost.count, error: err.message },
        'a running job was no longer in Redis (expected after Redis lost its data); its row is the record',
      );
      lost = { count: 0, loggedAt: Date.now() };
      return;
    }
    if (!ctx.outages.absorb(err, 'redis')) ctx.log.error({ queue, err }, 'worker error');
  });
}
