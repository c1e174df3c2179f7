// Webhook endpoints, their secret (shown once) and their delivery log.
import { schema } from '@surveyflow/core';
import { text } from '@surveyflow/http';
import { z } from 'zod';

export const WebhookInput = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000),
    eventTypes: z
      .array(
        z.enum(schema.webhookEventTypes, { error: `must be one of ${schema.webhookEventTypes.join(', ')}` }),
      )
      .min(1, 'must name at least one event type')
      .transform((types) => [...new Set(types)]),
  })
  .meta({ example: { url: 'https://shop.example.com/hooks/surveyflow', eventTypes: ['response.created'] } });

export const WebhookPatch = z
  .object({
    url: WebhookInput.shape.url,
    eventTypes: WebhookInput.shape.eventTypes,
    /** false switches the endpoint off by hand; true switches it back on (as POST …/enable). */
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something, e.g. { "enabled": false }')
  .meta({ example: { eventTypes: ['response.created', 'case.created'] } });

export const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** The `next` of the previous page. */
  cursor: text(500).optional(),
});

export const TestSent = z
  .object({
    deliveryId: z
      .string()
      .meta({ description: 'The webhook-id header of the test; find its outcome in the deliveries' }),
    eventType: z.literal('webhook.test'),
  })
  .meta({ id: 'WebhookTestSent' });

export const WebhookView = z
  .object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    disabledAt: z.date().nullable(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: z.date(),
  })
  .meta({ id: 'Webhook' });

export const WebhookCreated = WebhookView.extend({
  secret: z.string().meta({ description: 'whsec_… signing secret; shown only now' }),
});

export const DeliveryLog = z.object({
  /** The following page's cursor (pass it as `cursor`), null on the last. */
  next: z.string().nullable(),
  data: z.array(
    z.object({
      id: z.string(),
      eventType: z.string(),
      status: z.enum(schema.webhookDeliveryStatuses),
      attempts: z.number().int(),
      nextAttemptAt: z.date().nullable(),
      deliveredAt: z.date().nullable(),
      createdAt: z.date(),
      log: z.array(
        z.object({
          attempt: z.number().int(),
          statusCode: z.number().int().nullable(),
          error: z.string().nullable(),
          durationMs: z.number().nullable(),
          at: z.date(),
        }),
      ),
    }),
  ),
});
