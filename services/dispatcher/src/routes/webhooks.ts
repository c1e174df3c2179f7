// /v1/webhooks: endpoints that hear about events (signed per Standard Webhooks), their delivery log, and switching them back on.
import {
  type AppContext,
  AppError,
  createWebhook,
  deleteWebhook,
  disableWebhook,
  enableWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  requirePublicUrl,
  sendTestWebhook,
  updateWebhook,
  type Webhook,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import {
  DeliveriesQuery,
  DeliveryLog,
  TestSent,
  WebhookCreated,
  WebhookInput,
  WebhookPatch,
  WebhookView,
} from '../schemas/webhooks.ts';

const tags = ['webhooks'];
const security = [{ apiKey: [] }];

/** The secret is never shown again after creation. */
const view = (w: Webhook) => ({ ...w, enabled: w.disabledAt === null });

export function webhookRoutes(app: HttpApp, ctx: AppContext) {
  app.post(
    '/v1/webhooks',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: 'Subscribe an endpoint',
        description:
          'The answer carries the `whsec_` secret, shown only now. URLs must be public https hosts.',
        body: WebhookInput,
        response: { 201: WebhookCreated, ...errors },
      },
    },
    async (request, reply) => {
      await requirePublicUrl(request.body.url, 'url', ctx.config.OUTBOUND_ALLOW_PRIVATE);
      const webhook = await createWebhook(ctx.database, request.workspaceId, request.body, actorOf(request));
      return reply.status(201).send({ ...view(webhook), secret: webhook.secret });
    },
  );

  app.get(
    '/v1/webhooks',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: 'List endpoints',
        response: { 200: z.object({ data: z.array(WebhookView) }), ...errors },
      },
    },
    async (request) => ({ data: (await listWebhooks(ctx.database, request.workspaceId)).map(view) }),
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: 'One endpoint',
        params: IdParams,
        response: { 200: WebhookView, ...errors },
      },
    },
    async (request) => {
      const webhook = await getWebhook(ctx.database, request.workspaceId, request.params.id);
      if (!webhook) throw AppError.notFound(`Webhook ${request.params.id}`);
      return view(webhook);
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: 'Remove an endpoint',
        params: IdParams,
        response: { 204: z.null().meta({ description: 'removed' }), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await deleteWebhook(ctx.database, request.workspaceId, request.params.id, actorOf(request))))
        throw AppError.notFound(`Webhook ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  // After fixing the endpoint: deliveries still pending go out again; those failed while it was off do not.
  app.post(
    '/v1/webhooks/:id/enable',
    {
      config: { permission: 'webhooks.manage', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Switch a disabled endpoint back on',
        params: IdParams,
        response: { 200: WebhookView, ...errors },
      },
    },
    async (request) => {
      const webhook = await enableWebhook(
        ctx.database,
        request.workspaceId,
        request.params.id,
        actorOf(request),
      );
      if (!webhook) throw AppError.notFound(`Webhook ${request.params.id}`);
      return view(webhook);
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: "An endpoint's deliveries, each with every attempt",
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryLog, ...errors },
      },
    },
    async (request) => {
      const deliveries = await listWebhookDeliveries(
        ctx.database,
        request.workspaceId,
        request.params.id,
        request.query,
      );
      if (!deliveries) throw AppError.notFound(`Webhook ${request.params.id}`);
      return {
        next: deliveries.next,
        data: deliveries.data.map((d) => ({
          ...d,
          nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
          log: d.log.map((a) => ({ ...a, at: a.createdAt })),
        })),
      };
    },
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { permission: 'webhooks.manage' },
      schema: {
        tags,
        security,
        summary: 'Change an endpoint: its URL, its events, or switch it off or on',
        params: IdParams,
        body: WebhookPatch,
        response: { 200: WebhookView, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { url, eventTypes, enabled } = request.body;
      if (url !== undefined) await requirePublicUrl(url, 'url', ctx.config.OUTBOUND_ALLOW_PRIVATE);
      let webhook = await updateWebhook(
        ctx.database,
        request.workspaceId,
        id,
        { url, eventTypes },
        actorOf(request),
      );
      if (webhook && enabled === false) {
        webhook = await disableWebhook(
          ctx.database,
          request.workspaceId,
          id,
          `switched off by ${actorOf(request).label}`,
          ctx.clock.now(),
          actorOf(request),
        );
      }
      if (webhook && enabled === true)
        webhook = await enableWebhook(ctx.database, request.workspaceId, id, actorOf(request));
      if (!webhook) throw AppError.notFound(`Webhook ${id}`);
      return view(webhook);
    },
  );

  // The same path as real events: a delivery row, the worker's signed POST, its attempt in the log.
  app.post(
    '/v1/webhooks/:id/test',
    {
      config: { permission: 'webhooks.manage', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Send a signed webhook.test event to the endpoint',
        description:
          'Goes out at once, signed like every delivery (webhook-id, webhook-timestamp, webhook-signature), tried once, and appears in GET /v1/webhooks/:id/deliveries with its outcome. It does not count towards disabling the endpoint. A disabled endpoint answers 409: enable it first.',
        params: IdParams,
        response: { 202: TestSent, ...errors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await sendTestWebhook(
        ctx.database,
        request.workspaceId,
        request.params.id,
        ctx.clock.now(),
      );
      await ctx.queues.add('webhook.deliver', job);
      return reply.status(202).send({ deliveryId: job.deliveryId, eventType: 'webhook.test' as const });
    },
  );
}
