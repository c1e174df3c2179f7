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

/** Who an order is from: the platform's customer id, or for a guest the email (and which field to name when both are missing). */
export type OrderCustomer = {
  customerId: string | undefined;
  email: string | undefined;
  /** The field a refusal names when the order has neither. */
  required: string;
  phone?: string | undefined;
  name?: string | undefined;
  locale?: string | undefined;
};

/**
 * What every shop platform's order webhook shares: the order id is required, so is a customer (their id,
 * as `<platform>:<id>`, or a guest's email); the event id is one per order and event type, so a
 * re-delivery (even with a new webhook id) is one event; the properties start with the platform and the
 * order id, and `properties` adds the platform's own from the order and its line items.
 */
export function orderEvent(
  platform: string,
  type: string,
  order: Record<string, unknown>,
  customer: (order: Record<string, unknown>) => OrderCustomer,
  properties: (
    order: Record<string, unknown>,
    lineItems: Record<string, unknown>[],
  ) => Record<string, unknown>,
): Mapped {
  const orderId = str(order.id);
  if (!orderId) return missing('id');
  const who = customer(order);
  if (!who.customerId && !who.email) return missing(who.required);
  const lineItems = Array.isArray(order.line_items) ? order.line_items.map(obj) : [];
  const event: EventDraft = {
    id: orderEventId(platform, orderId, type),
    type,
    contact: compact({
      id: who.customerId ? `${platform}:${who.customerId}` : (who.email as string),
      email: who.email,
      phone: who.phone,
      name: who.name,
      locale: who.locale,
    }) as EventDraft['contact'],
    properties: compact({ source: platform, orderId, ...properties(order, lineItems) }),
  };
  return { kind: 'event', event };
}

/** The event id of an order's event: one per platform, order and event type. */
export const orderEventId = (platform: string, orderId: string, type: string) =>
  `${platform}:${orderId}:${type}`;

/**
 * A webhook body as JSON, with integers too large for a double (Shopify's 64-bit ids) kept exactly,
 * as strings: JSON.parse would round 820982911946154508 to …500 and two orders could share an id.
 */
export function parsePayload(raw: string): unknown {
  return parse(raw, null, (digits) => (isSafeNumber(digits) ? Number(digits) : digits));
}
