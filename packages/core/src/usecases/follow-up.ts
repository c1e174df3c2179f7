// What happens after an answer: the survey's actions for the answer's segment, each done once, as rows in one transaction.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { actionsFor, type SurveyAction } from '../domain/actions.ts';
import { type Segment, segmentOf } from '../domain/scoring.ts';
import { everyLocale, fill } from '../domain/templates/locales.ts';
import type { Database, Tx } from '../store/client.ts';
import type { NotificationToSend } from '../store/outbox.ts';
import {
  caseEvents,
  cases,
  contacts,
  events,
  locations,
  responses,
  surveys,
  workspaces,
} from '../store/schema.ts';
import { responseView } from '../views/responses.ts';
import { alertTeam } from './alert-team.ts';
import { addCaseEvent, openCase, rerouteCase } from './cases.ts';
import { type MessagePart, messageCustomer } from './message-customer.ts';
import { offerReferral } from './offer-referral.ts';
import { emitWebhookEvent } from './webhooks.ts';
import { mirrorCase } from './zendesk-tickets.ts';

export type RoutedResponse = {
  response: typeof responses.$inferSelect;
  survey: typeof surveys.$inferSelect;
  workspace: typeof workspaces.$inferSelect;
  contact: typeof contacts.$inferSelect | null;
  eventType: string | null;
  eventId: string | null;
  locationName: string | null;
};

export type FollowUpOptions = { publicUrl: string; secret: string };

/**
 * Routes one response: runs its survey's actions for its segment. Each version of an answer is routed
 * once (routed_at is the compare-and-set, under the row lock), and every artifact has a unique key
 * (the response, the segment, the action's place), so a replayed job creates nothing. An answer
 * edited after its follow-up is routed again: response.updated always, the actions only when the
 * segment changed, and a case it had records the change.
 */
export async function followUpResponse(
  { db }: Database,
  responseId: string,
  now: Date,
  opts: FollowUpOptions,
): Promise<NotificationToSend[]> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        response: responses,
        survey: surveys,
        workspace: workspaces,
        contact: contacts,
        eventType: events.type,
        eventId: events.externalId,
        locationName: locations.name,
      })
      .from(responses)
      .innerJoin(surveys, eq(surveys.id, responses.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, responses.workspaceId))
      .leftJoin(contacts, eq(contacts.id, responses.contactId))
      .leftJoin(events, eq(events.id, responses.eventId))
      .leftJoin(locations, eq(locations.id, responses.locationId))
      .where(eq(responses.id, responseId))
      .for('update', { of: responses });
    if (!row) return [];
    const { response, survey } = row;
    if (response.routedAt?.getTime() === response.updatedAt.getTime()) return [];
    const segment = segmentOf(survey.kind, response.score);
    const previous = response.routedSegment as Segment | null;
    await tx
      .update(responses)
      .set({
        followedUpAt: response.followedUpAt ?? now,
        routedAt: response.updatedAt,
        routedSegment: segment,
      })
      .where(eq(responses.id, responseId));
    await emitWebhookEvent(
      tx,
      response.workspaceId,
      response.followedUpAt ? 'response.updated' : 'response.created',
      { response: responseView(row, segment), previousSegment: previous },
      now,
    );
    // The "why?" that came after the follow-up joins the case the alert opened.
    await addCommentToCase(tx, responseId, response.comment, now);
    if (previous === segment) return [];
    const applicable = actionsFor(survey.actions, segment);
    if (previous) {
      const keepsCase = applicable.some((a) => a.action.type === 'case');
      await rerouteCase(
        tx,
        responseId,
        { from: previous, to: segment, score: response.score, keepsCase },
        now,
      );
    }
    const out: NotificationToSend[] = [];
    const parts: MessagePart[] = [];
    let review: Extract<SurveyAction, { type: 'review' }> | null = null;
    for (const { index, action } of applicable) {
      if (action.type === 'review') review ??= action;
      else {
        const done = await runAction(
          tx,
          row,
          segment,
          action,
          `${responseId}:${segment}:${index}`,
          now,
          opts,
        );
        out.push(...done.notifications);
        if (done.part) parts.push(done.part);
      }
    }
    // No review gating and no second email: the same link for every segment, inside its own message.
    if (review) parts.push(reviewPart(review, parts.length === 0));
    out.push(...(await messageCustomer(tx, row, parts, opts)));
    return out;
  });
}

