// Queue "followups": routes each response (and each later edit of it) through its survey's actions, then enqueues the messages.
import {
  type AppContext,
  deleteExpiredAudit,
  followUpResponse,
  type JobPayload,
  loadTicketWork,
  pruneConnectorDeliveries,
  resolvedCommentPosted,
  ticketCreated,
  ticketWorkFailed,
  zendeskResolvedComment,
  zendeskTicketFor,
} from '@surveyflow/core';
import { commentOnZendeskTicket, createZendeskTicket, ZendeskRefusal } from '../channels/zendesk.ts';
import { dataRetentionJob } from '../data-retention.ts';
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
      connectorDeliveries: await pruneConnectorDeliveries(ctx.database, ctx.clock.now()),
    })),
    'data.retention': dataRetentionJob(ctx),
    'zendesk.sync': defineJob('zendesk.sync', (payload) => syncZendesk(ctx, payload)),
  };
}

/**
 * One case's work owed to Zendesk, as leased by the due scanner: the ticket first, then the comment
 * a resolution here owes it. Failures are recorded on the row and retried by the scanner (the row is
 * the retry, not BullMQ); a 4xx from Zendesk is given up at once with its reason.
 */
async function syncZendesk(ctx: AppContext, { caseId, attempt }: JobPayload<'zendesk.sync'>) {
  const work = await loadTicketWork(ctx.database, caseId, ctx.config.SECRET_KEY);
  if (!work || work.attempt !== attempt) return { skipped: true };
  const now = () => ctx.clock.now();
  const caseUrl = `${ctx.config.PUBLIC_URL}/app/cases/${caseId}`;
  const allowPrivate = ctx.config.OUTBOUND_ALLOW_PRIVATE;
  try {
    if (!work.api)
      throw new ZendeskRefusal(
        'the connector has no Zendesk API set (PATCH /v1/connectors/:id with zendeskApi)',
      );
    let ticketId = work.ticketId;
    if (!ticketId) {
      ticketId = await createZendeskTicket(
        work.api,
        zendeskTicketFor({ ...work.facts, caseUrl }),
        allowPrivate,
      );
      await ticketCreated(ctx.database, caseId, ticketId, now());
    }
    if (work.commentOwed) {
      await commentOnZendeskTicket(
        work.api,
        ticketId,
        zendeskResolvedComment(work.resolution, caseUrl),
        allowPrivate,
      );
      await resolvedCommentPosted(ctx.database, caseId, now());
    }
    return { ticketId };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await ticketWorkFailed(ctx.database, caseId, attempt, message, err instanceof ZendeskRefusal, now());
    ctx.log.warn({ err, caseId }, 'zendesk sync failed');
    return { failed: message };
  }
}
