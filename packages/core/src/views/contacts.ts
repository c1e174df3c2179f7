// Contacts as operators see them: what they were asked, what they answered, and when they may be asked again.
import { and, asc, desc, eq } from 'drizzle-orm';
import { nextEligible } from '../domain/rules/throttle.ts';
import type { Database } from '../store/client.ts';
import { contacts, events, invitations, responses, triggers, workspaces } from '../store/schema.ts';

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
