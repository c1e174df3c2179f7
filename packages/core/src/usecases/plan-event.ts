// Turning a stored event into decisions and invitation rows, once, in one transaction per event;
// and the same rules as a dry run that stores nothing.

import { and, arrayContains, asc, eq, gt, inArray, isNotNull, ne, type SQL } from 'drizzle-orm';
import { dedupeValue } from '../domain/rules/filters.ts';
import { type ContactFacts, type Decision, planEvent, subjectOf } from '../domain/rules/plan.ts';
import { DAY_MS } from '../domain/rules/throttle.ts';
import type { Database, Db } from '../store/client.ts';
import { contacts, eventDecisions, events, invitations, triggers, workspaces } from '../store/schema.ts';
import { recordReferralConversion } from './referrals.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Trigger = typeof triggers.$inferSelect;
type PlannedEvent = { type: string; occurredAt: Date; properties: Record<string, unknown> };

export type PlanOutcome = { planned: boolean; invitationIds: string[]; dueNow: boolean };

/** Everything the rules need to know about the past: the workspace's rules and the contact's invitations. */
async function decide(
  tx: Tx | Db,
  now: Date,
  workspaceId: string,
  event: PlannedEvent,
  contact: ContactFacts & { id: string | null },
  matching: Trigger[],
): Promise<Decision[]> {
  const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new Error(`workspace ${workspaceId} is gone`);
  const lookBack = Math.max(workspace.globalContactDays, ...matching.map((t) => t.throttleDays));
  // What throttling and dedupe need to know of an earlier invitation.
  const pastInvitations = (where: SQL | undefined) =>
    tx
      .select({
        surveyId: invitations.surveyId,
        sendAt: invitations.sendAt,
        triggerId: invitations.triggerId,
        dedupeValue: invitations.dedupeValue,
      })
      .from(invitations)
      .where(where);
  const history = contact.id
    ? await pastInvitations(
        and(
          eq(invitations.contactId, contact.id),
          ne(invitations.status, 'cancelled'),
          gt(invitations.sendAt, new Date(event.occurredAt.getTime() - lookBack * DAY_MS)),
        ),
      )
    : [];
  // Dedupe looks at the trigger's whole history, not only this contact's or this window's.
  const subject = subjectOf(event, contact);
  const keyed = matching.flatMap((t) => {
    const value = dedupeValue(t.dedupeKey, subject);
    return value === null ? [] : [{ triggerId: t.id, value }];
  });
  const sameKey = keyed.length
    ? await pastInvitations(
        and(
          inArray(
            invitations.triggerId,
            keyed.map((k) => k.triggerId),
          ),
          isNotNull(invitations.dedupeValue),
          inArray(
            invitations.dedupeValue,
            keyed.map((k) => k.value),
          ),
        ),
      )
    : [];
  return planEvent({
    event,
    now,
    contact,
    workspace,
    triggers: matching,
    history: [...history, ...sameKey],
  });
}

function matchingTriggers(tx: Tx | Db, workspaceId: string, type: string, only?: string) {
  return tx
    .select()
    .from(triggers)
    .where(
      and(
        eq(triggers.workspaceId, workspaceId),
        only ? eq(triggers.id, only) : eq(triggers.enabled, true),
        arrayContains(triggers.eventTypes, [type]),
      ),
    )
    .orderBy(asc(triggers.createdAt), asc(triggers.id));
}

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

    await cancelByEvent(tx, event, contact);
    await recordReferralConversion(tx, event);
    const matching = await matchingTriggers(tx, event.workspaceId, event.type);
    const decisions = await decide(tx, now, event.workspaceId, event, contact, matching);

    const invitationIds: string[] = [];
    let dueNow = false;
    for (let d of decisions) {
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
            dedupeValue: d.dedupeValue,
          })
          .onConflictDoNothing()
          .returning({ id: invitations.id });
        if (inv) {
          invitationId = inv.id;
          invitationIds.push(inv.id);
          if (d.sendAt <= now) dueNow = true;
        } else {
          // Another planner invited for the same dedupe key between our read and our insert.
          d = { ...d, outcome: 'skipped', reason: 'duplicate_key', detail: { value: d.dedupeValue ?? '' } };
        }
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

