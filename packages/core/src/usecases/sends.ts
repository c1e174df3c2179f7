// List sends: a CSV of contacts staged row by row, then planned in chunks by the same planner as events
// (the send plays the trigger), with progress counted in the same transaction as each chunk's decisions.

import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { and, asc, desc, eq, gt, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { ContactFacts, Decision, TriggerRule } from '../domain/rules/plan.ts';
import type { SendWindow } from '../domain/rules/send-window.ts';
import { type HeaderMap, mapHeader, mapRow } from '../domain/send-rows.ts';
import { AppError } from '../errors.ts';
import type { Database, Db } from '../store/client.ts';
import {
  contacts,
  invitations,
  responses,
  type SendState,
  sendRows,
  sends,
  workspaces,
} from '../store/schema.ts';
import { decideChunk, lostRace, type PlanItem } from './plan-event.ts';
import { getSurvey } from './surveys.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Send = typeof sends.$inferSelect;
type SendRow = typeof sendRows.$inferSelect;

/** Rows staged per insert while reading, and planned per transaction by a chunk job step. */
export const SEND_STAGE_ROWS = 2000;
export const SEND_CHUNK_ROWS = 1000;

export type SendInput = {
  surveyId: string;
  /** Channels in order; a list send reaches people by address, so email and sms only. */
  channels: ('email' | 'sms')[];
  /** When the invitations are due; null: now. */
  sendAt: Date | null;
  sendWindow?: SendWindow | null;
  throttleDays?: number;
  sampleRate?: number;
  dryRun: boolean;
  fileName?: string | null;
};

/**
 * Stores a send and stages its CSV as it streams in (memory stays flat whatever the size): each row is
 * checked as it is read and kept pending, or bad with its line number and reason. A file that is not
 * CSV, or has no id column, is refused (400 naming `file`) and leaves nothing behind. The send is left
 * `running` (nothing planned yet): the caller enqueues its planning job.
 */
export async function createSend(
  database: Database,
  workspaceId: string,
  input: SendInput,
  csv: Readable,
): Promise<Send> {
  if (!(await getSurvey(database, workspaceId, input.surveyId))) {
    csv.resume();
    throw AppError.validation([{ field: 'surveyId', message: 'no survey with this id in your workspace' }]);
  }
  const [send] = await database.db
    .insert(sends)
    .values({
      workspaceId,
      surveyId: input.surveyId,
      channels: input.channels,
      sendAt: input.sendAt,
      sendWindow: input.sendWindow ?? null,
      throttleDays: input.throttleDays ?? 30,
      sampleRate: input.sampleRate ?? 1,
      dryRun: input.dryRun,
      fileName: input.fileName ?? null,
    })
    .returning();
  if (!send) throw new Error('insert returned nothing');
  try {
    const { read, bad } = await stageRows(database, send, csv);
    const [running] = await database.db
      .update(sends)
      .set({ rowsRead: read, bad, planned: bad, state: 'running', updatedAt: new Date() })
      .where(eq(sends.id, send.id))
      .returning();
    return running ?? send;
  } catch (err) {
    await database.db.delete(sends).where(eq(sends.id, send.id));
    if (err instanceof AppError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw AppError.validation([{ field: 'file', message: `not a readable CSV: ${message}` }]);
  }
}

type Staged = {
  line: number;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  properties: Record<string, string>;
  outcome: 'pending' | 'bad';
  reason: string | null;
};

async function stageRows(
  database: Database,
  send: Send,
  csv: Readable,
): Promise<{ read: number; bad: number }> {
  const parser = csv.pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }),
  );
  csv.on('error', (err) => parser.destroy(err));
  let header: HeaderMap | null = null;
  let width = 0;
  let batch: Staged[] = [];
  let read = 0;
  let bad = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await database.sql`
      insert into send_rows (send_id, line, workspace_id, external_id, email, phone, name, locale, timezone,
        properties, outcome, reason)
      select ${send.id}::uuid, r.line, ${send.workspaceId}::uuid, r.external_id, r.email, r.phone, r.name, r.locale,
        r.timezone, r.properties, r.outcome, r.reason
      from json_to_recordset(${JSON.stringify(rows)}::json) as r(line int, external_id text, email text, phone text,
        name text, locale text, timezone text, properties jsonb, outcome text, reason text)`;
  };
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (!header) {
      const mapped = mapHeader(record);
      if ('error' in mapped) throw AppError.validation([{ field: 'file', message: mapped.error }]);
      header = mapped.map;
      width = record.length;
      continue;
    }
    read++;
    const line = info.lines;
    const empty = { email: null, phone: null, name: null, locale: null, timezone: null, properties: {} };
    const mapped =
      record.length !== width
        ? ({
            ok: false,
            reason: `expected ${width} columns, found ${record.length}`,
            externalId: null,
          } as const)
        : mapRow(header, record);
    if (mapped.ok) {
      const r = mapped.row;
      batch.push({
        line,
        external_id: r.externalId,
        email: r.email,
        phone: r.phone,
        name: r.name,
        locale: r.locale,
        timezone: r.timezone,
        properties: r.properties,
        outcome: 'pending',
        reason: null,
      });
    } else {
      bad++;
      batch.push({ line, external_id: mapped.externalId, ...empty, outcome: 'bad', reason: mapped.reason });
    }
    if (batch.length >= SEND_STAGE_ROWS) await flush();
  }
  if (!header)
    throw AppError.validation([{ field: 'file', message: 'the file is empty: a header row is needed' }]);
  await flush();
  return { read, bad };
}

