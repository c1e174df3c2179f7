// Queue "send.slack": Slack notifications, each posted at most once (claim in Postgres, then post), apart from email's pace and outages.
import {
  type AppContext,
  claimNotification,
  handOverNotification,
  settleNotification,
} from '@surveyflow/core';
import type { SlackChannel } from '../channels/slack.ts';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import { deliver, handingOverFirst } from './deliver.ts';

export function sendSlackJobs(ctx: AppContext, slack: SlackChannel): QueueJobs<'send.slack'> {
  return {
    'notification.slack': defineJob('notification.slack', async ({ notificationId }, job, token) => {
      const claimed = await claimNotification(ctx.database, notificationId, ctx.clock.now());
      if (!claimed?.claimedAt) return { sent: false };
      const claimedAt = claimed.claimedAt;
      const sent = await deliver(ctx, job, token, {
        handOver: () => handOverNotification(ctx.database, notificationId, claimedAt, ctx.clock.now()),
        // A webhook POST has no later safe point than just before it.
        send: handingOverFirst(() => slack.send({ webhookUrl: claimed.recipient, text: claimed.text })),
        settle: (o) => settleNotification(ctx.database, notificationId, o),
        since: claimed.createdAt,
      });
      return { sent: sent !== null };
    }),
  };
}
