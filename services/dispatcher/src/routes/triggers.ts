// /v1/triggers: which events invite whom to which survey, by which channel, after what delay, how rarely.
import {
  type AppContext,
  AppError,
  createTrigger,
  getSurvey,
  getTrigger,
  isValidDuration,
  listTriggers,
  parseInput,
} from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idParam } from './surveys.ts';

const triggerSchema = z.object({
  surveyId: z.uuid('must be a UUID'),
  name: z.string().trim().min(1).max(200).optional(),
  eventTypes: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be an event type such as order.delivered'))
    .min(1)
    .max(50),
  channels: z
    .array(z.enum(['email']))
    .min(1)
    .default(['email']),
  delay: z
    .string()
    .refine(isValidDuration, 'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D')
    .default('PT0S'),
  throttleDays: z.number().int().min(0).max(365).default(30),
  enabled: z.boolean().default(true),
});

export function triggerRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post('/v1/triggers', async (request, reply) => {
    const input = parseInput(triggerSchema, request.body);
    if (!(await getSurvey(ctx.database, request.workspaceId, input.surveyId))) {
      throw AppError.validation([{ field: 'surveyId', message: 'no survey with this id in your workspace' }]);
    }
    const trigger = await createTrigger(ctx.database, request.workspaceId, {
      ...input,
      name: input.name ?? `${input.eventTypes.join(', ')} → survey`,
    });
    return reply.status(201).send(trigger);
  });

  app.get('/v1/triggers', async (request) => ({
    data: await listTriggers(ctx.database, request.workspaceId),
  }));

  app.get('/v1/triggers/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const trigger = await getTrigger(ctx.database, request.workspaceId, id);
    if (!trigger) throw AppError.notFound(`Trigger ${id}`);
    return trigger;
  });
}