/** The send as its own trigger: the same rule shape, so the planner treats both alike. */
function ruleOf(send: Send): TriggerRule {
  return {
    id: send.id,
    surveyId: send.surveyId,
    channels: send.channels,
    delay: 'PT0S',
    throttleDays: send.throttleDays,
    sendWindow: send.sendWindow,
    sampleRate: send.sampleRate,
    // A contact in the file twice is invited once.
    dedupeKey: 'contact.id',
    expireAfter: null,
  };
}

type ContactRow = typeof contacts.$inferSelect;

/** The rows' contacts stored or updated as an event would (an erased contact keeps no details), locked. */
async function upsertContacts(
  tx: Tx,
  workspaceId: string,
  rows: readonly SendRow[],
): Promise<Map<string, ContactRow>> {
  const input = rows.map((r) => ({
    ext: r.externalId,
    email: r.email,
    phone: r.phone,
    name: r.name,
    locale: r.locale,
    tz: r.timezone,
    ord: r.line,
  }));
  await tx.execute(sql`
    insert into contacts as c (workspace_id, external_id, email, phone, name, locale, timezone)
    select distinct on (i.ext) ${workspaceId}::uuid, i.ext, i.email, i.phone, i.name, i.locale, i.tz
    from json_to_recordset(${JSON.stringify(input)}::json)
      as i(ext text, email text, phone text, name text, locale text, tz text, ord int)
    order by i.ext, i.ord desc
    on conflict (workspace_id, external_id) do update set
      email = case when c.erased_at is null then coalesce(excluded.email, c.email) end,
      phone = case when c.erased_at is null then coalesce(excluded.phone, c.phone) end,
      name = case when c.erased_at is null then coalesce(excluded.name, c.name) end,
      locale = case when c.erased_at is null then coalesce(excluded.locale, c.locale) end,
      timezone = case when c.erased_at is null then coalesce(excluded.timezone, c.timezone) end,
      updated_at = now(),
      email_bounced_at = case when excluded.email is distinct from c.email and excluded.email is not null
        then null else c.email_bounced_at end`);
  const stored = await tx
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        inArray(contacts.externalId, [...new Set(input.map((i) => i.ext ?? ''))]),
      ),
    )
    .orderBy(asc(contacts.workspaceId), asc(contacts.externalId))
    .for('update');
  return new Map(stored.map((c) => [c.externalId, c]));
}

