// /v1/surveys: what is asked (NPS, CSAT or CES), in which words per locale, the "why?" that follows, and what happens per segment.
import {
  type AppContext,
  AppError,
  actionsSchema,
  createSurvey,
  defaultActions,
  defaultFollowupQuestion,
  getSurvey,
  listSurveys,
  requirePublicUrl,
  type SurveyAction,
  surveyKinds,
  updateSurvey,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
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
  /** What happens after an answer, per segment; the defaults (alert + case for detractors, …) when absent. */
  actions: actionsSchema.optional(),
});

const patchSchema = surveySchema.omit({ kind: true }).partial().strict();

export const idParam = z.object({ id: z.uuid('must be a UUID') });

export function surveyRoutes(app: FastifyInstance, ctx: AppContext) {
  /** Slack webhooks are requests we make on a tenant's say-so: public https hosts only. */
  async function requireSlackUrls(actions: SurveyAction[]) {
    for (const [i, action] of actions.entries()) {
      if (action.type === 'alert' && action.slackWebhookUrl) {
        await requirePublicUrl(
          action.slackWebhookUrl,
          `actions[${i}].slackWebhookUrl`,
          ctx.config.OUTBOUND_ALLOW_PRIVATE,
        );
      }
    }
  }

  app.post('/v1/surveys', async (request, reply) => {
    const input = parseInput(surveySchema, request.body);
    await requireSlackUrls(input.actions ?? []);
    const survey = await createSurvey(ctx.database, request.workspaceId, {
      ...input,
      followupQuestion: input.followupQuestion ?? defaultFollowupQuestion,
      actions: input.actions ?? defaultActions(),
    });
    return reply.status(201).send(survey);
  });

  // The kind is fixed once answers exist in its scale; everything else, actions included, may change.
  app.patch('/v1/surveys/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const changes = parseInput(patchSchema, request.body);
    await requireSlackUrls(changes.actions ?? []);
    const survey = await updateSurvey(ctx.database, request.workspaceId, id, changes);
    if (!survey) throw AppError.notFound(`Survey ${id}`);
    return survey;
  });

  app.get('/v1/surveys', async (request) => ({ data: await listSurveys(ctx.database, request.workspaceId) }));

  app.get('/v1/surveys/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const survey = await getSurvey(ctx.database, request.workspaceId, id);
    if (!survey) throw AppError.notFound(`Survey ${id}`);
    return survey;
  });
}
