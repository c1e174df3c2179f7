// What a platform's webhook becomes: an event for POST /v1/events' ingest, nothing (a topic we do not map), or a refusal naming the missing field.
import { isSafeNumber, parse } from 'lossless-json';

/** An event as a producer would post it; validated by the same schema as POST /v1/events before it is stored. */
export type EventDraft = {
  id: string;
  type: string;
  contact: {
    /** Null when the payload names no customer (Shopify refunds and fulfillments): taken from the order's earlier event. */
    id: string | null;
    email?: string | undefined;
    phone?: string | undefined;
    name?: string | undefined;
    locale?: string | undefined;
  };
  properties: Record<string, unknown>;
};

export type Mapped =
  | { kind: 'event'; event: EventDraft }
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; field: string; reason: string };

export const ignored = (reason: string): Mapped => ({ kind: 'ignored', reason });
export const missing = (field: string, what = 'is missing'): Mapped => ({
  kind: 'rejected',
  field,
  reason: `${field} ${what}`,
});

/** Plain-object access for untyped JSON. */
export const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A present string or number as a trimmed string; anything else (null, "", objects) is undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Drops undefined values, so a property is absent rather than null. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const uniqueStrings = (values: unknown[]): string[] => [
  ...new Set(values.map(str).filter((v): v is string => v !== undefined)),
];

/**
 * A phone number only when it is E.164 once spaces, dots, dashes and brackets are dropped; a local
 * number ("(555) 555-5555") is left out rather than refusing the whole event.
 */
export function e164(v: unknown): string | undefined {
  const compacted = str(v)?.replace(/[\s().-]/g, '');
  return compacted && /^\+[1-9]\d{6,14}$/.test(compacted) ? compacted : undefined;
}

/**
 * A webhook body as JSON, with integers too large for a double (Shopify's 64-bit ids) kept exactly,
 * as strings: JSON.parse would round 820982911946154508 to …500 and two orders could share an id.
 */
export function parsePayload(raw: string): unknown {
  return parse(raw, null, (digits) => (isSafeNumber(digits) ? Number(digits) : digits));
}
