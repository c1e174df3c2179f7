// Score counts read from response_rollups (per survey, UTC hour and channel; migration 0025) plus the raw answers of the
// hours a period or a zoned bucket cuts through: exactly what counting the answers gives, from a few thousand rows a year.
import { DateTime } from 'luxon';
import type { Database } from '../client.ts';
import { rollupScores } from '../schema.ts';

const HOUR_MS = 3_600_000;
const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
const ceilHour = (d: Date) => new Date(Math.ceil(d.getTime() / HOUR_MS) * HOUR_MS);

export type RollupGranularity = 'day' | 'week' | 'month';

/**
 * How a period [from, to) is read: whole UTC hours from the rollups (hours in [from, to) of the `hours` range, except
 * `exclude`), the rest (`raw` spans, [start, end)) from the answers. Split points are instants inside the period where a
 * bucket of the grouping starts (a day in Asia/Kolkata starts at :30 UTC): the hour holding one is read raw, so every
 * rolled-up hour lies in one bucket. Spans do not overlap, and together with the hours cover the period exactly.
 */
export function rollupSpans(
  period: { from?: Date | undefined; to?: Date | undefined },
  splitPoints: readonly Date[] = [],
): { hours: { from?: Date; to?: Date }; exclude: Date[]; raw: [Date, Date][] } {
  const { from, to } = period;
  if (from && to && from >= to) return { hours: { from, to: from }, exclude: [], raw: [] };
  const hours: { from?: Date; to?: Date } = {};
  const raw: [Date, Date][] = [];
  if (from) {
    hours.from = ceilHour(from);
    if (hours.from > from) raw.push([from, to && to < hours.from ? to : hours.from]);
  }
  if (to) {
    hours.to = floorHour(to);
    // When from and to share an hour, the span above already covers [from, to).
    if (hours.to < to && (!hours.from || hours.to >= hours.from)) raw.push([hours.to, to]);
  }
  const exclude = new Map<number, Date>();
  for (const point of splitPoints) {
    const hour = floorHour(point);
    if (hour.getTime() === point.getTime()) continue;
    if ((hours.from && hour < hours.from) || (hours.to && hour >= hours.to)) continue;
    exclude.set(hour.getTime(), hour);
  }
  const excluded = [...exclude.values()].sort((a, b) => a.getTime() - b.getTime());
  for (const hour of excluded) raw.push([hour, new Date(hour.getTime() + HOUR_MS)]);
  return { hours, exclude: excluded, raw };
}

/** Where the zone's day, ISO week or month buckets start inside [from, to): the split points of rollupSpans. */
export function bucketStarts(
  period: { from: Date; to: Date },
  granularity: RollupGranularity,
  timeZone: string,
): Date[] {
  if (timeZone === 'UTC') return []; // UTC buckets start on whole hours: nothing to split.
  const starts: Date[] = [];
  const end = DateTime.fromJSDate(period.to, { zone: timeZone });
  let at = DateTime.fromJSDate(period.from, { zone: timeZone }).startOf(granularity);
  for (; at < end; at = at.plus({ [`${granularity}s`]: 1 }).startOf(granularity)) {
    if (at.toMillis() > period.from.getTime()) starts.push(at.toJSDate());
  }
  return starts;
}

export type RolledUpCount = {
  surveyId: string;
  bucket: string | null;
  /** The channel (byChannel), the property's value (property; null: answers without it), else ''. */
  key: string | null;
  score: number;
  n: number;
};

/**
 * Answers counted per survey, score — per channel (byChannel) or per value of a property the survey rolls up (property, a
 * path such as store or address.city: response_property_rollups), and per day, ISO week or month in `bucket.timeZone` when
 * asked (the bucket is its start, YYYY-MM-DD) — for one survey or (no surveyId) every survey of the workspace, created in
 * [from, to). One statement: the rollup rows of the whole hours, the answers of the cut hours.
 */
export async function rolledUpCounts(
  { sql: raw }: Database,
  workspaceId: string,
  f: {
    surveyId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    bucket?: { granularity: RollupGranularity; timeZone: string } | undefined;
    /** Split by channel too (without it, key is '' in every row: fewer rows to add up). */
    byChannel?: boolean | undefined;
    /** Split by this rolled-up property's value instead (only for a survey whose rollup_properties hold it). */
    property?: string | undefined;
  },
): Promise<RolledUpCount[]> {
  const splits =
    f.bucket && f.from && f.to
      ? bucketStarts({ from: f.from, to: f.to }, f.bucket.granularity, f.bucket.timeZone)
      : [];
  const { hours, exclude, raw: spans } = rollupSpans(f, splits);
  const bucketOf = (column: 'hour' | 'created_at') =>
    f.bucket
      ? raw`date_trunc(${f.bucket.granularity}, ${raw(column)} at time zone ${f.bucket.timeZone})`
      : raw`null::timestamp`;
  const survey = f.surveyId ? raw`and survey_id = ${f.surveyId}` : raw``;
  const property = f.property;
  const table = property ? raw`response_property_rollups` : raw`response_rollups`;
  const ofProperty = property ? raw`and property = ${property}` : raw``;
  const rolledKey = property ? raw`value` : f.byChannel ? raw`channel` : raw`''::text`;
  const rawKey = property
    ? raw`properties #>> ${raw.array(property.split('.'))}::text[]`
    : f.byChannel
      ? raw`channel`
      : raw`''::text`;
  const iso = (d: Date) => d.toISOString();
  // A timestamptz[] as one text parameter (ISO instants hold no commas or quotes); postgres.js cannot type an empty array.
  const instants = (ds: Date[]) => `{${ds.map(iso).join(',')}}`;
  // Fixed column lists (n0…n10), no input in them.
  const sums = raw.unsafe(rollupScores.map((s) => `sum(n${s})::int as n${s}`).join(', '));
  const pairs = raw.unsafe(rollupScores.map((s) => `(${s}, n${s})`).join(', '));
  const rows = await raw<
    { survey_id: string; bucket: string | null; key: string | null; score: number; n: number }[]
  >`
    with rolled as (
      select survey_id, ${bucketOf('hour')} as bucket, ${rolledKey} as key, ${sums}
        from ${table}
        where workspace_id = ${workspaceId} ${survey} ${ofProperty}
          ${hours.from ? raw`and hour >= ${iso(hours.from)}::timestamptz` : raw``}
          ${hours.to ? raw`and hour < ${iso(hours.to)}::timestamptz` : raw``}
          ${exclude.length ? raw`and hour <> all(${instants(exclude)}::timestamptz[])` : raw``}
        group by 1, 2, 3
    ), counted as (
      select survey_id, bucket, key, v.score, v.n
        from rolled cross join lateral (values ${pairs}) as v(score, n)
        where v.n <> 0
      union all
      select a.survey_id, a.bucket, a.key, a.score, count(*)::int
        from unnest(${instants(spans.map(([s]) => s))}::timestamptz[], ${instants(spans.map(([, e]) => e))}::timestamptz[]) as span(s, e)
        cross join lateral (
          select survey_id, ${bucketOf('created_at')} as bucket, ${rawKey} as key, score from responses
            where workspace_id = ${workspaceId} ${survey} and created_at >= span.s and created_at < span.e
        ) a
        group by 1, 2, 3, 4
    )
    select survey_id, to_char(bucket, 'YYYY-MM-DD') as bucket, key, score, sum(n)::int as n
      from counted group by survey_id, bucket, key, score having sum(n) <> 0`;
  return rows.map((r) => ({
    surveyId: r.survey_id,
    bucket: r.bucket,
    key: r.key,
    score: r.score,
    n: r.n,
  }));
}
