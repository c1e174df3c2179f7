// The API's lists of events, contacts and invitations: newest first, keyset-paged on (time, id) so pages never
// skip or repeat a row, whatever arrives meanwhile. Each returns limit + 1 rows: the extra one says there is more.
import { and, desc, eq, gte, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../client.ts';
import type { ChannelName, InvitationStatus } from '../schema.ts';
import { contacts, eventDecisions, events, invitations } from '../schema.ts';

/** Where a page ended: the last row's time to the microsecond (a JS Date keeps only milliseconds) and id. */
export type Keyset = { at: string; id: string };

/** A row's keyset time as text, microseconds kept: rows of one transaction share a time to the microsecond. */
export const keysetAt = (time: SQL | unknown) =>
  sql<string>`to_char(${time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows after the cursor in (time, id) ascending order (soonest first). */
export const afterKey = (time: SQL | unknown, id: unknown, after?: Keyset) =>
  after ? sql`(${time}, ${id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined;

/** Rows after the cursor in (time, id) descending order. */
export const before = (time: SQL | unknown, id: unknown, after?: Keyset) =>
  after ? sql`(${time}, ${id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined;

export type EventFilter = {
  type?: string | undefined;
  contact?: string | undefined;
  outcome?: 'invited' | 'skipped' | 'pending' | undefined;
  reason?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  after?: Keyset | undefined;
};

export async function listEvents({ db }: Database, workspaceId: string, f: EventFilter) {
  const invited = sql`exists (select 1 from ${eventDecisions} d where d.event_id = ${events.id} and d.outcome = 'invited')`;
  const skipped = f.reason
    ? sql`exists (select 1 from ${eventDecisions} d where d.event_id = ${events.id} and d.outcome <> 'invited' and d.reason = ${f.reason})`
    : sql`(${events.plannedAt} is not null and not ${invited})`;
  return db
    .select({
      rowId: events.id,
      cursorAt: keysetAt(events.receivedAt),
      externalId: events.externalId,
      type: events.type,
      occurredAt: events.occurredAt,
      receivedAt: events.receivedAt,
      contactExternalId: contacts.externalId,
      status: sql<
        'pending' | 'planned'
      >`case when ${events.plannedAt} is null then 'pending' else 'planned' end`,
      invited: sql<number>`(select count(*)::int from ${eventDecisions} d where d.event_id = ${events.id} and d.outcome = 'invited')`,
      skipped: sql<
        string[]
      >`coalesce((select array_agg(distinct d.reason) from ${eventDecisions} d where d.event_id = ${events.id} and d.outcome <> 'invited' and d.reason is not null), '{}')`,
    })
    .from(events)
    .innerJoin(contacts, eq(contacts.id, events.contactId))
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        f.type ? eq(events.type, f.type) : undefined,
        f.contact ? eq(contacts.externalId, f.contact) : undefined,
        f.outcome === 'pending' ? isNull(events.plannedAt) : undefined,
        f.outcome === 'invited' ? invited : undefined,
        f.outcome === 'skipped' || f.reason ? skipped : undefined,
        f.from ? gte(events.receivedAt, f.from) : undefined,
        f.to ? lt(events.receivedAt, f.to) : undefined,
        before(events.receivedAt, events.id, f.after),
      ),
    )
    .orderBy(desc(events.receivedAt), desc(events.id))
    .limit(f.limit + 1);
}

export type ContactFilter = {
  /** The producer's id, an email or a phone number: a prefix of any. */
  q?: string | undefined;
  optedOut?: boolean | undefined;
  limit: number;
  after?: Keyset | undefined;
};

/** LIKE treats % and _ as wildcards; a search for them means the characters themselves. */
const likePrefix = (q: string) => `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listContacts({ db }: Database, workspaceId: string, f: ContactFilter) {
  const prefix = f.q ? likePrefix(f.q) : undefined;
  return db
    .select({ contact: contacts, cursorAt: keysetAt(contacts.createdAt) })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        prefix
          ? // lower(col) like lower(prefix): the form the contacts_search_* indexes (0023) serve.
            or(
              sql`lower(${contacts.externalId}) like lower(${prefix})`,
              sql`lower(${contacts.email}) like lower(${prefix})`,
              sql`${contacts.phone} like ${prefix}`,
            )
          : undefined,
        f.optedOut === undefined
          ? undefined
          : f.optedOut
            ? isNotNull(contacts.optedOutAt)
            : isNull(contacts.optedOutAt),
        before(contacts.createdAt, contacts.id, f.after),
      ),
    )
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(f.limit + 1);
}

export type InvitationFilter = {
  surveyId?: string | undefined;
  channel?: ChannelName | undefined;
  status?: InvitationStatus | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  after?: Keyset | undefined;
};

export async function listInvitations({ db }: Database, workspaceId: string, f: InvitationFilter) {
  return db
    .select({
      invitation: invitations,
      cursorAt: keysetAt(invitations.createdAt),
      contactExternalId: contacts.externalId,
      eventExternalId: events.externalId,
    })
    .from(invitations)
    .innerJoin(contacts, eq(contacts.id, invitations.contactId))
    .leftJoin(events, eq(events.id, invitations.eventId))
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        f.surveyId ? eq(invitations.surveyId, f.surveyId) : undefined,
        f.channel ? eq(invitations.channel, f.channel) : undefined,
        f.status ? eq(invitations.status, f.status) : undefined,
        f.from ? gte(invitations.createdAt, f.from) : undefined,
        f.to ? lt(invitations.createdAt, f.to) : undefined,
        before(invitations.createdAt, invitations.id, f.after),
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(f.limit + 1);
}
