// /v1/metrics: a survey's score with its counts and 95 % confidence interval over a period.
import {
  type AppContext,
  AppError,
  getSurvey,
  parseInput,
  scoreHistogram,
  summarize,
} from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { periodQuery } from './responses.ts';

const query = z
  .object({ surveyId: z.uuid('must be a UUID'), ...periodQuery })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export function metricRoutes(app: FastifyInstance, ctx: AppContext) {
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
