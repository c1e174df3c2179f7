// Responses as operators and webhooks see them: the response payload, lists, score histograms.
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { type Segment, segmentRange } from '../domain/scoring.ts';
import type { Database, Sql } from '../store/client.ts';
import { before, type Keyset, keysetAt } from '../store/queries/lists.ts';
import { rolledUpCounts } from '../store/queries/rollups.ts';
import {
  type ChannelName,
  contacts,
  events,
  locations,
  responses,
  surveyKinds,
  surveys,
} from '../store/schema.ts';
import type { RoutedResponse } from '../usecases/follow-up.ts';

export function responseView(row: RoutedResponse, segment: Segment) {
  const { response, contact } = row;
  return {
    id: response.id,
    surveyId: response.surveyId,
    kind: row.survey.kind,
    score: response.score,
    segment,
    comment: response.comment,
    channel: response.channel,
    eventId: row.eventId,
    location: row.locationName,
    contact: contact
      ? { id: contact.externalId, email: contact.email, phone: contact.phone, name: contact.name }
      : null,
    properties: response.properties,
    createdAt: response.createdAt,
    updatedAt: response.updatedAt,
  };
}

export type ResponseCursor = Keyset;
export type ResponseFilter = {
  surveyId?: string | undefined;
  segment?: Segment | undefined;
  channel?: ChannelName | undefined;
  hasComment?: boolean | undefined;
  /** An extra question's answer, compared as text (a rating's 2 matches "2"). */
  answer?: { id: string; value: string } | undefined;
  /** A copied event property's value, compared as text: store "Warsaw", total "129.9". */
  property?: { path: readonly string[]; value: string } | undefined;
  /** Text anywhere in the comment (case-insensitive), or exactly the contact's id. */
  q?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  after?: ResponseCursor | undefined;
};

/** A segment is a score range that depends on the survey's kind (NPS detractor 0–6, CSAT 1–2, …). */
function inSegment(segment: Segment): SQL {
  const ranges = surveyKinds.map((kind) => {
    const [min, max] = segmentRange(kind, segment);
    return sql`(${surveys.kind} = ${kind} and ${responses.score} between ${min} and ${max})`;
  });
  return sql`(${sql.join(ranges, sql` or `)})`;
}

/** A path as a Postgres text[] literal, every element quoted: one parameter, never part of the SQL text. */
const textArray = (path: readonly string[]) =>
  `{${path.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

/**
 * `q` anywhere in the comment (case-insensitive; % and _ in it are literal), or exactly the contact's id. The
 * contact is found once through its unique index, so the newest-first scan stops as soon as a page is full.
 */
function textMatch(workspaceId: string, q: string): SQL {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`(${responses.comment} ilike ${like} or ${responses.contactId} = (
    select ${contacts.id} from ${contacts} where ${contacts.workspaceId} = ${workspaceId} and ${contacts.externalId} = ${q}))`;
}

/** The filters GET /v1/responses and its CSV export share. */
function responseConditions(workspaceId: string, f: Omit<ResponseFilter, 'limit'>) {
  return and(
    eq(responses.workspaceId, workspaceId),
    f.surveyId ? eq(responses.surveyId, f.surveyId) : undefined,
    f.segment ? inSegment(f.segment) : undefined,
    f.channel ? eq(responses.channel, f.channel) : undefined,
    f.hasComment === undefined
      ? undefined
      : f.hasComment
        ? sql`coalesce(${responses.comment}, '') <> ''`
        : sql`coalesce(${responses.comment}, '') = ''`,
    f.answer ? sql`${responses.answers} ->> ${f.answer.id} = ${f.answer.value}` : undefined,
    f.property
      ? sql`${responses.properties} #>> ${textArray(f.property.path)}::text[] = ${f.property.value}`
      : undefined,
    f.q ? textMatch(workspaceId, f.q) : undefined,
    f.from ? gte(responses.createdAt, f.from) : undefined,
    f.to ? lt(responses.createdAt, f.to) : undefined,
    before(responses.createdAt, responses.id, f.after),
  );
}

