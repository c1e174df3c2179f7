// Queue "followups": routes each response (and each later edit of it) through its survey's actions, then enqueues the messages.
import { type AppContext, deleteExpiredAudit, followUpResponse, type JobPayload } from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

export function followupsJobs(ctx: AppContext): QueueJobs<'followups'> {
  const follow = async ({ responseId }: JobPayload<'response.followup'>) => {
    const notifications = await followUpResponse(ctx.database, responseId, ctx.clock.now(), {
      publicUrl: ctx.config.PUBLIC_URL,
      secret: ctx.config.SECRET_KEY,
    });
    await ctx.queues.addNotificationSends(notifications);
    return { notifications: notifications.length };
  };
  return {
    'response.followup': defineJob('response.followup', follow),
    'response.reroute': defineJob('response.reroute', follow),
    'audit.retention': defineJob('audit.retention', async () => ({
      deleted: await deleteExpiredAudit(ctx.database, ctx.clock.now()),
    })),
  };
}
