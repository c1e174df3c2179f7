// Contacts as operators see them: what they were asked, what they answered, and when they may be asked again.
import { and, asc, count, desc, eq, isNotNull } from 'drizzle-orm';
import { nextEligible } from '../domain/rules/throttle.ts';
import type { Database } from '../store/client.ts';
import {
  cases,
  contacts,
  events,
  invitations,
  notifications,
  responses,
  surveys,
  triggers,
  workspaces,
} from '../store/schema.ts';

/** GET /v1/contacts/:id — history and, per trigger, the earliest time the throttles allow another invitation. */
export async function contactHistory({ db }: Database, workspaceId: string, externalId: string, now: Date) {
  const [row] = await db
    .select({ contact: contacts, workspace: workspaces })
    .from(contacts)
    .innerJoin(workspaces, eq(workspaces.id, contacts.workspaceId))
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, externalId)));
  if (!row) return null;
  const { contact, workspace } = row;
  const history = await db
    .select({
      invitation: invitations,
      eventId: events.externalId,
      score: responses.score,
      answeredAt: responses.createdAt,
    })
    .from(invitations)
    .leftJoin(events, eq(events.id, invitations.eventId))
    .leftJoin(responses, eq(responses.invitationId, invitations.id))
    .where(eq(invitations.contactId, contact.id))
    .orderBy(desc(invitations.sendAt));
  const counted = history
    .filter((h) => h.invitation.status !== 'cancelled')
    .map((h) => ({ surveyId: h.invitation.surveyId, sendAt: h.invitation.sendAt }));
  const { globalContactDays } = workspace;
  const workspaceTriggers = await db
    .select()
    .from(triggers)
    .where(eq(triggers.workspaceId, workspaceId))
    .orderBy(asc(triggers.createdAt));
  return {
    ...contactView(contact),
    invitations: history.map(({ invitation: i, eventId, score, answeredAt }) => ({
      id: i.id,
      surveyId: i.surveyId,
      triggerId: i.triggerId,
      event: eventId,
      channel: i.channel,
      status: i.status,
      sendAt: i.sendAt,
      sentAt: i.sentAt,
      failureReason: i.failureReason,
      response: score === null ? null : { score, answeredAt },
    })),
    nextEligible: contact.optedOutAt
      ? { reason: 'opted_out', triggers: [] }
      : {
          globalRuleUntil: nextEligible(counted, { surveyId: null, throttleDays: 0, globalContactDays }, now)
            .globalRuleUntil,
          triggers: workspaceTriggers.map((t) => ({
            triggerId: t.id,
            name: t.name,
            surveyId: t.surveyId,
            // The send window and sampling still apply on top; this is what the throttles allow.
            earliest: nextEligible(
              counted,
              { surveyId: t.surveyId, throttleDays: t.throttleDays, globalContactDays },
              now,
            ).earliest,
          })),
        },
  };
}

export function contactView(c: typeof contacts.$inferSelect) {
  return {
    id: c.externalId,
    email: c.email,
    phone: c.phone,
    name: c.name,
    locale: c.locale,
    timezone: c.timezone,
    optedOutAt: c.optedOutAt,
  };
}

/** A contact's answers, newest first, each with its survey and the case it opened (if any). */
export async function contactAnswers({ db }: Database, workspaceId: string, contactId: string) {
  return db
    .select({
      id: responses.id,
      score: responses.score,
      comment: responses.comment,
      channel: responses.channel,
      at: responses.createdAt,
      survey: { id: surveys.id, name: surveys.name, kind: surveys.kind },
      case: { id: cases.id, status: cases.status },
    })
    .from(responses)
    .innerJoin(surveys, eq(surveys.id, responses.surveyId))
    .leftJoin(cases, eq(cases.responseId, responses.id))
    .where(and(eq(responses.workspaceId, workspaceId), eq(responses.contactId, contactId)))
    .orderBy(desc(responses.createdAt), desc(responses.id));
}

/** How much of a contact an erasure touches, so the confirmation can say it before anything goes. */
export async function erasureScope({ db }: Database, workspaceId: string, contactId: string) {
  const n = async (q: Promise<{ n: number }[]>) => (await q)[0]?.n ?? 0;
  const [eventCount, answerCount, commentCount, messageCount] = await Promise.all([
    n(
      db
        .select({ n: count() })
        .from(events)
        .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, contactId))),
    ),
    n(
      db
        .select({ n: count() })
        .from(responses)
        .where(and(eq(responses.workspaceId, workspaceId), eq(responses.contactId, contactId))),
    ),
    n(
      db
        .select({ n: count() })
        .from(responses)
        .where(
          and(
            eq(responses.workspaceId, workspaceId),
            eq(responses.contactId, contactId),
            isNotNull(responses.comment),
          ),
        ),
    ),
    n(
      db
        .select({ n: count() })
        .from(notifications)
        .where(and(eq(notifications.workspaceId, workspaceId), eq(notifications.contactId, contactId))),
    ),
  ]);
  return { events: eventCount, answers: answerCount, comments: commentCount, messages: messageCount };
}
