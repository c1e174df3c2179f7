// Turning stored events into decisions and invitation rows, once: a chunk of events in one transaction
// (a few set-based reads, the pure rules per event in memory, one multi-row insert each for invitations
// and decisions); and the same rules as a dry run that stores nothing.

import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import { dedupeValue } from '../domain/rules/filters.ts';
import type { ContactFacts, Decision, TriggerRule } from '../domain/rules/plan.ts';
import { subjectOf } from '../domain/rules/plan.ts';
import { type ChunkHistory, type ChunkSubject, dedupeOf, planChunk } from '../domain/rules/plan-chunk.ts';
import type { PastInvitation } from '../domain/rules/throttle.ts';
import { DAY_MS } from '../domain/rules/throttle.ts';
import type { Database, Db } from '../store/client.ts';
import { contacts, eventDecisions, events, invitations, triggers, workspaces } from '../store/schema.ts';
import { recordReferralConversion } from './referrals.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Trigger = typeof triggers.$inferSelect;
type Workspace = typeof workspaces.$inferSelect;
type StoredEvent = typeof events.$inferSelect;
type PlannedEvent = { type: string; occurredAt: Date; properties: Record<string, unknown> };

export type PlanOutcome = { planned: boolean; invitationIds: string[]; dueNow: boolean };

/** One subject for the chunk planner: what happened, to whom (the contact's row id, when stored), under which rules. */
export type PlanItem = {
  event: PlannedEvent;
  contact: ContactFacts & { id: string | null };
  rules: readonly TriggerRule[];
};

/**
 * What the rules need to know about the past for a whole chunk, in two reads: the contacts' recent
 * invitations (throttle window, global rule) and every invitation sharing a (rule, dedupe value) with a
 * subject. A list send's invitations carry the send's id where a trigger's carry the trigger's.
 */
async function chunkHistory(
  tx: Tx | Db,
  workspace: Workspace,
  items: readonly PlanItem[],
): Promise<ChunkHistory> {
  const contactIds = [...new Set(items.flatMap((i) => (i.contact.id ? [i.contact.id] : [])))];
  const rules = items.flatMap((i) => i.rules);
  const lookBack = Math.max(workspace.globalContactDays, ...rules.map((t) => t.throttleDays));
  const earliest = Math.min(...items.map((i) => i.event.occurredAt.getTime()));
  const columns = {
    contactId: invitations.contactId,
    surveyId: invitations.surveyId,
    sendAt: invitations.sendAt,
    triggerId: sql<string | null>`coalesce(${invitations.triggerId}, ${invitations.sendId})`,
    dedupeValue: invitations.dedupeValue,
  };
  const recent = contactIds.length
    ? await tx
        .select(columns)
        .from(invitations)
        .where(
          and(
            inArray(invitations.contactId, contactIds),
            ne(invitations.status, 'cancelled'),
            gt(invitations.sendAt, new Date(earliest - lookBack * DAY_MS)),
          ),
        )
    : [];
  const byContact = new Map<string, PastInvitation[]>();
  for (const { contactId, ...h } of recent)
    byContact.set(contactId, [...(byContact.get(contactId) ?? []), h]);
  // Dedupe looks at the rule's whole history, not only these contacts' or this window's.
  const pairs = new Set<string>();
  for (const item of items) {
    for (const rule of item.rules) {
      const value = dedupeOf(rule, item);
      if (value !== null) pairs.add(`${rule.id}\u0000${value}`);
    }
  }
  const ruleIds = [...new Set([...pairs].map((p) => p.split('\u0000')[0] ?? ''))];
  const values = [...new Set([...pairs].map((p) => p.split('\u0000')[1] ?? ''))];
  const keyed = pairs.size
    ? (
        await tx
          .select(columns)
          .from(invitations)
          .where(
            and(
              or(inArray(invitations.triggerId, ruleIds), inArray(invitations.sendId, ruleIds)),
              isNotNull(invitations.dedupeValue),
              inArray(invitations.dedupeValue, values),
            ),
          )
      ).filter((h) => pairs.has(`${h.triggerId}\u0000${h.dedupeValue}`))
    : [];
  return { byContact, keyed };
}