/** GET /v1/responses: newest first, keyset-paged on (created_at, id) so pages never skip or repeat. */
export async function listResponses({ db }: Database, workspaceId: string, f: ResponseFilter) {
  const rows = await db
    .select({
      response: responses,
      cursorAt: keysetAt(responses.createdAt),
      contact: contacts,
      surveyKind: surveys.kind,
      eventExternalId: events.externalId,
      eventType: events.type,
      location: { id: locations.id, name: locations.name },
    })
    .from(responses)
    // Answers at a location code are anonymous: no contact, a place instead.
    .leftJoin(contacts, eq(contacts.id, responses.contactId))
    .leftJoin(locations, eq(locations.id, responses.locationId))
    .innerJoin(surveys, eq(surveys.id, responses.surveyId))
    .leftJoin(events, eq(events.id, responses.eventId))
    .where(responseConditions(workspaceId, f))
    .orderBy(desc(responses.createdAt), desc(responses.id))
    .limit(f.limit + 1);
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/** Every matching response, newest first, a page at a time: memory stays flat however many there are. */
export async function* eachResponse(
  database: Database,
  workspaceId: string,
  f: Omit<ResponseFilter, 'limit' | 'after'>,
  pageSize = 1000,
) {
  let after: ResponseCursor | undefined;
  for (;;) {
    const { rows, hasMore } = await listResponses(database, workspaceId, { ...f, limit: pageSize, after });
    yield* rows;
    const last = rows.at(-1);
    if (!hasMore || !last) return;
    after = { at: last.cursorAt, id: last.response.id };
  }
}

/** Counts per score, the input every summary in scoring.ts takes; read from the rollups (exactly the answers' counts). */
export async function scoreHistogram(
  database: Database,
  workspaceId: string,
  f: { surveyId: string; from?: Date | undefined; to?: Date | undefined },
): Promise<Map<number, number>> {
  const histogram = new Map<number, number>();
  for (const { score, n } of await rolledUpCounts(database, workspaceId, f)) {
    histogram.set(score, (histogram.get(score) ?? 0) + n);
  }
  return histogram;
}

/** How a survey's answers may be split: by UTC period of created_at, by channel, or by a copied event property. */
export type ResponseGrouping =
  | { by: 'day' | 'week' | 'month' | 'channel' }
  | { by: 'property'; path: readonly string[] };

export type GroupHistogram = { key: string | null; histogram: Map<number, number> };

/** The group key as text; a property path is a text[] parameter, never part of the SQL text. */
function groupKey(raw: Sql, g: ResponseGrouping) {
  if (g.by === 'channel') return raw`channel`;
  if (g.by === 'property') return raw`properties #>> ${raw.array([...g.path])}::text[]`;
  return raw`to_char(date_trunc(${g.by}, created_at at time zone 'UTC'), 'YYYY-MM-DD')`;
}

/**
 * scoreHistogram per group, ordered by key (null last), in one query. At most maxGroups groups;
 * hasMore says there were more, so a caller can refuse rather than show a silently partial answer.
 */
export async function groupedScoreHistograms(
  database: Database,
  workspaceId: string,
  f: {
    surveyId: string;
    from?: Date | undefined;
    to?: Date | undefined;
    groupBy: ResponseGrouping;
    maxGroups: number;
  },
): Promise<{ groups: GroupHistogram[]; hasMore: boolean }> {
  const g = f.groupBy;
  const property = g.by === 'property' ? g.path.join('.') : undefined;
  // Periods and channels are rolled up, and the properties the survey names in rollup_properties; another property is
  // counted from the answers.
  if (property && !(await rollsUp(database, workspaceId, f.surveyId, property))) {
    return groupedScoreHistogramsRaw(database, workspaceId, f);
  }
  const bucket =
    g.by === 'channel' || g.by === 'property' ? undefined : { granularity: g.by, timeZone: 'UTC' };
  const groups = new Map<string | null, Map<number, number>>();
  for (const r of await rolledUpCounts(database, workspaceId, {
    ...f,
    bucket,
    byChannel: g.by === 'channel',
    property,
  })) {
    const key = g.by === 'channel' || g.by === 'property' ? r.key : (r.bucket ?? '');
    const histogram = groups.get(key) ?? new Map<number, number>();
    groups.set(key, histogram.set(r.score, (histogram.get(r.score) ?? 0) + r.n));
  }
  // Ordered as the raw query orders them (collate "C": by UTF-8 byte, which is code point order; null last), scores ascending.
  const all = [...groups]
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([key, histogram]) => ({ key, histogram: new Map([...histogram].sort(([a], [b]) => a - b)) }));
  return { groups: all.slice(0, f.maxGroups), hasMore: all.length > f.maxGroups };
}

/** Does the survey keep this property's breakdown in response_property_rollups? */
async function rollsUp({ sql: raw }: Database, workspaceId: string, surveyId: string, property: string) {
  const [row] = await raw<{ yes: boolean }[]>`
    select ${property} = any(rollup_properties) as yes from surveys
      where workspace_id = ${workspaceId} and id = ${surveyId}`;
  return row?.yes === true;
}

/** Text as collate "C" orders it in a UTF-8 database (by byte), null after every text. */
function byCodePoint(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * groupedScoreHistograms counted from the answers themselves: what the rollups must equal (the property tests read it),
 * and how an event property is grouped.
 */
export async function groupedScoreHistogramsRaw(
  { sql: raw }: Database,
  workspaceId: string,
  f: {
    surveyId: string;
    from?: Date | undefined;
    to?: Date | undefined;
    groupBy: ResponseGrouping;
    maxGroups: number;
  },
): Promise<{ groups: GroupHistogram[]; hasMore: boolean }> {
  const rows = await raw<{ key: string | null; score: number; n: number }[]>`
    with counted as (
      select ${groupKey(raw, f.groupBy)} as key, score, count(*)::int as n
        from responses
        where workspace_id = ${workspaceId} and survey_id = ${f.surveyId}
          ${f.from ? raw`and created_at >= ${f.from.toISOString()}::timestamptz` : raw``}
          ${f.to ? raw`and created_at < ${f.to.toISOString()}::timestamptz` : raw``}
        group by 1, 2
    ), ranked as (
      select key, score, n, dense_rank() over (order by key collate "C" nulls last) as rank from counted
    )
    select key, score, n from ranked where rank <= ${f.maxGroups + 1} order by rank, score`;
  const groups = new Map<string | null, Map<number, number>>();
  for (const { key, score, n } of rows) {
    const histogram = groups.get(key) ?? new Map<number, number>();
    groups.set(key, histogram.set(score, n));
  }
  const all = [...groups].map(([key, histogram]) => ({ key, histogram }));
  return { groups: all.slice(0, f.maxGroups), hasMore: all.length > f.maxGroups };
}
