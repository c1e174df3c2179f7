// The daily data retention job: applies every workspace's retention_months (usecases/retention.ts), counted and logged.
import { type AppContext, applyRetention, queueNames } from '@surveyflow/core';
import { defineJob } from './job-registry.ts';
import type { FleetSchedule } from './schedules.ts';

/** Once a day for the whole fleet; one scheduler id, so any number of workers keep one schedule. */
export const DATA_RETENTION_EVERY_MS = 86_400_000;

export const dataRetentionSchedule: FleetSchedule = {
  queue: queueNames.followups,
  id: 'data.retention',
  every: DATA_RETENTION_EVERY_MS,
  opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } },
};

export const dataRetentionJob = (ctx: AppContext) =>
  defineJob('data.retention', async () => {
    const started = Date.now();
    const run = await applyRetention(ctx.database, ctx.clock.now());
    ctx.metrics.retention(run.totals);
    ctx.log.info(
      { workspaces: run.workspaces.length, removed: run.totals, ms: Date.now() - started },
      'data retention applied',
    );
    return { workspaces: run.workspaces.length, removed: run.totals };
  });