/** Decides a chunk of subjects of one workspace, in order, with their history read in two queries. */
export async function decideChunk(
  tx: Tx | Db,
  now: Date,
  workspace: Workspace,
  items: readonly PlanItem[],
): Promise<Decision[][]> {
  if (items.length === 0) return [];
  const history = await chunkHistory(tx, workspace, items);
  // A subject without a stored contact has no history of its own; its key only groups it with itself.
  const subjects: ChunkSubject[] = items.map((item) => ({
    contactKey: item.contact.id ?? `new:${item.contact.externalId}`,
    event: item.event,
    contact: item.contact,
    triggers: item.rules,
  }));
  return planChunk({ now, workspace, subjects, history });
}

/** What the planner writes for an invitation: a trigger's (with its event) or a list send's. */
export type NewInvitation = Pick<
  typeof invitations.$inferInsert,
  | 'workspaceId'
  | 'surveyId'
  | 'contactId'
  | 'channel'
  | 'sendAt'
  | 'triggerId'
  | 'eventId'
  | 'sendId'
  | 'dedupeValue'
>;

/**
 * A chunk's rows as one JSON parameter, read back by `jsonb_to_recordset`: one parameter for the whole insert
 * instead of one per value (thousands for a chunk), and no query building per row.
 */
const rowsParam = (rows: readonly Record<string, unknown>[]) =>
  sql`${sql.param(JSON.stringify(rows))}::text::jsonb`;

/**
 * One insert for all the rows. Ids are made here so the caller knows which rows went in: a row a racing
 * planner beat us to (the same dedupe key) is not among the returned ids.
 */
export async function insertInvitations(tx: Tx, rows: readonly NewInvitation[]): Promise<(string | null)[]> {
  if (rows.length === 0) return [];
  const withIds = rows.map((r) => ({ ...r, id: randomUUID() }));
  const inserted = await tx.execute<{ id: string }>(sql`
    insert into invitations (id, workspace_id, survey_id, contact_id, channel, send_at, trigger_id, event_id, send_id, dedupe_value)
    select id, "workspaceId", "surveyId", "contactId", channel, "sendAt", "triggerId", "eventId", "sendId", "dedupeValue"
    from jsonb_to_recordset(${rowsParam(withIds)}) as r(id uuid, "workspaceId" uuid, "surveyId" uuid, "contactId" uuid,
      channel text, "sendAt" timestamptz, "triggerId" uuid, "eventId" uuid, "sendId" uuid, "dedupeValue" text)
    on conflict do nothing
    returning id`);
  const got = new Set(inserted.map((r) => r.id));
  return withIds.map((r) => (got.has(r.id) ? r.id : null));
}

type NewDecision = typeof eventDecisions.$inferInsert;

