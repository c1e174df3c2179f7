// Events and contacts as the API takes and shows them: one schema per shape, shared by the routes and /openapi.json.
import { schema } from '@surveyflow/core';
import {
  ContactId,
  contactDetails,
  EventType,
  keysetCursor,
  pageOf,
  pageQuery,
  period,
  text,
} from '@surveyflow/http';
import { z } from 'zod';

export const MAX_BATCH = 1000;

export { ContactId, EventInput, EventType } from '@surveyflow/http';

/** A contact's details as PATCH /v1/contacts/:id takes them: null clears one. */
export const ContactChanges = z
  .object({
    email: contactDetails.email.nullable(),
    phone: contactDetails.phone.nullable(),
    name: contactDetails.name.nullable(),
    locale: contactDetails.locale.nullable(),
    timezone: contactDetails.timezone.nullable(),
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something: email, phone, name, locale or timezone')
  .meta({ example: { email: 'jane.doe@example.com', timezone: 'Europe/Warsaw' } });

export const ContactParams = z.object({ id: ContactId });

export const EventAccepted = z
  .object({ id: z.string(), duplicate: z.boolean() })
  .meta({ example: { id: 'order-1001', duplicate: false } });

/** Items are validated one by one, so one bad item never costs the others. */
export const EventBatch = z.object({
  events: z
    .array(z.unknown())
    .min(1)
    .max(MAX_BATCH)
    .meta({
      description: `Up to ${MAX_BATCH} events, each as POST /v1/events takes it; validated one by one`,
    }),
});

const ErrorObject = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const BatchResult = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.union([
      z.object({
        index: z.number().int(),
        id: z.string(),
        status: z.enum(['accepted', 'duplicate']),
        duplicate: z.boolean(),
      }),
      z.object({ index: z.number().int(), status: z.literal('rejected'), error: ErrorObject }),
    ]),
  ),
});

export const ContactView = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    name: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    optedOutAt: z.date().nullable(),
  })
  .meta({ id: 'Contact' });

const InvitationSummary = z.object({
  id: z.uuid(),
  channel: z.enum(schema.channels),
  status: z.enum(schema.invitationStatuses),
  sendAt: z.date(),
  sentAt: z.date().nullable(),
  failureReason: z.string().nullable(),
  /** The answer, once there is one, and where its follow-up stands (waiting for the comment, and until when). */
  response: z
    .object({
      id: z.uuid(),
      score: z.number().int(),
      comment: z.string().nullable(),
      followUp: z.discriminatedUnion('status', [
        z.object({ status: z.literal('waiting_for_comment'), until: z.date() }),
        z.object({ status: z.literal('due'), until: z.null() }),
        z.object({ status: z.literal('done'), at: z.date() }),
      ]),
    })
    .nullable(),
});

export const Decision = z.object({
  outcome: z.enum(schema.decisionOutcomes),
  trigger: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
  surveyId: z.uuid().nullable(),
  reason: z.string().nullable(),
  explanation: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  invitation: InvitationSummary.nullable(),
});

export const EventView = z
  .object({
    id: z.string(),
    type: z.string(),
    occurredAt: z.date(),
    receivedAt: z.date(),
    contact: ContactView,
    properties: z.record(z.string(), z.unknown()),
    status: z.enum(['pending', 'planned']),
    plannedAt: z.date().nullable(),
    decisions: z.array(Decision),
  })
  .meta({ id: 'Event' });

export const EventParams = z.object({ id: text(200) });

export const EventListQuery = z.object({
  type: EventType.optional(),
  contact: ContactId.optional(),
  outcome: z.enum(['invited', 'skipped', 'pending']).optional(),
  reason: text(50).optional().meta({ description: 'with outcome=skipped: only this skip reason' }),
  ...period,
  limit: pageQuery.limit,
  cursor: keysetCursor.schema.optional(),
});

export const EventListItem = z.object({
  id: z.string(),
  type: z.string(),
  occurredAt: z.date(),
  receivedAt: z.date(),
  contact: z.object({ id: z.string() }),
  status: z.enum(['pending', 'planned']),
  invited: z.number().int(),
  skipped: z.array(z.string()),
});
export const EventPage = pageOf(EventListItem);