/**
 * An event a trigger lists in cancel_on (a refund, a return) cancels that trigger's invitations
 * with the same dedupe key that have not been handed to a sender yet. Both events say what happened.
 */
async function cancelByEvent(tx: Tx, event: typeof events.$inferSelect, contact: ContactFacts) {
  const cancelling = await tx
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, event.workspaceId), arrayContains(triggers.cancelOn, [event.type])));
  const subject = subjectOf(event, contact);
  for (const trigger of cancelling) {
    const value = dedupeValue(trigger.dedupeKey, subject);
    if (value === null) continue;
    const detail = {
      byEvent: event.externalId,
      eventType: event.type,
      dedupeKey: trigger.dedupeKey ?? '',
      value,
    };
    const cancelled = await tx
      .update(invitations)
      .set({ status: 'cancelled', failureReason: `cancelled_by_event: ${event.type} ${event.externalId}` })
      .where(
        and(
          eq(invitations.triggerId, trigger.id),
          eq(invitations.dedupeValue, value),
          inArray(invitations.status, ['scheduled', 'queued']),
        ),
      )
      .returning({ id: invitations.id });
    for (const { id } of cancelled) {
      await tx
        .update(eventDecisions)
        .set({ outcome: 'skipped', reason: 'cancelled_by_event', detail })
        .where(eq(eventDecisions.invitationId, id));
      await tx.insert(eventDecisions).values({
        workspaceId: event.workspaceId,
        eventId: event.id,
        triggerId: trigger.id,
        surveyId: trigger.surveyId,
        outcome: 'cancelled',
        reason: null,
        detail,
        invitationId: id,
      });
    }
  }
}

/** Fields of a trigger as an operator is editing it, not yet saved. */
export type TriggerEdits = Partial<Omit<Trigger, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>>;

/**
 * POST /v1/triggers/:id/test — what this trigger would do with this event now; stores and sends nothing.
 * `edited` (the console's live dry run) stands in for the stored fields it names.
 */
export async function dryRunTrigger(
  { db }: Database,
  now: Date,
  workspaceId: string,
  triggerId: string,
  event: PlannedEvent & {
    contact: {
      id: string;
      email?: string | undefined;
      phone?: string | undefined;
      locale?: string | undefined;
      timezone?: string | undefined;
      name?: string | undefined;
    };
  },
  edited: TriggerEdits = {},
): Promise<Decision | null> {
  const [stored] = await db
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, triggerId)));
  if (!stored) return null;
  const trigger: Trigger = { ...stored, ...edited };
  const [known] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, event.contact.id)));
  // What the event says about the contact wins, as it would once the event is accepted.
  const c = event.contact;
  const contact = {
    id: known?.id ?? null,
    externalId: c.id,
    email: c.email ?? known?.email ?? null,
    phone: c.phone ?? known?.phone ?? null,
    name: c.name ?? known?.name ?? null,
    locale: c.locale ?? known?.locale ?? null,
    timezone: c.timezone ?? known?.timezone ?? null,
    optedOutAt: known?.optedOutAt ?? null,
    // A new address clears a bounce on the old one, as accepting the event would.
    emailBouncedAt: c.email && c.email !== known?.email ? null : (known?.emailBouncedAt ?? null),
  };
  if (!trigger.eventTypes.includes(event.type)) {
    return {
      outcome: 'skipped',
      triggerId,
      surveyId: trigger.surveyId,
      reason: 'no_trigger',
      detail: { eventTypes: trigger.eventTypes.join(',') },
    };
  }
  const [decision] = await decide(db, now, workspaceId, event, contact, [trigger]);
  return decision ?? null;
}
