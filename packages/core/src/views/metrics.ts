// What the metrics API reads: the workspace's reliability rule, the answers CSI and comment themes are computed from.
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { ratingRange, type SurveyQuestion } from '../domain/questions.ts';
import { type Segment, segmentOf, segmentRange } from '../domain/scoring.ts';
import type { CsiAttribute, CsiRespondent } from '../domain/statistics/csi.ts';
import { defaultReliability, type ReliabilitySettings } from '../domain/statistics/reliability.ts';
import type { ThemeComment } from '../domain/statistics/themes.ts';
import type { Database } from '../store/client.ts';
import { contacts, responses, type SurveyKind, workspaces } from '../store/schema.ts';

/**
 * The most answers themes (20,000) and CSI (10,000: each of its 1,000 bootstrap resamples reads them
 * all) take, the newest: enough for a stable estimate, bounded in memory and time (measured on a shared
 * 2-core machine: CSI on 10,000 answers × 5 attributes 0.7–1.1 s, themes on 20,000 + 10,000 comments 0.8–1.0 s).
 */
export const metricsSampleLimit = 20_000;
export const csiSampleLimit = 10_000;

export type Period = { from?: Date | undefined; to?: Date | undefined };

/** The period of the same length that ends where this one starts. */
export function previousPeriod(p: { from: Date; to: Date }): { from: Date; to: Date } {
  const length = p.to.getTime() - p.from.getTime();
  return { from: new Date(p.from.getTime() - length), to: p.from };
}

export async function reliabilitySettings(
  { db }: Database,
  workspaceId: string,
): Promise<ReliabilitySettings> {
  const [row] = await db
    .select({ reliability: workspaces.reliability })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.reliability ?? defaultReliability;
}

const inPeriod = (p: Period) => [
  p.from ? gte(responses.createdAt, p.from) : undefined,
  p.to ? lt(responses.createdAt, p.to) : undefined,
];

/** The survey's rating questions as CSI attributes, on their own scales. */
export function csiAttributes(kind: SurveyKind, questions: readonly SurveyQuestion[]): CsiAttribute[] {
  return questions.flatMap((q) =>
    q.type === 'rating' ? [{ key: q.id, ...ratingRange(kind, q), importance: q.importance }] : [],
  );
}

/** Each answer's main score with its attribute ratings, newest first, at most csiSampleLimit. */
export async function csiRespondents(
  { db }: Database,
  workspaceId: string,
  f: { surveyId: string } & Period,
): Promise<{ respondents: CsiRespondent[]; capped: boolean }> {
  const rows = await db
    .select({ score: responses.score, answers: responses.answers })
    .from(responses)
    .where(
      and(
        eq(responses.workspaceId, workspaceId),
        eq(responses.surveyId, f.surveyId),
        sql`${responses.answers} <> '{}'::jsonb`,
        ...inPeriod(f),
      ),
    )
    .orderBy(desc(responses.createdAt))
    .limit(csiSampleLimit + 1);
  const respondents = rows.slice(0, csiSampleLimit).map((r) => ({
    overall: r.score,
    ratings: Object.fromEntries(
      Object.entries(r.answers).filter((e): e is [string, number] => typeof e[1] === 'number'),
    ),
  }));
  return { respondents, capped: rows.length > csiSampleLimit };
}

/** The comments of a period (optionally one segment), newest first, with the contact's locale for stemming. */
export async function themeComments(
  { db }: Database,
  workspaceId: string,
  f: { surveyId: string; kind: SurveyKind; segment?: Segment | undefined } & Period,
): Promise<ThemeComment[]> {
  const range = f.segment ? segmentRange(f.kind, f.segment) : null;
  const rows = await db
    .select({ id: responses.id, text: responses.comment, score: responses.score, locale: contacts.locale })
    .from(responses)
    .leftJoin(contacts, eq(contacts.id, responses.contactId))
    .where(
      and(
        eq(responses.workspaceId, workspaceId),
        eq(responses.surveyId, f.surveyId),
        sql`coalesce(${responses.comment}, '') <> ''`,
        range ? sql`${responses.score} between ${range[0]} and ${range[1]}` : undefined,
        ...inPeriod(f),
      ),
    )
    .orderBy(desc(responses.createdAt), desc(responses.id))
    .limit(metricsSampleLimit);
  return rows.map((r) => ({
    id: r.id,
    text: r.text ?? '',
    segment: segmentOf(f.kind, r.score),
    locale: r.locale,
  }));
}