/** The decisions of a chunk, in one insert of one parameter. */
async function insertDecisions(tx: Tx, rows: readonly NewDecision[]) {
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into event_decisions (workspace_id, event_id, trigger_id, survey_id, outcome, reason, detail, invitation_id)
    select "workspaceId", "eventId", "triggerId", "surveyId", outcome, reason, detail, "invitationId"
    from jsonb_to_recordset(${rowsParam(rows)}) as r("workspaceId" uuid, "eventId" uuid, "triggerId" uuid,
      "surveyId" uuid, outcome text, reason text, detail jsonb, "invitationId" uuid)`);
}

/** Another planner invited for the same dedupe key between our read and our insert. */
export function lostRace(d: Decision & { outcome: 'invited' }): Decision {
  return {
    outcome: 'skipped',
    triggerId: d.triggerId,
    surveyId: d.surveyId,
    reason: 'duplicate_key',
    detail: { value: d.dedupeValue ?? '' },
  };
}

/** Plans one event (a chunk of one); see planStoredEvents. */
export async function planStoredEvent(database: Database, eventId: string, now: Date): Promise<PlanOutcome> {
  const outcomes = await planStoredEvents(database, [eventId], now);
  return outcomes.get(eventId) ?? { planned: false, invitationIds: [], dueNow: false };
}

/**
 * Plans a chunk of events in one transaction. The event rows are locked (a replayed or retried job finds
 * `planned_at` set and stops: an event is planned once) and so are their contacts, in one order every
 * planner uses, so planners touching the same contact queue up and throttling holds across workers.
 * Events are decided in the order they were received; an event whose type cancels a trigger's
 * invitations (`cancel_on`) first stores what came before it, so it cancels those too.
 */
export async function planStoredEvents(
  { db }: Database,
  eventIds: readonly string[],
  now: Date,
  /** Called once this chunk holds its locks (events and contacts): a chunk started after it queues behind it on any contact they share. */
  onLocked?: () => void,
): Promise<Map<string, PlanOutcome>> {
  const outcomes = new Map<string, PlanOutcome>();
  if (eventIds.length === 0) return outcomes;
  await db.transaction(async (tx) => {
    const locked = await tx
      .select()
      .from(events)
      .where(inArray(events.id, [...new Set(eventIds)]))
      .orderBy(asc(events.id))
      .for('update');
    // In the order received; events of one request (one receivedAt) in the order the jobs came.
    const position = new Map(eventIds.map((id, i) => [id, i]));
    const todo = locked
      .filter((e) => !e.plannedAt)
      .sort(
        (a, b) =>
          a.receivedAt.getTime() - b.receivedAt.getTime() ||
          (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0),
      );
    for (const e of locked) outcomes.set(e.id, { planned: false, invitationIds: [], dueNow: false });
    if (todo.length === 0) return;
    const contactRows = await tx
      .select()
      .from(contacts)
      .where(inArray(contacts.id, [...new Set(todo.map((e) => e.contactId))]))
      .orderBy(asc(contacts.workspaceId), asc(contacts.externalId))
      .for('update');
    onLocked?.();
    const contactOf = new Map(contactRows.map((c) => [c.id, c]));
    const workspaceIds = [...new Set(todo.map((e) => e.workspaceId))];
    const workspaceOf = new Map(
      (await tx.select().from(workspaces).where(inArray(workspaces.id, workspaceIds))).map((w) => [w.id, w]),
    );
    const allTriggers = await tx
      .select()
      .from(triggers)
      .where(inArray(triggers.workspaceId, workspaceIds))
      .orderBy(asc(triggers.createdAt), asc(triggers.id));
    const types = [...new Set(todo.map((e) => e.type))];
    const cancelling = allTriggers.filter((t) => t.cancelOn.some((c) => types.includes(c)));

    // Segments of events planned together; an event that cancels something starts a new one.
    let segment: StoredEvent[] = [];
    const flush = async () => {
      for (const workspaceId of workspaceIds) {
        const mine = segment.filter((e) => e.workspaceId === workspaceId);
        const workspace = workspaceOf.get(workspaceId);
        if (!workspace) throw new Error(`workspace ${workspaceId} is gone`);
        await planSegment(tx, now, workspace, mine, contactOf, allTriggers, outcomes);
      }
      segment = [];
    };
    for (const event of todo) {
      const contact = contactOf.get(event.contactId);
      if (!contact) throw new Error(`event ${event.id} has no contact`);
      const cancels = cancelling.filter(
        (t) => t.workspaceId === event.workspaceId && t.cancelOn.includes(event.type),
      );
      if (cancels.length) {
        await flush();
        await cancelByEvent(tx, event, contact, cancels);
      }
      await recordReferralConversion(tx, event);
      segment.push(event);
    }
    await flush();
    await tx
      .update(events)
      .set({ plannedAt: now })
      .where(
        inArray(
          events.id,
          todo.map((e) => e.id),
        ),
      );
  });
  return outcomes;
}

async function planSegment(
  tx: Tx,
  now: Date,
  workspace: Workspace,
  segment: readonly StoredEvent[],
  contactOf: ReadonlyMap<string, typeof contacts.$inferSelect>,
  allTriggers: readonly Trigger[],
  outcomes: Map<string, PlanOutcome>,
) {
  if (segment.length === 0) return;
  const enabled = allTriggers.filter((t) => t.workspaceId === workspace.id && t.enabled);
  const items = segment.map((event) => ({
    event,
    contact: contactOf.get(event.contactId) as typeof contacts.$inferSelect,
    rules: enabled.filter((t) => t.eventTypes.includes(event.type)),
  }));
  const decided = await decideChunk(tx, now, workspace, items);
  const invited = decided.flatMap((ds, i) =>
    ds.flatMap((d) => (d.outcome === 'invited' ? [{ d, event: segment[i] as StoredEvent }] : [])),
  );
  const ids = await insertInvitations(
    tx,
    invited.map(({ d, event }) => ({
      workspaceId: event.workspaceId,
      surveyId: d.surveyId,
      triggerId: d.triggerId,
      eventId: event.id,
      contactId: event.contactId,
      channel: d.channel,
      sendAt: d.sendAt,
      dedupeValue: d.dedupeValue,
    })),
  );
  const idOf = new Map(invited.map(({ d }, i) => [d, ids[i] ?? null]));
  const decisionRows: (typeof eventDecisions.$inferInsert)[] = [];
  decided.forEach((ds, i) => {
    const event = segment[i] as StoredEvent;
    const outcome: PlanOutcome = { planned: true, invitationIds: [], dueNow: false };
    for (let d of ds) {
      let invitationId: string | null = null;
      if (d.outcome === 'invited') {
        invitationId = idOf.get(d) ?? null;
        if (invitationId) {
          outcome.invitationIds.push(invitationId);
          if (d.sendAt <= now) outcome.dueNow = true;
        } else d = lostRace(d);
      }
      decisionRows.push({
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
    outcomes.set(event.id, outcome);
  });
  await insertDecisions(tx, decisionRows);
}

/**
 * An event a trigger lists in cancel_on (a refund, a return) cancels that trigger's invitations
 * with the same dedupe key that have not been handed to a sender yet. Both events say what happened.
 */
async function cancelByEvent(
  tx: Tx,
  event: StoredEvent,
  contact: ContactFacts,
  cancelling: readonly Trigger[],
) {
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

/** A trigger not saved yet, as a form would create it: every field a trigger has but its id and times. */
export type UnsavedTrigger = Required<Omit<TriggerEdits, 'name'>> & { name?: string | undefined };

/** An unsaved trigger's stand-in id: no invitation or decision names it, so its dedupe history is empty, as a new trigger's is. */
export const UNSAVED_TRIGGER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * POST /v1/triggers/:id/test — what this trigger would do with this event now; stores and sends nothing.
 * `edited` (the console's live dry run) stands in for the stored fields it names. `triggerId` null is a
 * trigger not saved yet (the console's new-trigger form): `edited` is then all of it.
 */
export async function dryRunTrigger(
  { db }: Database,
  now: Date,
  workspaceId: string,
  triggerId: string | null,
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
  edited: TriggerEdits | UnsavedTrigger = {},
): Promise<Decision | null> {
  const [stored] =
    triggerId === null
      ? [unsaved(workspaceId, edited as UnsavedTrigger, now)]
      : await db
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
      triggerId: trigger.id,
      surveyId: trigger.surveyId,
      reason: 'no_trigger',
      detail: { eventTypes: trigger.eventTypes.join(',') },
    };
  }
  const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw new Error(`workspace ${workspaceId} is gone`);
  const [decisions] = await decideChunk(db, now, workspace, [{ event, contact, rules: [trigger] }]);
  return decisions?.[0] ?? null;
}

function unsaved(workspaceId: string, fields: UnsavedTrigger, now: Date): Trigger {
  return {
    ...fields,
    id: UNSAVED_TRIGGER_ID,
    workspaceId,
    name: fields.name ?? '',
    createdAt: now,
    updatedAt: now,
  };
}
