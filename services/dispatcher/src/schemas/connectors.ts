// Inbound connectors: what creating and changing one takes, what it shows (never its secret again), its deliveries and the payload test.
import { schema } from '@surveyflow/core';
import { jsonObject, text } from '@surveyflow/http';
import { z } from 'zod';

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,100}$/, 'must be an HTTP header name such as X-Signature');

export const JsonSettings = z.object({
  expression: z.string().trim().min(1).max(5000).meta({
    description:
      'JSONata from the payload to { id, type, contact: { id, email?, phone?, name?, locale? }, properties? }',
  }),
  deliveryIdHeader: headerName.optional().meta({
    description:
      "A header carrying the platform's delivery id; without one, the mapped event id is the delivery id",
  }),
  signature: z
    .object({
      header: headerName,
      algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
      encoding: z.enum(['hex', 'base64']).default('hex'),
      prefix: z.string().max(20).optional().meta({ description: 'Text before the digest, e.g. "sha256="' }),
    })
    .optional()
    .meta({
      description: 'An HMAC of the raw body with the secret; requests without a match are refused (401)',
    }),
});

const ZendeskApi = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(300)
      .meta({ description: 'https://<subdomain>.zendesk.com' }),
    email: z.email().max(320).meta({ description: 'The agent the API token belongs to' }),
    token: z.string().min(8).max(200).meta({
      description:
        'A Zendesk API token (Admin Center → Apps and integrations → Zendesk API); never shown again',
    }),
  })
  .meta({ description: 'Where cases are mirrored as tickets (survey action zendesk_ticket)' });

const secret = z.string().min(8, 'must be at least 8 characters').max(500);

export const ConnectorInput = z
  .object({
    kind: z.enum(schema.connectorKinds),
    name: text(100).trim().min(1),
    secret: secret.optional().meta({
      description:
        "The platform's secret (required for Shopify and Zendesk; generated for WooCommerce and signed JSON when absent)",
    }),
    json: JsonSettings.optional(),
    zendeskApi: ZendeskApi.optional(),
  })
  .meta({ example: { kind: 'shopify', name: 'Main shop', secret: 'shpss_0123456789abcdef' } });

export const ConnectorChange = z
  .object({
    name: text(100).trim().min(1),
    secret: secret.meta({ description: 'A new secret replaces the old at once (rotation)' }),
    json: JsonSettings,
    zendeskApi: ZendeskApi.nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine(
    (c) => Object.keys(c).length > 0,
    'must change something: name, secret, json, zendeskApi or enabled',
  );

export const ConnectorView = z
  .object({
    id: z.uuid(),
    kind: z.enum(schema.connectorKinds),
    name: z.string(),
    endpoint: z.string().meta({ description: 'The URL to paste into the platform (POST /hooks/:id)' }),
    setup: z.string().meta({ description: "Where in the platform's admin the URL and secret go" }),
    secretHint: z.string().nullable(),
    enabled: z.boolean(),
    json: JsonSettings.nullable(),
    zendeskApi: z.object({ url: z.string(), email: z.string(), tokenHint: z.string() }).nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Connector' });

export const ConnectorCreated = ConnectorView.extend({
  secret: z
    .string()
    .nullable()
    .meta({ description: 'The secret, shown only now (null for an unsigned JSON connector)' }),
});

export const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: "A delivery's id: the page of older ones" }),
});

export const ConnectorDeliveryLog = z.object({
  data: z.array(
    z.object({
      id: z.number().int(),
      deliveryId: z.string(),
      topic: z.string().nullable(),
      outcome: z.enum(schema.connectorOutcomes),
      eventId: z
        .string()
        .nullable()
        .meta({ description: 'The event made (GET /v1/events/:id), or the one already made' }),
      reason: z
        .string()
        .nullable()
        .meta({ description: 'Why nothing was made: an unmapped topic, or which field was missing' }),
      receivedAt: z.date(),
    }),
  ),
  next: z.number().int().nullable(),
});

export const ConnectorTestInput = z.object({
  payload: jsonObject,
  topic: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Shopify or WooCommerce topic (orders/paid, order.updated)' }),
});

export const ConnectorTestResult = z.union([
  z.object({
    outcome: z.literal('event'),
    event: z.object({
      id: z.string(),
      type: z.string(),
      occurredAt: z.date(),
      contact: z.object({ id: z.string() }).catchall(z.unknown()),
      properties: z.record(z.string(), z.unknown()),
    }),
  }),
  z.object({ outcome: z.literal('ignored'), reason: z.string() }),
  z.object({ outcome: z.literal('rejected'), field: z.string(), reason: z.string() }),
]);

export const HookAnswer = z.object({
  outcome: z.enum([...schema.connectorOutcomes, 'ping']),
  eventId: z.string().nullable(),
  reason: z.string().nullable(),
});