/** The review link: a paragraph in the segment's message, or the whole message when the segment has none. */
export function reviewPart(action: Extract<SurveyAction, { type: 'review' }>, alone: boolean): MessagePart {
  return {
    kind: 'review',
    channel: action.channel,
    body: action.body ?? everyLocale((t) => (alone ? t.reviewBody : t.reviewInvite)),
    link: { url: action.url, button: 'reviewButton' },
  };
}

/** The case's acknowledgement to the customer ("someone is on it, within {hours} hours"), or null when it sends none. */
export function caseAckPart(action: Extract<SurveyAction, { type: 'case' }>): MessagePart | null {
  if (action.acknowledge === false) return null;
  const hours = String(action.slaHours);
  const body = action.acknowledgement ?? everyLocale((t) => t.caseAckBody);
  return {
    kind: 'case_ack',
    channel: 'auto',
    subject: everyLocale((t) => t.caseAckSubject),
    body: Object.fromEntries(Object.entries(body).map(([l, text]) => [l, fill(text, { hours })])),
  };
}

/** A segment's own message to the customer, in the operator's words. */
export function messagePart(action: Extract<SurveyAction, { type: 'message' }>): MessagePart {
  return { kind: 'message', channel: action.channel, subject: action.subject, body: action.body };
}

/**
 * A comment given after the follow-up ran (the alert said "(no comment yet)") lands in the case: a
 * comment_added event, once per distinct comment (a replayed job finds it already there).
 */
async function addCommentToCase(tx: Tx, responseId: string, comment: string | null, now: Date) {
  if (comment === null) return;
  const [found] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.responseId, responseId));
  if (!found) return;
  const [last] = await tx
    .select({ detail: caseEvents.detail })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, found.id), inArray(caseEvents.kind, ['created', 'comment_added'])))
    .orderBy(desc(caseEvents.id))
    .limit(1);
  if ((last?.detail as { comment?: string | null } | undefined)?.comment === comment) return;
  await addCaseEvent(tx, found.id, 'comment_added', 'customer', { comment }, now);
  await tx.update(cases).set({ updatedAt: now }).where(eq(cases.id, found.id));
}

async function runAction(
  tx: Tx,
  row: RoutedResponse,
  segment: Segment,
  action: Exclude<SurveyAction, { type: 'review' }>,
  key: string,
  now: Date,
  opts: FollowUpOptions,
): Promise<{ notifications: NotificationToSend[]; part?: MessagePart | null }> {
  const { response, workspace } = row;
  switch (action.type) {
    case 'alert':
      return { notifications: await alertTeam(tx, row, segment, action, key) };
    case 'case': {
      const opened = await openCase(
        tx,
        {
          workspaceId: workspace.id,
          responseId: response.id,
          surveyId: response.surveyId,
          contactId: response.contactId,
          slaHours: action.slaHours,
          owner: action.owner ?? null,
          escalateTo: action.escalateTo ?? null,
          detail: {
            score: response.score,
            segment,
            comment: response.comment,
            // The page still asks "why?": the case hears the answer if it comes before the edit window ends.
            ...(response.comment === null && response.editableUntil > now
              ? { awaitingComment: { until: response.editableUntil.toISOString() } }
              : {}),
          },
        },
        now,
      );
      if (!opened) return { notifications: [] };
      return { notifications: [], part: caseAckPart(action) };
    }
    case 'message':
      return { notifications: [], part: messagePart(action) };
    case 'referral':
      return { notifications: [], part: await offerReferral(tx, row, action, now, opts) };
    case 'zendesk_ticket':
      await mirrorCase(tx, row, segment, action, now);
      return { notifications: [] };
  }
}
