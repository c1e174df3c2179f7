// Turning a stored event into decisions and invitation rows, once, in one transaction per event.
import { and, arrayContains, asc, eq, gt, ne } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { contacts, eventDecisions, events, invitations, triggers } from '../db/schema.ts';
import { planEvent } from '../rules.ts';

const DAY_MS = 86_400_000;

export type PlanOutcome = { planned: boolean; invitationIds: string[]; dueNow: boolean };

/**
 * Plans one event. The event row lock makes a replayed job a no-op; the contact row lock
 * serialises every planner touching the same contact, so throttling holds across workers.
 */
export async function planStoredEvent({ db }: Database, eventId: string, now: Date): Promise<PlanOutcome> {
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for('update');
    if (!event || event.plannedAt) return { planned: false, invitationIds: [], dueNow: false };
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, event.contactId)).for('update');
    if (!contact) throw new Error(`event ${eventId} has no contact`);

    const matching = await tx
      .select()
      .from(triggers)
      .where(
        and(
          eq(triggers.workspaceId, event.workspaceId),
          eq(triggers.enabled, true),
          arrayContains(triggers.eventTypes, [event.type]),
        ),
      )
      .orderBy(asc(triggers.createdAt), asc(triggers.id));

    const longestThrottle = Math.max(0, ...matching.map((t) => t.throttleDays));
    const history = matching.length
      ? await tx
          .select({ surveyId: invitations.surveyId, sendAt: invitations.sendAt })
          .from(invitations)
          .where(
            and(
              eq(invitations.contactId, contact.id),
              ne(invitations.status, 'cancelled'),
              gt(invitations.sendAt, new Date(event.occurredAt.getTime() - longestThrottle * DAY_MS)),
            ),
          )
      : [];

    const decisions = planEvent({ occurredAt: event.occurredAt, contact, triggers: matching, history });

    const invitationIds: string[] = [];
    let dueNow = false;
    for (const d of decisions) {
      let invitationId: string | null = null;
      if (d.outcome === 'invited') {
        const [inv] = await tx
          .insert(invitations)
          .values({
            workspaceId: event.workspaceId,
            surveyId: d.surveyId,
            triggerId: d.triggerId,
            eventId: event.id,
            contactId: contact.id,
            channel: d.channel,
            sendAt: d.sendAt,
          })
          .returning({ id: invitations.id });
        invitationId = inv?.id ?? null;
        if (invitationId) invitationIds.push(invitationId);
        if (d.sendAt <= now) dueNow = true;
      }
      await tx.insert(eventDecisions).values({
        workspaceId: event.workspaceId,
        eventId: event.id,
        triggerId: d.triggerId,
        surveyId: d.surveyId,
        outcome: d.outcome,
        reason: d.outcome === 'skipped' ? d.reason : null,
        detail: d.outcome === 'skipped' ? d.detail : { sendAt: d.sendAt.toISOString(), channel: d.channel },
        invitationId,
      });
    }
    await tx.update(events).set({ plannedAt: now }).where(eq(events.id, event.id));
    return { planned: true, invitationIds, dueNow };
  });
}
