// Fleet-wide repeating jobs: BullMQ job schedulers that every worker keeps. One id is one schedule however many
// workers keep it, and each worker checks again every interval, so a Redis that lost its data (FLUSHALL, a new
// server) gets every schedule back within one interval; an existing schedule is left as it is.
import type { AppContext, QueueName } from '@surveyflow/core';
import type { JobSchedulerTemplateOptions } from 'bullmq';

export type FleetSchedule = {
  queue: QueueName;
  /** The scheduler id, which is also the job's name. */
  id: string;
  every: number;
  opts?: JobSchedulerTemplateOptions;
};

/** Creates the schedule when Redis does not have it (its first run is at once). */
export async function keepSchedule(ctx: AppContext, schedule: FleetSchedule): Promise<void> {
  const queue = ctx.queues.queue(schedule.queue);
  if (await queue.getJobScheduler(schedule.id)) return;
  await queue.upsertJobScheduler(
    schedule.id,
    { every: schedule.every },
    { name: schedule.id, data: {}, ...(schedule.opts ? { opts: schedule.opts } : {}) },
  );
}

/** Keeps every schedule now and every `intervalMs`; returns the stop. Redis away: told once, tried again next time. */
export function keepSchedules(ctx: AppContext, schedules: FleetSchedule[], intervalMs: number): () => void {
  const keep = () => {
    for (const schedule of schedules) {
      keepSchedule(ctx, schedule).catch((err) => {
        if (!ctx.outages.absorb(err, 'redis'))
          ctx.log.error({ err, schedule: schedule.id }, 'could not schedule');
      });
    }
  };
  keep();
  const timer = setInterval(keep, intervalMs);
  return () => clearInterval(timer);
}
