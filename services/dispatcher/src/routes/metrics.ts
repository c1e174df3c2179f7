// /v1/metrics: a survey's score with its counts and 95 % confidence interval; /v1/metrics/referrals: the recommendations that really happened.
import {
  type AppContext,
  AppError,
  getSurvey,
  parseInput,
  referralMetrics,
  scoreHistogram,
  summarize,
} from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { periodQuery } from './responses.ts';

const query = z
  .object({ surveyId: z.uuid('must be a UUID'), ...periodQuery })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

const DAY_MS = 86_400_000;

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
    const histogram = await scoreHistogram(ctx.database, request.workspaceId, q);
    return {
      surveyId: survey.id,
      from: q.from ?? null,
      to: q.to ?? null,
      ...summarize(survey.kind, histogram),
    };
  });
}
