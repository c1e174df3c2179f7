// The JSON Schema generator: what it makes passes the zod schemas our routes are written in.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { arbitraryOf } from './arbitrary.ts';
import type { JsonSchema } from './openapi.ts';

/** Schemas shaped like our routes' (bounded text, UUIDs, dates, enums, nested objects, nullable, lists). */
const schemas = {
  event: z.object({
    id: z.string().min(1).max(200),
    type: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    contact: z.object({ id: z.string().min(1), email: z.email().optional() }),
    properties: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.object({
    surveyId: z.uuid(),
    channels: z
      .array(z.enum(['email', 'sms', 'qr']))
      .min(1)
      .max(3),
    throttleDays: z.number().int().min(0).max(365),
    sampleRate: z.number().min(0).max(1),
    filter: z.object({ field: z.string(), equals: z.union([z.string(), z.number()]) }).nullable(),
    enabled: z.boolean(),
  }),
  webhook: z.object({ url: z.url(), eventTypes: z.array(z.literal('case.created')).min(1) }),
};

describe('values generated from JSON Schema', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    test(`a ${name} generated from its OpenAPI schema passes the zod schema it came from`, () => {
      const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
      fc.assert(
        fc.property(arbitraryOf(json), (value) => {
          expect(schema.safeParse(value).error?.issues ?? []).toEqual([]);
        }),
        { seed: 1, numRuns: 200 },
      );
    });
  }

  test('URLs never name a real host: the worker calls the webhooks we create', () => {
    const urls = fc.sample(arbitraryOf({ type: 'string', format: 'uri' }), { seed: 2, numRuns: 50 });
    for (const url of urls) expect(new URL(String(url)).hostname).toMatch(/\.invalid$/);
  });

  test('a schema that refers to itself through a cut $ref still ends', () => {
    const tree: JsonSchema = { type: 'object', properties: { child: {} }, required: ['child'] };
    let deep = tree;
    for (let i = 0; i < 20; i++) deep = { type: 'object', properties: { child: deep }, required: ['child'] };
    expect(fc.sample(arbitraryOf(deep), { seed: 3, numRuns: 5 })).toHaveLength(5);
  });
});
