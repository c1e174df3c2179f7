// POST /hooks/:connectorId — platforms' webhooks (no API key: the platform's signature is the credential; the workspace is the connector's).
import { type AppContext, receiveHook } from '@surveyflow/core';
import { connectorEvent, ErrorBody, type HttpApp } from '@surveyflow/http';
import { z } from 'zod';

import { HookAnswer } from '../schemas/connectors.ts';

/** WooCommerce's ping when a webhook is saved is form-encoded: kept as text, like every body here, for the signature. */
export function keepRawForm(app: HttpApp) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      request.rawBody = text;
      done(null, text);
    },
  );
}

export function hookRoutes(app: HttpApp, ctx: AppContext) {
  const toEvent = connectorEvent(() => ctx.clock.now());
  app.post(
    '/hooks/:connectorId',
    {
      schema: {
        tags: ['connectors'],
        summary: "A platform's webhook (Shopify, WooCommerce, Zendesk, any JSON)",
        description:
          'Verified as the platform documents (Shopify: X-Shopify-Hmac-Sha256; WooCommerce: X-WC-Webhook-Signature; Zendesk: X-Zendesk-Webhook-Signature over timestamp + body, within 5 minutes; JSON: the configured HMAC header). A wrong signature is 401 and stores nothing. Idempotent on the delivery id; answers 200 once the delivery is stored, planning happens after.',
        params: z.object({ connectorId: z.uuid('must be a UUID') }),
        body: z.unknown().meta({ description: "The platform's payload, exactly as it sends it" }),
        response: { 200: HookAnswer, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const result = await receiveHook(
        ctx.database,
        {
          connectorId: request.params.connectorId,
          headers: request.headers,
          rawBody: request.rawBody,
          body: request.body,
          contentType: request.headers['content-type'],
        },
        { secretKey: ctx.config.SECRET_KEY ?? '', now: ctx.clock.now(), toEvent },
      );
      if (result.planned.length > 0) {
        try {
          await ctx.queues.addMany(
            'event.plan',
            result.planned.map((eventId) => ({ eventId })),
          );
        } catch (err) {
          // The event is safe in Postgres; the reconciler enqueues it once Redis is back.
          ctx.log.error({ err }, 'could not enqueue a connector event');
        }
      }
      return { outcome: result.outcome, eventId: result.eventId, reason: result.reason };
    },
  );
}
