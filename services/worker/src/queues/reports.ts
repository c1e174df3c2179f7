// Queue "reports": telling the team — a repeating scan finds weekly digests and daily drop checks due in each workspace's time zone; one job per workspace does each, claimed once in Postgres.
import {
  type AppContext,
  checkDrops,
  dueDigests,
  dueDropChecks,
  queueNames,
  sendDigest,
} from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import type { FleetSchedule } from '../schedules.ts';

/** The scan's scheduler id: every worker upserts the same one, so it runs once per interval, not once per worker. */
export const REPORTS_SCHEDULER = 'reports.scan';

export function reportsJobs(ctx: AppContext): QueueJobs<'reports'> {
  return {
    'reports.scan': defineJob('reports.scan', async () => {
      const now = ctx.clock.now();
      const [digests, drops] = await Promise.all([
        dueDigests(ctx.database, now),
        dueDropChecks(ctx.database, now),
      ]);
      await ctx.queues.addMany('digest.send', digests);
      await ctx.queues.addMany('drop.check', drops);
      return { digests: digests.length, drops: drops.length };
    }),
    'digest.send': defineJob('digest.send', async ({ workspaceId }) => {
      const notifications = await sendDigest(ctx.database, workspaceId, ctx.clock.now(), {
        publicUrl: ctx.config.PUBLIC_URL,
      });
      await ctx.queues.addNotificationSends(notifications);
      return { notifications: notifications.length };
    }),
    'drop.check': defineJob('drop.check', async ({ workspaceId }) => {
      const notifications = await checkDrops(ctx.database, workspaceId, ctx.clock.now());
      await ctx.queues.addNotificationSends(notifications);
      return { notifications: notifications.length };
    }),
  };
}

/** The scan repeats every REPORTS_SCAN_INTERVAL_MS, kept by every worker (schedules.ts). */
export const reportsSchedule = (ctx: AppContext): FleetSchedule => ({
  queue: queueNames.reports,
  id: REPORTS_SCHEDULER,
  every: ctx.config.REPORTS_SCAN_INTERVAL_MS,
});
