// /v1/surveys: what is asked (NPS, CSAT or CES), in which words per locale, and the "why?" that follows.
import {
  type AppContext,
  AppError,
  createSurvey,
  defaultFollowupQuestion,
  getSurvey,
  listSurveys,
  parseInput,
  surveyKinds,
} from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

const localized = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'keys must be locales such as en, pl or pt-BR'),
    z.string().trim().min(1).max(500),
  )
  .refine((v) => Object.keys(v).length > 0, 'must have at least one locale, e.g. { "en": "…" }');

const surveySchema = z.object({
  kind: z.enum(surveyKinds),
  name: z.string().trim().min(1).max(200),
  question: localized,
  followupQuestion: localized.optional(),
});

export const idParam = z.object({ id: z.uuid('must be a UUID') });

export function surveyRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post('/v1/surveys', async (request, reply) => {
    const input = parseInput(surveySchema, request.body);
    const survey = await createSurvey(ctx.database, request.workspaceId, {
      ...input,
      followupQuestion: input.followupQuestion ?? defaultFollowupQuestion,
    });
    return reply.status(201).send(survey);
  });

  app.get('/v1/surveys', async (request) => ({ data: await listSurveys(ctx.database, request.workspaceId) }));

  app.get('/v1/surveys/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const survey = await getSurvey(ctx.database, request.workspaceId, id);
    if (!survey) throw AppError.notFound(`Survey ${id}`);
    return survey;
  });
}
