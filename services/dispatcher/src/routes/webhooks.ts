// /v1/webhooks: endpoints that hear about events (signed per Standard Webhooks), their delivery log, and switching them back on.
import {
  type AppContext,
  AppError,
  createWebhook,
  deleteWebhook,
  enableWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  requirePublicUrl,
  schema,
  type Webhook,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idParam } from './surveys.ts';

const createSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000),
  eventTypes: z
    .array(
      z.enum(schema.webhookEventTypes, {
        error: `must be one of ${schema.webhookEventTypes.join(', ')}`,
      }),
    )
    .min(1, 'must name at least one event type')
    .transform((types) => [...new Set(types)]),
});

const deliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

/** The secret is never shown again after creation. */
const view = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  eventTypes: w.eventTypes,
  enabled: w.disabledAt === null,
  disabledAt: w.disabledAt,
  disabledReason: w.disabledReason,
  consecutiveFailures: w.consecutiveFailures,
  createdAt: w.createdAt,
});

export function webhookRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post('/v1/webhooks', async (request, reply) => {
    const input = parseInput(createSchema, request.body);
    await requirePublicUrl(input.url, 'url', ctx.config.OUTBOUND_ALLOW_PRIVATE);
    const webhook = await createWebhook(ctx.database, request.workspaceId, input);
    return reply.status(201).send({ ...view(webhook), secret: webhook.secret });
  });

  app.get('/v1/webhooks', async (request) => ({
    data: (await listWebhooks(ctx.database, request.workspaceId)).map(view),
  }));

  app.get('/v1/webhooks/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const webhook = await getWebhook(ctx.database, request.workspaceId, id);
    if (!webhook) throw AppError.notFound(`Webhook ${id}`);
    return view(webhook);
  });

  app.delete('/v1/webhooks/:id', async (request, reply) => {
    const { id } = parseInput(idParam, request.params);
    if (!(await deleteWebhook(ctx.database, request.workspaceId, id)))
      throw AppError.notFound(`Webhook ${id}`);
    return reply.status(204).send();
  });

  // After fixing the endpoint: deliveries still pending go out again; those failed while it was off do not.
  app.post('/v1/webhooks/:id/enable', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const webhook = await enableWebhook(ctx.database, request.workspaceId, id);
    if (!webhook) throw AppError.notFound(`Webhook ${id}`);
    return view(webhook);
  });

  app.get('/v1/webhooks/:id/deliveries', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const { limit } = parseInput(deliveriesQuery, request.query);
    const deliveries = await listWebhookDeliveries(ctx.database, request.workspaceId, id, { limit });
    if (!deliveries) throw AppError.notFound(`Webhook ${id}`);
    return {
      data: deliveries.map((d) => ({
        id: d.id,
        eventType: d.eventType,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
        deliveredAt: d.deliveredAt,
        createdAt: d.createdAt,
        log: d.log.map((a) => ({
          attempt: a.attempt,
          statusCode: a.statusCode,
          error: a.error,
          durationMs: a.durationMs,
          at: a.createdAt,
        })),
      })),
    };
  });
}
