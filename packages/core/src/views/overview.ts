// The console's overview of one survey and period: score with interval and n, change against the period before, trend in the
// workspace's zone, segments, breakdowns by channel and event property, the referral funnel, overdue cases. Read queries live here;
// the statistics are the API's own (readableSummary, comparedSummaries), so the page and GET /v1/metrics agree.
import { DateTime } from 'luxon';
import { type Histogram, type Segment, segmentOf } from '../domain/scoring.ts';
import {
  comparedSummaries,
  type ReliabilitySettings,
  readableSummary,
} from '../domain/statistics/reliability.ts';
import { AppError } from '../errors.ts';
import type { Database } from '../store/client.ts';
import { rolledUpCounts } from '../store/queries/rollups.ts';
import type { SurveyKind } from '../store/schema.ts';
import { previousPeriod, reliabilitySettings } from './metrics.ts';
import { referralMetrics } from './referrals.ts';
import { groupedScoreHistograms, scoreHistogram } from './responses.ts';

export type Granularity = 'day' | 'week' | 'month';
export const granularities = ['day', 'week', 'month'] as const satisfies readonly Granularity[];
/** The periods the overview offers; `custom` takes from–to dates. */
export const overviewRanges = ['7d', '30d', '90d', 'custom'] as const;
export type OverviewRange = (typeof overviewRanges)[number];

/** A chart of more points than this is a question asked too finely: a 400 naming granularity. */
export const maxTrendPoints = 400;
/** Breakdowns show at most this many values (the rest are counted, not shown). */
export const maxBreakdownGroups = 50;
/** How many overdue cases the overview lists (the cases page has them all). */
const overdueShown = 5;
/** Property names are read from the newest answers only: enough to offer the names in use, bounded in time. */
const propertySample = 1000;

const DAY_MS = 86_400_000;

/**
 * The period a range means in the workspace's zone: the last 7, 30 or 90 days up to now, or whole days
 * from–to (both included). A custom range needs both dates, from not after to.
 */
export function overviewPeriod(input: {
  range: OverviewRange;
  from?: string | undefined;
  to?: string | undefined;
  now: Date;
  timeZone: string;
}): { from: Date; to: Date } {
  if (input.range !== 'custom') {
    const days = Number(input.range.slice(0, -1));
    return { from: new Date(input.now.getTime() - days * DAY_MS), to: input.now };
  }
  const from = dayStart(input.from, input.timeZone, 'from');
  const to = dayStart(input.to, input.timeZone, 'to', 1);
  if (to <= from) throw AppError.validation([{ field: 'to', message: 'must not be before from' }]);
  return { from, to };
}

/** The start of a day (YYYY-MM-DD) in the zone, `plusDays` later (1: the end of that day); a bad date is a 400 naming the field. */
export function dayStart(value: string | undefined, timeZone: string, field: string, plusDays = 0): Date {
  const d = value ? DateTime.fromISO(value, { zone: timeZone }) : null;
  if (!d?.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(value ?? '')) {
    throw AppError.validation([{ field, message: 'must be a date (YYYY-MM-DD)' }]);
  }
  return d.startOf('day').plus({ days: plusDays }).toJSDate();
}

/** Every bucket start (YYYY-MM-DD in the zone) from the one holding `from` to the one before `to`. */
export function trendBuckets(
  p: { from: Date; to: Date },
  granularity: Granularity,
  timeZone: string,
): string[] {
  const end = DateTime.fromJSDate(p.to, { zone: timeZone });
  const keys: string[] = [];
  for (
    let at = DateTime.fromJSDate(p.from, { zone: timeZone }).startOf(granularity);
    at < end;
    at = at.plus({ [`${granularity}s`]: 1 })
  ) {
    keys.push(at.toFormat('yyyy-MM-dd'));
    if (keys.length > maxTrendPoints) {
      throw AppError.validation([
        {
          field: 'granularity',
          message: `more than ${maxTrendPoints} points: choose a coarser granularity or a shorter period`,
        },
      ]);
    }
  }
  return keys;
}

/**
 * Score counts per day, ISO week or month of created_at in the workspace's zone and per channel, from the rollups (the
 * hours a day boundary cuts, as in Asia/Kolkata, from the answers): the period's histogram, its trend and its split by
 * channel all come from these rows.
 */
export async function zonedScoreCounts(
  database: Database,
  workspaceId: string,
  f: { surveyId: string; from: Date; to: Date; granularity: Granularity; timeZone: string },
): Promise<{ key: string; channel: string; score: number; n: number }[]> {
  const rows = await rolledUpCounts(database, workspaceId, {
    ...f,
    bucket: { granularity: f.granularity, timeZone: f.timeZone },
    byChannel: true,
  });
  return rows.map((r) => ({ key: r.bucket ?? '', channel: r.key ?? '', score: r.score, n: r.n }));
}

/** Adds n answers of a score to the histogram under key (made when missing). */
function add<K>(histograms: Map<K, Map<number, number>>, key: K, score: number, n: number) {
  const h = histograms.get(key) ?? new Map<number, number>();
  histograms.set(key, h.set(score, (h.get(score) ?? 0) + n));
}

/** The event property names in the survey's newest answers, for the breakdown picker. */
export async function responsePropertyNames(
  { sql: raw }: Database,
  workspaceId: string,
  surveyId: string,
): Promise<string[]> {
  const rows = await raw<{ name: string }[]>`
    select distinct k.name from (
      select properties from responses
        where workspace_id = ${workspaceId} and survey_id = ${surveyId}
        order by created_at desc limit ${propertySample}
    ) r, jsonb_object_keys(case jsonb_typeof(r.properties) when 'object' then r.properties else '{}' end) as k(name)
    order by 1 limit 100`;
  return rows.map((r) => r.name);
}

