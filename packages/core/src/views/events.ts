// Events as operators see them: what became of one event (decisions, invitations).
import { and, asc, eq } from 'drizzle-orm';
import { skipReasons } from '../domain/rules/plan.ts';
import type { Database } from '../store/client.ts';
import { contacts, eventDecisions, events, invitations, triggers } from '../store/schema.ts';
import { contactView } from './contacts.ts';

/** GET /v1/events/:id — the event and what became of it. */
export async function eventView({ db }: Database, workspaceId: string, externalId: string) {
  const [row] = await db
    .select({ event: events, contact: contacts })
    .from(events)
    .innerJoin(contacts, eq(contacts.id, events.contactId))
    .where(and(eq(events.workspaceId, workspaceId), eq(events.externalId, externalId)));
  if (!row) return null;
  const decisions = await db
    .select({ decision: eventDecisions, triggerName: triggers.name, invitation: invitations })
    .from(eventDecisions)
    .leftJoin(triggers, eq(triggers.id, eventDecisions.triggerId))
    .leftJoin(invitations, eq(invitations.id, eventDecisions.invitationId))
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
    decisions: decisions.map(({ decision: d, triggerName, invitation: inv }) => ({
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
          }
        : null,
    })),
  };
}
