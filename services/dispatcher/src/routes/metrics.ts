// /v1/metrics: a survey's score with its counts and 95 % confidence interval, whole or per group; /v1/metrics/referrals: the recommendations that really happened.
import {
  type AppContext,
  AppError,
  getSurvey,
  groupedScoreHistograms,
  type ResponseGrouping,
  referralMetrics,
  type SurveyKind,
  scoreHistogram,
  summarize,
} from '@surveyflow/core';
import { errors, type HttpApp } from '@surveyflow/http';
import { MetricsQuery, MetricsResult, ReferralMetrics, ReferralQuery } from '../schemas/metrics.ts';

const tags = ['metrics'];
const security = [{ apiKey: [] }];
const DAY_MS = 86_400_000;
/** More groups than this is a question asked too finely; the answer is a 400, not a cut list. */
const MAX_GROUPS = 500;

export function metricRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/metrics/referrals',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'Referral outcomes per period',
        description:
          'Per UTC day, ISO week or month (default week, the last 90 days): promoters, referral links sent, clicks by people (once a day), conversions — with the totals.',
        querystring: ReferralQuery,
        response: { 200: ReferralMetrics, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? ctx.clock.now();
      const from = q.from ?? new Date(to.getTime() - 90 * DAY_MS);
      const data = await referralMetrics(ctx.database, request.workspaceId, { from, to, period: q.period });
      const total = (k: 'promoters' | 'links' | 'clicks' | 'conversions') =>
        data.reduce((n, r) => n + r[k], 0);
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
    },
  );

  app.get(
    '/v1/metrics',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: "A survey's score with its 95 % interval, whole or per group",
        description:
          'NPS: counts, score −100…100, adjusted-Wald interval. CSAT: % satisfied (4–5) with its Wilson interval, and the mean. CES: mean (1–7) with its t interval, and the share of easy (5–7). `groupBy=day|week|month|channel|properties.<name>` answers one summary per group.',
        querystring: MetricsQuery,
        response: { 200: MetricsResult, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
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
    },
  );
}

/** Each group's key with its summary; too many groups is a 400 naming groupBy, never a silently cut list. */
async function groupSummaries(
  ctx: AppContext,
  workspaceId: string,
  kind: SurveyKind,
  f: { surveyId: string; from?: Date | undefined; to?: Date | undefined; groupBy: ResponseGrouping },
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
