// /v1/triggers: which events invite whom to which survey — filter, channels, delay, send window,
// throttle, sampling, dedupe — and a dry run that explains the decision without storing anything.
import {
  type AppContext,
  AppError,
  createTrigger,
  deleteTrigger,
  dryRunTrigger,
  getSurvey,
  getTrigger,
  listTriggers,
  skipReasons,
  updateTrigger,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { EventInput } from '../schemas/events.ts';
import {
  cancelNeedsKey,
  cancelNeedsKeyIssue,
  TriggerInput,
  TriggerPatch,
  TriggerTestResult,
  TriggerView,
} from '../schemas/surveys.ts';
import { toIncomingEvent } from './events.ts';

const tags = ['triggers'];
const security = [{ apiKey: [] }];

export function triggerRoutes(app: HttpApp, ctx: AppContext) {
  const requireSurvey = async (workspaceId: string, surveyId: string) => {
    if (!(await getSurvey(ctx.database, workspaceId, surveyId))) {
      throw AppError.validation([{ field: 'surveyId', message: 'no survey with this id in your workspace' }]);
    }
  };

  app.post(
    '/v1/triggers',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Create a trigger',
        description:
          'Which events invite whom to which survey, when, and how often (see Contact rules in the README).',
        body: TriggerInput,
        response: { 201: TriggerView, ...errors },
      },
    },
    async (request, reply) => {
      const input = request.body;
      await requireSurvey(request.workspaceId, input.surveyId);
      const trigger = await createTrigger(
        ctx.database,
        request.workspaceId,
        {
          ...input,
          name: input.name ?? `${input.eventTypes.join(', ')} → survey`,
        },
        actorOf(request),
      );
      return reply.status(201).send(trigger);
    },
  );

  app.get(
    '/v1/triggers',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List triggers',
        response: { 200: z.object({ data: z.array(TriggerView) }), ...errors },
      },
    },
    async (request) => ({ data: await listTriggers(ctx.database, request.workspaceId) }),
  );

  app.get(
    '/v1/triggers/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'One trigger',
        params: IdParams,
        response: { 200: TriggerView, ...errors },
      },
    },
    async (request) => {
      const trigger = await getTrigger(ctx.database, request.workspaceId, request.params.id);
      if (!trigger) throw AppError.notFound(`Trigger ${request.params.id}`);
      return trigger;
    },
  );

  app.patch(
    '/v1/triggers/:id',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Change a trigger',
        params: IdParams,
        body: TriggerPatch,
        response: { 200: TriggerView, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const changes = request.body;
      if (changes.surveyId) await requireSurvey(request.workspaceId, changes.surveyId);
      const current = await getTrigger(ctx.database, request.workspaceId, id);
      if (!current) throw AppError.notFound(`Trigger ${id}`);
      if (!cancelNeedsKey({ ...current, ...changes })) {
        throw AppError.validation([{ field: 'cancelOn', message: cancelNeedsKeyIssue.message }]);
      }
      const trigger = await updateTrigger(ctx.database, request.workspaceId, id, changes, actorOf(request));
      if (!trigger) throw AppError.notFound(`Trigger ${id}`);
      return trigger;
    },
  );

  app.delete(
    '/v1/triggers/:id',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Delete a trigger',
        params: IdParams,
        response: { 204: z.null().meta({ description: 'deleted' }), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await deleteTrigger(ctx.database, request.workspaceId, request.params.id, actorOf(request))))
        throw AppError.notFound(`Trigger ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/triggers/:id/test',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Dry run: would this event invite, and when?',
        description:
          'An event in, the decision out (invite with channel and send time, or skip with reason and detail); nothing is stored or sent.',
        params: IdParams,
        body: EventInput,
        response: { 200: TriggerTestResult, ...errors },
      },
    },
    async (request) => {
      const now = ctx.clock.now();
      const event = toIncomingEvent(request.body, now);
      const decision = await dryRunTrigger(ctx.database, now, request.workspaceId, request.params.id, event);
      if (!decision) throw AppError.notFound(`Trigger ${request.params.id}`);
      return decision.outcome === 'invited'
        ? {
            decision: 'invite' as const,
            channel: decision.channel,
            sendAt: decision.sendAt,
            surveyId: decision.surveyId,
          }
        : {
            decision: 'skip' as const,
            reason: decision.reason,
            explanation: skipReasons[decision.reason],
            detail: decision.detail,
          };
    },
  );
}