/** A dry run stores no contact: what is known of each, with what the row says winning (as a real send would). */
async function knownContacts(tx: Tx, workspaceId: string, rows: readonly SendRow[]) {
  const ids = [...new Set(rows.map((r) => r.externalId ?? ''))];
  const known = new Map(
    (
      await tx
        .select()
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.externalId, ids)))
    ).map((c) => [c.externalId, c]),
  );
  return (row: SendRow): ContactFacts & { id: string | null } => {
    const k = known.get(row.externalId ?? '');
    const erased = Boolean(k?.erasedAt);
    const pick = (mine: string | null, theirs: string | null | undefined) =>
      erased ? null : (mine ?? theirs ?? null);
    return {
      id: k?.id ?? null,
      externalId: row.externalId ?? '',
      email: pick(row.email, k?.email),
      phone: pick(row.phone, k?.phone),
      name: pick(row.name, k?.name),
      locale: pick(row.locale, k?.locale),
      timezone: pick(row.timezone, k?.timezone),
      optedOutAt: k?.optedOutAt ?? null,
      emailBouncedAt: row.email && row.email !== k?.email ? null : (k?.emailBouncedAt ?? null),
    };
  };
}

/**
 * A chunk's invitations in one statement, the rows as one JSON parameter (drizzle's multi-row values() spends
 * more time building a thousand-row statement than Postgres spends running it). Ids are made here so the
 * caller knows which went in: one a racing planner beat us to (the same contact in this send) is not returned.
 */
async function insertSendInvitations(
  tx: Tx,
  send: Send,
  rows: readonly { contactId: string; channel: string; sendAt: Date; dedupeValue: string | null }[],
): Promise<(string | null)[]> {
  if (rows.length === 0) return [];
  const withIds = rows.map((r) => ({ ...r, id: randomUUID() }));
  const q = sql`
    insert into invitations (id, workspace_id, survey_id, send_id, contact_id, channel, send_at, dedupe_value)
    select i.id, ${send.workspaceId}::uuid, ${send.surveyId}::uuid, ${send.id}::uuid, i."contactId", i.channel,
      i."sendAt", i."dedupeValue"
    from json_to_recordset(${JSON.stringify(withIds)}::json)
      as i(id uuid, "contactId" uuid, channel text, "sendAt" timestamptz, "dedupeValue" text)
    on conflict do nothing
    returning id`;
  const inserted = await tx.execute<{ id: string }>(q);
  const got = new Set(inserted.map((r) => r.id));
  return withIds.map((r) => (got.has(r.id) ? r.id : null));
}

export type ChunkResult = 'more' | 'stopped' | 'done';

/**
 * Plans the next chunk of a send's pending rows, in one transaction: the send row is locked (chunks of
 * one send never overlap, and pause or cancel is seen at the next chunk), the rows' contacts upserted
 * and locked, the rules run, invitations inserted in one statement, each row's outcome and the send's
 * counters written. A worker killed mid-chunk rolls the chunk back: the next run starts at the first
 * pending line, and a row already decided is never planned again.
 */
