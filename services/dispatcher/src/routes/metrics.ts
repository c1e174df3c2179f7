// /v1/metrics: a survey's score with its counts and 95 % confidence interval, whole or per group; /v1/metrics/referrals: the recommendations that really happened.
import {
  type AppContext,
  AppError,
  fieldPattern,
  getSurvey,
  groupedScoreHistograms,
  type ResponseGrouping,
  referralMetrics,
  type SurveyKind,
  scoreHistogram,
  summarize,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { periodQuery } from './responses.ts';

/** A grouping by name: the same rules as a trigger filter's properties.<name> field. */
function toGrouping(name: string): ResponseGrouping | null {
  if (name === 'day' || name === 'week' || name === 'month' || name === 'channel') return { by: name };
  if (name.startsWith('properties.') && fieldPattern.test(name))
    return { by: 'property', path: name.split('.').slice(1) };
  return null;
}

const groupBy = z.string().transform((name, ctx) => {
  const grouping = toGrouping(name);
  if (grouping) return { name, grouping };
  ctx.addIssue({ code: 'custom', message: 'must be day, week, month, channel or properties.<name>' });
  return z.NEVER;
});

const query = z
  .object({ surveyId: z.uuid('must be a UUID'), ...periodQuery, groupBy: groupBy.optional() })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

const DAY_MS = 86_400_000;
/** More groups than this is a question asked too finely; the answer is a 400, not a cut list. */
const MAX_GROUPS = 500;

const referralQuery = z
  .object({ ...periodQuery, period: z.enum(['day', 'week', 'month']).default('week') })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export function metricRoutes(app: FastifyInstance, ctx: AppContext) {
  /**
   * Per period (UTC day, ISO week or month; the last 90 days by default): promoters, referral links
   * sent, clicks by people, and conversions (events that carried the code) — with the totals.
   */
  app.get('/v1/metrics/referrals', async (request) => {
    const q = parseInput(referralQuery, request.query);
    const to = q.to ?? ctx.clock.now();
    const from = q.from ?? new Date(to.getTime() - 90 * DAY_MS);
    const data = await referralMetrics(ctx.database, request.workspaceId, { from, to, period: q.period });
    const total = (k: 'promoters' | 'links' | 'clicks' | 'conversions') => data.reduce((n, r) => n + r[k], 0);
    return {
      from,
      to,
      period: q.period,
      totals: {
        promoters: total('promoters'),
        links: total('links'),
        clicks: total('clicks'),
        conversions: total('conversions'),
      },
      data,
    };
  });

  app.get('/v1/metrics', async (request) => {
    const q = parseInput(query, request.query);
    const survey = await getSurvey(ctx.database, request.workspaceId, q.surveyId);
    if (!survey) throw AppError.notFound(`Survey ${q.surveyId}`);
    const head = { surveyId: survey.id, from: q.from ?? null, to: q.to ?? null };
    if (!q.groupBy) {
      return {
        ...head,
        ...summarize(survey.kind, await scoreHistogram(ctx.database, request.workspaceId, q)),
      };
    }
    const groups = await groupSummaries(ctx, request.workspaceId, survey.kind, {
      ...q,
      groupBy: q.groupBy.grouping,
    });
    return { ...head, groupBy: q.groupBy.name, groups };
  });
}

/** Each group's key with its summary; too many groups is a 400 naming groupBy, never a silently cut list. */
async function groupSummaries(
  ctx: AppContext,
  workspaceId: string,
  kind: SurveyKind,
  f: { surveyId: string; from?: Date; to?: Date; groupBy: ResponseGrouping },
) {
  const { groups, hasMore } = await groupedScoreHistograms(ctx.database, workspaceId, {
    ...f,
    maxGroups: MAX_GROUPS,
  });
  if (hasMore) {
    throw AppError.validation([
      {
        field: 'groupBy',
        message: `more than ${MAX_GROUPS} groups: narrow the period or choose a coarser groupBy`,
      },
    ]);
  }
  return groups.map(({ key, histogram }) => ({ key, ...summarize(kind, histogram) }));
}
