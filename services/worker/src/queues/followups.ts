// Queue "followups": routes each response (and each later edit of it) through its survey's actions, then enqueues the messages.
import { type AppContext, followUpResponse, jobs } from '@surveyflow/core';
import { type Job, UnrecoverableError } from 'bullmq';

export function followupsProcessor(ctx: AppContext) {
  return async (job: Job) => {
    if (job.name !== 'response.followup' && job.name !== 'response.reroute') {
      throw new UnrecoverableError(`unknown job ${job.name} on followups`);
    }
    const { responseId } = jobs[job.name].payload.parse(job.data);
    const notifications = await followUpResponse(ctx.database, responseId, ctx.clock.now(), {
      publicUrl: ctx.config.PUBLIC_URL,
      secret: ctx.config.SECRET_KEY,
    });
    await ctx.queues.addNotificationSends(notifications);
    return { notifications: notifications.length };
  };
}
