// /v1/triggers: which events invite whom to which survey — filter, channels, delay, send window,
// throttle, sampling, dedupe — and a dry run that explains the decision without storing anything.
import {
  type AppContext,
  AppError,
  createTrigger,
  deleteTrigger,
  dryRunTrigger,
  fieldPattern,
  filterSchema,
  getSurvey,
  getTrigger,
  isValidDuration,
  listTriggers,
  schema,
  sendWindowSchema,
  skipReasons,
  updateTrigger,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseEvent } from './events.ts';
import { idParam } from './surveys.ts';

const fields = {
  surveyId: z.uuid('must be a UUID'),
  name: z.string().trim().min(1).max(200),
  eventTypes: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be an event type such as order.delivered'))
    .min(1)
    .max(50),
  /** In order of preference: the first the contact has an address for is used. */
  channels: z
    .array(z.enum(schema.channels))
    .min(1)
    .refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  delay: z
    .string()
    .refine(isValidDuration, 'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D'),
  throttleDays: z.number().int().min(0).max(365),
  filter: filterSchema.nullable(),
  sendWindow: sendWindowSchema.nullable(),
  sampleRate: z.number().min(0).max(1),
  dedupeKey: z.string().regex(fieldPattern, 'must be a field such as properties.orderId').nullable(),
  cancelOn: z
    .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be an event type such as order.refunded'))
    .max(20),
  reminderCount: z.number().int().min(0).max(3),
  reminderAfterDays: z.number().int().min(1).max(30),
  expireAfter: z
    .string()
    .refine(isValidDuration, 'must be a non-negative ISO 8601 duration such as P7D')
    .nullable(),
  enabled: z.boolean(),
};

const cancelNeedsKey = (t: { cancelOn?: string[] | undefined; dedupeKey?: string | null | undefined }) =>
  !t.cancelOn?.length || Boolean(t.dedupeKey);
const cancelNeedsKeyIssue = {
  message: 'needs a dedupeKey: it is how a refund finds the invitation of its order',
  path: ['cancelOn'],
};

const createSchema = z
  .object({
    ...fields,
    name: fields.name.optional(),
    channels: fields.channels.default(['email']),
    delay: fields.delay.default('PT0S'),
    throttleDays: fields.throttleDays.default(30),
    filter: fields.filter.default(null),
    sendWindow: fields.sendWindow.default(null),
    sampleRate: fields.sampleRate.default(1),
    dedupeKey: fields.dedupeKey.default(null),
    cancelOn: fields.cancelOn.default([]),
    reminderCount: fields.reminderCount.default(0),
    reminderAfterDays: fields.reminderAfterDays.default(3),
    expireAfter: fields.expireAfter.default('P7D'),
    enabled: fields.enabled.default(true),
  })
  .refine(cancelNeedsKey, cancelNeedsKeyIssue);
const patchSchema = z.object(fields).partial().strict();

export function triggerRoutes(app: FastifyInstance, ctx: AppContext) {
  const requireSurvey = async (workspaceId: string, surveyId: string) => {
    if (!(await getSurvey(ctx.database, workspaceId, surveyId))) {
      throw AppError.validation([{ field: 'surveyId', message: 'no survey with this id in your workspace' }]);
    }
  };

  app.post('/v1/triggers', async (request, reply) => {
    const input = parseInput(createSchema, request.body);
    await requireSurvey(request.workspaceId, input.surveyId);
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

  app.patch('/v1/triggers/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const changes = parseInput(patchSchema, request.body);
    if (changes.surveyId) await requireSurvey(request.workspaceId, changes.surveyId);
    const current = await getTrigger(ctx.database, request.workspaceId, id);
    if (!current) throw AppError.notFound(`Trigger ${id}`);
    if (!cancelNeedsKey({ ...current, ...changes })) {
      throw AppError.validation([{ field: 'cancelOn', message: cancelNeedsKeyIssue.message }]);
    }
    const trigger = await updateTrigger(ctx.database, request.workspaceId, id, changes);
    if (!trigger) throw AppError.notFound(`Trigger ${id}`);
    return trigger;
  });

  app.delete('/v1/triggers/:id', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    if (!(await deleteTrigger(ctx.database, request.workspaceId, id)))
      throw AppError.notFound(`Trigger ${id}`);
    return reply.status(204).send();
  });

  app.post('/v1/triggers/:id/test', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const event = parseEvent(request.body, ctx.clock.now());
    const decision = await dryRunTrigger(ctx.database, ctx.clock.now(), request.workspaceId, id, event);
    if (!decision) throw AppError.notFound(`Trigger ${id}`);
    return decision.outcome === 'invited'
      ? {
          decision: 'invite',
          channel: decision.channel,
          sendAt: decision.sendAt,
          surveyId: decision.surveyId,
        }
      : {
          decision: 'skip',
          reason: decision.reason,
          explanation: skipReasons[decision.reason],
          detail: decision.detail,
        };
  });
}
