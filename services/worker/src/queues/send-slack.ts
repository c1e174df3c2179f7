// Queue "send.slack": Slack notifications, each posted at most once (claim in Postgres, then post), apart from email's pace and outages.
import { type AppContext, claimNotification, settleNotification } from '@surveyflow/core';
import type { SlackChannel } from '../channels/slack.ts';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import { deliver } from './deliver.ts';

export function sendSlackJobs(ctx: AppContext, slack: SlackChannel): QueueJobs<'send.slack'> {
  return {
    'notification.slack': defineJob('notification.slack', async ({ notificationId }, job) => {
      const claimed = await claimNotification(ctx.database, notificationId);
      if (!claimed) return { sent: false };
      await deliver(
        ctx,
        job,
        () => slack.send({ webhookUrl: claimed.recipient, text: claimed.text }),
        (o) => settleNotification(ctx.database, notificationId, o),
      );
      return { sent: true };
    }),
  };
}
