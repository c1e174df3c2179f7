// Valid-ish values from JSON Schemas as fast-check arbitraries: our own small generator over the keywords zod emits.
import fc from 'fast-check';
import type { JsonSchema } from './openapi.ts';

/** Generated strings and lists stay short: the hostile cases test size, these test meaning. */
const MAX_STRING = 40;
const MAX_ITEMS = 4;
/** Below this depth a schema-less value is a leaf, so a recursive schema still ends. */
const MAX_DEPTH = 5;

/** An arbitrary of values the schema accepts (or nearly: cross-field rules are not modelled). */
export function arbitraryOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, depth)));
  if (schema.allOf?.length) return arbitraryOf(mergeAll(schema.allOf), depth);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : inferTypes(schema);
  if (schema.nullable && !types.includes('null')) types.push('null');
  if (types.length === 0) return depth >= MAX_DEPTH ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitraryOf({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer(intRange(schema));
    case 'number':
      return numberArbitrary(schema);
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.max(min, Math.min(schema.maxItems ?? MAX_ITEMS, MAX_ITEMS));
      const items = depth >= MAX_DEPTH ? fc.constant(null) : arbitraryOf(schema.items ?? {}, depth + 1);
      return fc.array(items, { minLength: min, maxLength: max });
    }
    default:
      return objectArbitrary(schema, depth);
  }
}

function inferTypes(schema: JsonSchema): string[] {
  if (schema.properties || schema.additionalProperties !== undefined) return ['object'];
  if (schema.items) return ['array'];
  if (schema.format || schema.pattern || schema.maxLength !== undefined) return ['string'];
  if (schema.minimum !== undefined || schema.maximum !== undefined) return ['number'];
  return [];
}

/** allOf as one schema: properties and required lists merged, other keywords from the last that sets them. */
export function mergeAll(schemas: JsonSchema[]): JsonSchema {
  const merged: JsonSchema = { properties: {}, required: [] };
  for (const s of schemas) {
    const { properties, required } = merged;
    Object.assign(merged, s, {
      properties: Object.assign(properties ?? {}, s.properties),
      required: [...(required ?? []), ...(s.required ?? [])],
    });
  }
  return merged;
}

function objectArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = (schema.required ?? []).filter((k) => k in properties);
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    if (schema.additionalProperties === false || depth >= MAX_DEPTH) return fc.constant({});
    const values =
      typeof schema.additionalProperties === 'object'
        ? arbitraryOf(schema.additionalProperties, depth + 1)
        : fc.jsonValue({ maxDepth: 1 });
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: MAX_ITEMS });
  }
  const model = Object.fromEntries(keys.map((k) => [k, arbitraryOf(properties[k] ?? {}, depth + 1)]));
  return fc.record(model, { requiredKeys: required });
}

function intRange(schema: JsonSchema): { min: number; max: number } {
  let min = schema.minimum ?? -1_000_000;
  let max = schema.maximum ?? 1_000_000;
  if (typeof schema.exclusiveMinimum === 'number') min = Math.max(min, schema.exclusiveMinimum + 1);
  if (typeof schema.exclusiveMaximum === 'number') max = Math.min(max, schema.exclusiveMaximum - 1);
  min = Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER));
  max = Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER));
  return max < min ? { min, max: min } : { min, max };
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min =
    schema.minimum ?? (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -1e6);
  const max = schema.maximum ?? (typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : 1e6);
  return fc
    .double({
      min,
      max: Math.max(min, max),
      noNaN: true,
      noDefaultInfinity: true,
      minExcluded: typeof schema.exclusiveMinimum === 'number',
      maxExcluded: typeof schema.exclusiveMaximum === 'number',
    })
    .map((n) => (Object.is(n, -0) ? 0 : n));
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/).map((local) => `${local}@example.test`);
    case 'uri':
    case 'url':
      // Never a real host: webhooks and Slack URLs we generate are called by the worker.
      return fc.stringMatching(/^[a-z0-9]{1,12}$/).map((p) => `https://hooks.example.invalid/${p}`);
  }
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING));
  if (schema.pattern) {
    try {
      const re = new RegExp(schema.pattern);
      return fc.stringMatching(re);
    } catch {
      // A pattern JavaScript cannot compile: fall back to plain strings.
    }
  }
  return fc.string({ minLength: min, maxLength: max });
}