export async function planSendChunk(
  { db }: Database,
  sendId: string,
  now: Date,
  size = SEND_CHUNK_ROWS,
): Promise<ChunkResult> {
  return db.transaction(async (tx) => {
    const [send] = await tx.select().from(sends).where(eq(sends.id, sendId)).for('update');
    if (send?.state !== 'running') return 'stopped';
    const rows = await tx
      .select()
      .from(sendRows)
      .where(and(eq(sendRows.sendId, sendId), eq(sendRows.outcome, 'pending')))
      .orderBy(asc(sendRows.line))
      .limit(size);
    if (rows.length === 0) {
      await tx
        .update(sends)
        .set({ state: 'done', finishedAt: now, updatedAt: now })
        .where(eq(sends.id, sendId));
      return 'done';
    }
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, send.workspaceId));
    if (!workspace) throw new Error(`workspace ${send.workspaceId} is gone`);

    let contactOf: (row: SendRow) => ContactFacts & { id: string | null };
    if (send.dryRun) contactOf = await knownContacts(tx, send.workspaceId, rows);
    else {
      const stored = await upsertContacts(tx, send.workspaceId, rows);
      contactOf = (row) => {
        const c = stored.get(row.externalId ?? '');
        if (!c) throw new Error(`contact ${row.externalId} was not stored`);
        return c;
      };
    }
    const rule = ruleOf(send);
    const at = send.sendAt && send.sendAt > now ? send.sendAt : now;
    const items: PlanItem[] = rows.map((row) => ({
      event: { type: 'send', occurredAt: at, properties: row.properties },
      contact: contactOf(row),
      rules: [rule],
    }));
    const decided = (await decideChunk(tx, now, workspace, items)).map((ds) => ds[0] as Decision);

    const invitationOf = new Map<number, string | null>();
    if (!send.dryRun) {
      const invited = decided.flatMap((d, i) => (d.outcome === 'invited' ? [{ d, i }] : []));
      const ids = await insertSendInvitations(
        tx,
        send,
        invited.map(({ d, i }) => ({
          contactId: items[i]?.contact.id as string,
          channel: d.outcome === 'invited' ? d.channel : 'email',
          sendAt: d.outcome === 'invited' ? d.sendAt : now,
          dedupeValue: d.outcome === 'invited' ? d.dedupeValue : null,
        })),
      );
      invited.forEach(({ i }, k) => {
        invitationOf.set(i, ids[k] ?? null);
      });
    }
    const skipped: Record<string, number> = { ...send.skipped };
    let invitedCount = 0;
    const outcomes = decided.map((decision, i) => {
      let d = decision;
      if (d.outcome === 'invited' && !send.dryRun && !invitationOf.get(i)) d = lostRace(d);
      if (d.outcome === 'invited') invitedCount++;
      else skipped[d.reason] = (skipped[d.reason] ?? 0) + 1;
      const row = rows[i] as SendRow;
      return {
        line: row.line,
        outcome: d.outcome === 'invited' ? 'invited' : 'skipped',
        reason: d.outcome === 'invited' ? null : d.reason,
        detail: d.outcome === 'invited' ? { sendAt: d.sendAt.toISOString(), channel: d.channel } : d.detail,
        contact_id: items[i]?.contact.id ?? null,
        invitation_id: invitationOf.get(i) ?? null,
      };
    });
    await tx.execute(sql`
      update send_rows r set outcome = o.outcome, reason = o.reason, detail = o.detail,
        contact_id = o.contact_id, invitation_id = o.invitation_id
      from json_to_recordset(${JSON.stringify(outcomes)}::json)
        as o(line int, outcome text, reason text, detail jsonb, contact_id uuid, invitation_id uuid)
      where r.send_id = ${sendId}::uuid and r.line = o.line`);
    const finished = send.planned + rows.length >= send.rowsRead;
    await tx
      .update(sends)
      .set({
        planned: send.planned + rows.length,
        invited: send.invited + invitedCount,
        skipped,
        updatedAt: now,
        ...(finished ? { state: 'done' as const, finishedAt: now } : {}),
      })
      .where(eq(sends.id, sendId));
    return finished ? 'done' : 'more';
  });
}

/** Plans chunk after chunk until the send is done, paused or cancelled; what the chunk job runs. */
export async function runSend(database: Database, sendId: string, now: () => Date): Promise<ChunkResult> {
  for (;;) {
    const result = await planSendChunk(database, sendId, now());
    if (result !== 'more') return result;
  }
}

const transitions: Record<'pause' | 'resume' | 'cancel', { from: SendState[]; to: SendState }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused'], to: 'cancelled' },
};

/** Pause, resume or cancel: a state change the chunk jobs see at their next chunk. 409 when it does not apply. */
export async function changeSendState(
  { db }: Database,
  workspaceId: string,
  sendId: string,
  action: keyof typeof transitions,
): Promise<Send> {
  const { from, to } = transitions[action];
  const [changed] = await db
    .update(sends)
    .set({ state: to, updatedAt: new Date(), ...(to === 'cancelled' ? { finishedAt: new Date() } : {}) })
    .where(and(eq(sends.workspaceId, workspaceId), eq(sends.id, sendId), inArray(sends.state, from)))
    .returning();
  if (changed) return changed;
  const [current] = await db
    .select({ state: sends.state })
    .from(sends)
    .where(and(eq(sends.workspaceId, workspaceId), eq(sends.id, sendId)));
  if (!current) throw AppError.notFound(`Send ${sendId}`);
  throw AppError.conflict(
    `A ${current.state} send cannot be told to ${action} (only a ${from.join(' or ')} one)`,
  );
}

