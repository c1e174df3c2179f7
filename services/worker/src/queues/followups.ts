// Queue "followups": routes each response once (detractor alert for now) by writing outbox rows, then enqueues their sends.
import { type AppContext, followUpResponse, jobs } from '@surveyflow/core';
import type { Job } from 'bullmq';

export function followupsProcessor(ctx: AppContext) {
  return async (job: Job) => {
    const { responseId } = jobs['response.followup'].payload.parse(job.data);
    const notificationIds = await followUpResponse(ctx.database, responseId, ctx.clock.now());
    await ctx.queues.addMany(
      'notification.send',
      notificationIds.map((notificationId) => ({ notificationId })),
    );
    return { notifications: notificationIds.length };
  };
}
