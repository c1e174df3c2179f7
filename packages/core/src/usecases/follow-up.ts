// What happens after an answer: the survey's actions for the answer's segment, each done once, as rows in one transaction.
import { eq } from 'drizzle-orm';
import { actionsFor, type SurveyAction } from '../domain/actions.ts';
import { type Segment, segmentOf } from '../domain/scoring.ts';
import type { Database, Tx } from '../store/client.ts';
import type { NotificationToSend } from '../store/outbox.ts';
import { contacts, events, locations, responses, surveys, workspaces } from '../store/schema.ts';
import { responseView } from '../views/responses.ts';
import { alertTeam } from './alert-team.ts';
import { openCase, rerouteCase } from './cases.ts';
import { messageCustomer } from './message-customer.ts';
import { offerReferral } from './offer-referral.ts';
import { emitWebhookEvent } from './webhooks.ts';

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
    for (const { index, action } of applicable) {
      out.push(
        ...(await runAction(tx, row, segment, action, `${responseId}:${segment}:${index}`, now, opts)),
      );
    }
    return out;
  });
}

async function runAction(
  tx: Tx,
  row: RoutedResponse,
  segment: Segment,
  action: SurveyAction,
  key: string,
  now: Date,
  opts: FollowUpOptions,
): Promise<NotificationToSend[]> {
  const { response, workspace } = row;
  switch (action.type) {
    case 'alert':
      return alertTeam(tx, row, segment, action, key);
    case 'case':
      await openCase(
        tx,
        {
          workspaceId: workspace.id,
          responseId: response.id,
          surveyId: response.surveyId,
          contactId: response.contactId,
          slaHours: action.slaHours,
          owner: action.owner ?? null,
          escalateTo: action.escalateTo ?? null,
          detail: { score: response.score, segment, comment: response.comment },
        },
        now,
      );
      return [];
    case 'message':
      return messageCustomer(tx, row, action, key, {
        kind: 'message',
        body: action.body,
        subject: action.subject,
      });
    case 'review':
      return messageCustomer(tx, row, action, key, {
        kind: 'review',
        body: action.body,
        link: { url: action.url, button: 'reviewButton', defaultBody: 'reviewBody' },
      });
    case 'referral':
      return offerReferral(tx, row, action, now, opts);
  }
}