export type OverdueCase = {
  id: string;
  dueAt: Date;
  status: string;
  score: number;
  segment: Segment;
  comment: string | null;
  contact: { id: string; name: string | null; email: string | null } | null;
};

/** The workspace's unresolved cases past due, the longest overdue first (a few), and how many there are. */
export async function overdueCases(
  { sql: raw }: Database,
  workspaceId: string,
  now: Date,
): Promise<{ count: number; cases: OverdueCase[] }> {
  const at = now.toISOString();
  const [counted] = await raw<{ n: number }[]>`
    select count(*)::int as n from cases
      where workspace_id = ${workspaceId} and status <> 'resolved' and due_at <= ${at}::timestamptz`;
  const rows = await raw<
    {
      id: string;
      due_at: Date;
      status: string;
      score: number;
      kind: SurveyKind;
      comment: string | null;
      external_id: string | null;
      name: string | null;
      email: string | null;
    }[]
  >`
    select c.id, c.due_at, c.status, r.score, s.kind, r.comment, ct.external_id, ct.name, ct.email
      from cases c
      join responses r on r.id = c.response_id
      join surveys s on s.id = c.survey_id
      left join contacts ct on ct.id = c.contact_id
      where c.workspace_id = ${workspaceId} and c.status <> 'resolved' and c.due_at <= ${at}::timestamptz
      order by c.due_at, c.id
      limit ${overdueShown}`;
  return {
    count: counted?.n ?? 0,
    cases: rows.map((r) => ({
      id: r.id,
      dueAt: new Date(r.due_at),
      status: r.status,
      score: r.score,
      segment: segmentOf(r.kind, r.score),
      comment: r.comment,
      contact: r.external_id ? { id: r.external_id, name: r.name, email: r.email } : null,
    })),
  };
}

/** How many answers fell in each segment. */
function segmentCounts(kind: SurveyKind, h: Histogram): Record<Segment, number> {
  const counts: Record<Segment, number> = { detractor: 0, passive: 0, promoter: 0 };
  const pairs = h instanceof Map ? [...h] : Object.entries(h).map(([s, n]) => [Number(s), n] as const);
  for (const [score, n] of pairs) counts[segmentOf(kind, Number(score))] += Number(n);
  return counts;
}

const labelled = (
  kind: SurveyKind,
  settings: ReliabilitySettings,
  groups: { key: string | null; histogram: Histogram }[],
) => groups.map(({ key, histogram }) => ({ key, ...readableSummary(kind, histogram, settings) }));

/**
 * Everything the overview shows for one survey and period, read with the API's own functions: the score
 * (GET /v1/metrics), its change (compare=previous), the groups (groupBy=channel, properties.<name>),
 * the referral funnel (GET /v1/metrics/referrals, whole workspace) — plus the trend in the workspace's zone.
 */
export async function surveyOverview(
  database: Database,
  workspaceId: string,
  q: {
    survey: { id: string; kind: SurveyKind };
    period: { from: Date; to: Date };
    granularity: Granularity;
    timeZone: string;
    /** The event property to break the score down by (reading every answer's properties: only when asked). */
    property?: string | undefined;
  },
) {
  const { survey, period } = q;
  const propertyName = q.property;
  const buckets = trendBuckets(period, q.granularity, q.timeZone);
  const previous = previousPeriod(period);
  const filter = { surveyId: survey.id, ...period };
  const [settings, counts, before, property, propertyNames, referrals] = await Promise.all([
    reliabilitySettings(database, workspaceId),
    zonedScoreCounts(database, workspaceId, { ...filter, granularity: q.granularity, timeZone: q.timeZone }),
    scoreHistogram(database, workspaceId, { surveyId: survey.id, ...previous }),
    propertyName
      ? groupedScoreHistograms(database, workspaceId, {
          ...filter,
          groupBy: { by: 'property', path: propertyName.split('.') },
          maxGroups: maxBreakdownGroups,
        })
      : null,
    responsePropertyNames(database, workspaceId, survey.id),
    referralMetrics(database, workspaceId, { ...period, period: q.granularity }),
  ]);
  const whole = new Map<'all', Map<number, number>>();
  const trend = new Map<string, Map<number, number>>();
  const byChannel = new Map<string, Map<number, number>>();
  for (const { key, channel, score, n } of counts) {
    add(whole, 'all', score, n);
    add(trend, key, score, n);
    add(byChannel, channel, score, n);
  }
  const current = whole.get('all') ?? new Map<number, number>();
  // As groupBy=channel orders them: by key.
  const channels = [...byChannel]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, histogram]) => ({ key, histogram }));
  const sum = (k: 'promoters' | 'links' | 'clicks' | 'conversions') =>
    referrals.reduce((n, r) => n + r[k], 0);
  return {
    period,
    previous,
    settings,
    summary: readableSummary(survey.kind, current, settings),
    comparison: { ...previous, ...comparedSummaries(survey.kind, current, before, settings) },
    segments: segmentCounts(survey.kind, current),
    trend: labelled(
      survey.kind,
      settings,
      buckets.map((key) => ({ key, histogram: trend.get(key) ?? new Map<number, number>() })),
    ),
    channels: { groups: labelled(survey.kind, settings, channels), hasMore: false },
    property:
      propertyName && property
        ? {
            name: propertyName,
            groups: labelled(survey.kind, settings, property.groups),
            hasMore: property.hasMore,
          }
        : null,
    propertyNames,
    referrals: {
      promoters: sum('promoters'),
      links: sum('links'),
      clicks: sum('clicks'),
      conversions: sum('conversions'),
    },
  };
}

export type SurveyOverview = Awaited<ReturnType<typeof surveyOverview>>;