/**
 * The properties a send's row gave its invitation (the CSV's columns beyond the contact), as an event's
 * properties are an event-triggered invitation's: the answer keeps them for segmentation.
 */
export async function sendRowProperties(db: Db, invitationId: string): Promise<Record<string, unknown>> {
  const [row] = await db
    .select({ properties: sendRows.properties })
    .from(sendRows)
    .where(eq(sendRows.invitationId, invitationId))
    .limit(1);
  return row?.properties ?? {};
}

/** How many bad rows a send's view lists by line (the rest through /rows?outcome=bad). */
export const FIRST_BAD_ROWS = 20;

/** What GET /v1/sends/:id shows: the send, its counters, sent and answered so far, the first bad rows. */
export async function getSendProgress({ db }: Database, workspaceId: string, sendId: string) {
  const [send] = await db
    .select()
    .from(sends)
    .where(and(eq(sends.workspaceId, workspaceId), eq(sends.id, sendId)));
  if (!send) return null;
  const counts = (await sendCounts(db, [sendId])).get(sendId);
  const firstBad = await db
    .select({ line: sendRows.line, externalId: sendRows.externalId, reason: sendRows.reason })
    .from(sendRows)
    .where(and(eq(sendRows.sendId, sendId), eq(sendRows.outcome, 'bad')))
    .orderBy(asc(sendRows.line))
    .limit(FIRST_BAD_ROWS);
  return { send, sent: counts?.sent ?? 0, answered: counts?.answered ?? 0, firstBad };
}

/** Sent and answered so far, per send, read from the invitations the sends made. */
export async function sendCounts(
  db: Db,
  sendIds: readonly string[],
): Promise<Map<string, { sent: number; answered: number }>> {
  if (sendIds.length === 0) return new Map();
  const rows = await db
    .select({
      sendId: sql<string>`${invitations.sendId}`,
      sent: sql<number>`count(*) filter (where ${invitations.status} = 'sent')::int`,
      answered: sql<number>`count(${responses.id})::int`,
    })
    .from(invitations)
    .leftJoin(responses, eq(responses.invitationId, invitations.id))
    .where(and(inArray(invitations.sendId, [...sendIds]), isNotNull(invitations.dedupeValue)))
    .groupBy(invitations.sendId);
  return new Map(rows.map((r) => [r.sendId, { sent: r.sent, answered: r.answered }]));
}

export type SendProgress = NonNullable<Awaited<ReturnType<typeof getSendProgress>>>;

/** The workspace's sends, newest first, keyset-paged on (created_at, id); limit + 1 rows. */
export async function listSends(
  { db }: Database,
  workspaceId: string,
  f: { limit: number; after?: { at: string; id: string } | undefined },
) {
  return db
    .select({
      send: sends,
      cursorAt: sql<string>`to_char(${sends.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(sends)
    .where(
      and(
        eq(sends.workspaceId, workspaceId),
        f.after
          ? sql`(${sends.createdAt}, ${sends.id}) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(sends.createdAt), desc(sends.id))
    .limit(f.limit + 1);
}

/** A send's rows by line, optionally of one outcome, after a line; limit + 1 rows. */
export async function listSendRows(
  { db }: Database,
  workspaceId: string,
  sendId: string,
  f: { outcome?: SendRow['outcome'] | undefined; afterLine?: number | undefined; limit: number },
) {
  return db
    .select()
    .from(sendRows)
    .where(
      and(
        eq(sendRows.workspaceId, workspaceId),
        eq(sendRows.sendId, sendId),
        f.outcome ? eq(sendRows.outcome, f.outcome) : undefined,
        f.afterLine !== undefined ? gt(sendRows.line, f.afterLine) : undefined,
      ),
    )
    .orderBy(asc(sendRows.line))
    .limit(f.limit + 1);
}

/** Sends running but untouched since `before` (the reconciler hands their job on again if it was lost). */
export async function runningSends({ db }: Database, before: Date): Promise<string[]> {
  const rows = await db
    .select({ id: sends.id })
    .from(sends)
    .where(and(eq(sends.state, 'running'), lt(sends.updatedAt, before)))
    .limit(1000);
  return rows.map((r) => r.id);
}
