// A contact's history and throttles, contact lists, skip statistics.
import { schema } from '@surveyflow/core';
import { boolQuery, keysetCursor, pageOf, pageQuery, period, text } from '@surveyflow/http';
import { z } from 'zod';
import { ContactView } from './events.ts';

export const ContactHistory = ContactView.extend({
  invitations: z.array(
    z.object({
      id: z.uuid(),
      surveyId: z.uuid(),
      triggerId: z.uuid().nullable(),
      event: z.string().nullable(),
      channel: z.enum(schema.channels),
      status: z.enum(schema.invitationStatuses),
      sendAt: z.date(),
      sentAt: z.date().nullable(),
      failureReason: z.string().nullable(),
      response: z.object({ score: z.number().int(), answeredAt: z.date().nullable() }).nullable(),
    }),
  ),
  nextEligible: z.object({
    reason: z.string().optional().meta({ description: 'opted_out when the contact may not be asked at all' }),
    globalRuleUntil: z.date().nullable().optional(),
    triggers: z.array(
      z.object({ triggerId: z.uuid(), name: z.string(), surveyId: z.uuid(), earliest: z.date() }),
    ),
  }),
}).meta({ id: 'ContactHistory' });

export const OptOutResult = z.object({
  id: z.string(),
  optedOut: z.boolean(),
  alreadyOptedOut: z.boolean().optional(),
});

export const ContactListQuery = z.object({
  q: text(200).optional().meta({ description: "a prefix of the contact's id, email or phone" }),
  optedOut: boolQuery.optional(),
  limit: pageQuery.limit,
  cursor: keysetCursor.schema.optional(),
});
export const ContactPage = pageOf(ContactView.extend({ createdAt: z.date() }));

export const SkipStats = z.object({
  from: z.date().nullable(),
  to: z.date().nullable(),
  data: z.array(
    z.object({
      trigger: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
      reason: z.string().nullable(),
      explanation: z.string().nullable(),
      count: z.number().int(),
    }),
  ),
});
export const PeriodQuery = z
  .object(period)
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });
