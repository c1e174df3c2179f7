// Events as operators see them: what became of one event (decisions, invitations).
import { and, asc, eq } from 'drizzle-orm';
import { skipReasons } from '../domain/rules/plan.ts';
import type { Database } from '../store/client.ts';
import { contacts, eventDecisions, events, invitations, responses, triggers } from '../store/schema.ts';
import { contactView } from './contacts.ts';

export type FollowUpState =
  | { status: 'waiting_for_comment'; until: Date }
  | { status: 'due'; until: null }
  | { status: 'done'; at: Date };

/**
 * Where an answer's follow-up stands: a score without a comment waits up to `commentWaitMs` for its
 * "why?" before the alert and messages go out; then it is due (queued) until it has run.
 */
export function followUpState(
  r: { createdAt: Date; comment: string | null; followedUpAt: Date | null },
  now: Date,
  commentWaitMs: number,
): FollowUpState {
  if (r.followedUpAt) return { status: 'done', at: r.followedUpAt };
  const until = new Date(r.createdAt.getTime() + commentWaitMs);
  if (r.comment === null && until > now) return { status: 'waiting_for_comment', until };
  return { status: 'due', until: null };
}

/** GET /v1/events/:id — the event and what became of it (and, once answered, where the follow-up stands). */
export async function eventView(
  { db }: Database,
  workspaceId: string,
  externalId: string,
  followUp: { now: Date; commentWaitMs: number } = { now: new Date(), commentWaitMs: 0 },
) {
  const [row] = await db
    .select({ event: events, contact: contacts })
    .from(events)
    .innerJoin(contacts, eq(contacts.id, events.contactId))
    .where(and(eq(events.workspaceId, workspaceId), eq(events.externalId, externalId)));
  if (!row) return null;
  const decisions = await db
    .select({
      decision: eventDecisions,
      triggerName: triggers.name,
      invitation: invitations,
      response: {
        id: responses.id,
        score: responses.score,
        comment: responses.comment,
        createdAt: responses.createdAt,
        followedUpAt: responses.followedUpAt,
      },
    })
    .from(eventDecisions)
    .leftJoin(triggers, eq(triggers.id, eventDecisions.triggerId))
    .leftJoin(invitations, eq(invitations.id, eventDecisions.invitationId))
    .leftJoin(responses, eq(responses.invitationId, invitations.id))
    .where(eq(eventDecisions.eventId, row.event.id))
    .orderBy(asc(eventDecisions.createdAt), asc(eventDecisions.id));
  const { event, contact } = row;
  return {
    id: event.externalId,
    type: event.type,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    contact: contactView(contact),
    properties: event.properties,
    status: event.plannedAt ? ('planned' as const) : ('pending' as const),
    plannedAt: event.plannedAt,
    decisions: decisions.map(({ decision: d, triggerName, invitation: inv, response: r }) => ({
      outcome: d.outcome,
      trigger: d.triggerId ? { id: d.triggerId, name: triggerName } : null,
      surveyId: d.surveyId,
      reason: d.reason,
      explanation: d.reason ? (skipReasons[d.reason as keyof typeof skipReasons] ?? null) : null,
      detail: d.detail ?? {},
      invitation: inv
        ? {
            id: inv.id,
            channel: inv.channel,
            status: inv.status,
            sendAt: inv.sendAt,
            sentAt: inv.sentAt,
            failureReason: inv.failureReason,
            response: r
              ? {
                  id: r.id,
                  score: r.score,
                  comment: r.comment,
                  followUp: followUpState(r, followUp.now, followUp.commentWaitMs),
                }
              : null,
          }
        : null,
    })),
  };
}
