// Events as producers send them (POST /v1/events, a trigger's dry run, the console's pasted event): one schema, shared.
import { AppError, type EventDraft, type IncomingEvent, isValidTimeZone } from '@surveyflow/core';
import { z } from 'zod';
import { issuesToDetails } from './app.ts';
import { isoDateTime, jsonObject, text } from './schemas.ts';

const optional = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => (v === null ? undefined : v));

/** The contact attributes an event or a change may carry. */
export const contactDetails = {
  email: z.email().max(320),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +48600100200'),
  name: text(200).trim(),
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pl-PL'),
  timezone: text(100).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Warsaw'),
};

export const ContactId = text(200).trim().min(1);

export const EventType = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1–100 letters, digits or . _ : -, e.g. order.delivered');

/** One event as a producer sends it; `id` is the producer's idempotency key. */
export const EventInput = z
  .object({
    id: text(200).trim().min(1),
    type: EventType,
    occurredAt: optional(isoDateTime),
    contact: z.object({
      id: ContactId,
      email: optional(contactDetails.email),
      phone: optional(contactDetails.phone),
      name: optional(contactDetails.name),
      locale: optional(contactDetails.locale),
      timezone: optional(contactDetails.timezone),
    }),
    properties: optional(jsonObject),
  })
  .meta({
    example: {
      id: 'order-1001',
      type: 'order.delivered',
      contact: { id: 'cust-42', email: 'jane@example.com', name: 'Jane', locale: 'en' },
      properties: { orderId: '1001', total: 129.9, store: 'Warsaw' },
    },
  });

const DAY_MS = 86_400_000;

/** An event as parsed by its schema → what is stored; occurredAt is checked against the clock here, since schemas must not read time. */
export function toIncomingEvent(e: z.output<typeof EventInput>, now: Date, prefix?: string): IncomingEvent {
  const occurredAt = e.occurredAt ? new Date(e.occurredAt) : now;
  if (occurredAt.getTime() > now.getTime() + DAY_MS || occurredAt.getUTCFullYear() < 2000) {
    throw AppError.validation([
      {
        field: prefix ? `${prefix}.occurredAt` : 'occurredAt',
        message: 'must be after 2000-01-01 and not more than a day in the future',
      },
    ]);
  }
  return { id: e.id, type: e.type, occurredAt, contact: e.contact, properties: e.properties ?? {} };
}

/**
 * A connector's mapped event checked exactly as POST /v1/events checks one (schema, then time): the
 * dispatcher's hooks and connector test, and the console's "test this payload", all use this.
 */
export function connectorEvent(now: () => Date) {
  return (draft: EventDraft): IncomingEvent => {
    const parsed = EventInput.safeParse(draft);
    if (!parsed.success) throw AppError.validation(issuesToDetails(parsed.error));
    return toIncomingEvent(parsed.data, now());
  };
}
