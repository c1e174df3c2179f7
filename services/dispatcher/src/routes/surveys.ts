// /v1/surveys: what is asked (NPS, CSAT or CES), in which words per locale, the "why?" that follows, and what happens per segment.
import {
  type AppContext,
  AppError,
  createSurvey,
  defaultActions,
  defaultFollowupQuestion,
  getSurvey,
  listSurveys,
  requirePublicUrl,
  type SurveyAction,
  updateSurvey,
} from '@surveyflow/core';
import { errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { SurveyInput, SurveyPatch, SurveyView } from '../schemas/surveys.ts';

const tags = ['surveys'];
const security = [{ apiKey: [] }];

export function surveyRoutes(app: HttpApp, ctx: AppContext) {
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

  app.post(
    '/v1/surveys',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Create a survey',
        description:
          '`{company}` in a question becomes the workspace name. Without `actions`, detractors raise an alert and a case (and are told someone is on it), passives are asked what would move them up the survey’s own scale (NPS: a 10, CSAT: a 5, CES: easier), promoters are thanked with a referral link.',
        body: SurveyInput,
        response: { 201: SurveyView, ...errors },
      },
    },
    async (request, reply) => {
      const input = request.body;
      await requireSlackUrls(input.actions ?? []);
      const survey = await createSurvey(
        ctx.database,
        request.workspaceId,
        {
          ...input,
          followupQuestion: input.followupQuestion ?? defaultFollowupQuestion,
          actions: input.actions ?? defaultActions(input.kind),
        },
        actorOf(request),
      );
      return reply.status(201).send(survey);
    },
  );

  // The kind is fixed once answers exist in its scale; everything else, actions included, may change.
  app.patch(
    '/v1/surveys/:id',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Change a survey (not its kind)',
        params: IdParams,
        body: SurveyPatch,
        response: { 200: SurveyView, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireSlackUrls(request.body.actions ?? []);
      const survey = await updateSurvey(
        ctx.database,
        request.workspaceId,
        id,
        request.body,
        actorOf(request),
      );
      if (!survey) throw AppError.notFound(`Survey ${id}`);
      return survey;
    },
  );

  app.get(
    '/v1/surveys',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List surveys',
        response: { 200: z.object({ data: z.array(SurveyView) }), ...errors },
      },
    },
    async (request) => ({ data: await listSurveys(ctx.database, request.workspaceId) }),
  );

  app.get(
    '/v1/surveys/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'One survey',
        params: IdParams,
        response: { 200: SurveyView, ...errors },
      },
    },
    async (request) => {
      const survey = await getSurvey(ctx.database, request.workspaceId, request.params.id);
      if (!survey) throw AppError.notFound(`Survey ${request.params.id}`);
      return survey;
    },
  );
}
