// Answers as the API lists and exports them.
import { schema } from '@surveyflow/core';
import { boolQuery, keysetCursor, pageOf, pageQuery, period, text, uuid } from '@surveyflow/http';
import { z } from 'zod';
import { ContactView } from './events.ts';

const filters = {
  surveyId: uuid.optional(),
  segment: z.enum(['detractor', 'passive', 'promoter']).optional(),
  channel: z.enum(schema.channels).optional(),
  hasComment: boolQuery.optional(),
  /** An extra question's answer: answer=delivery:2, answer=reason:gift */
  answer: text(300)
    .regex(
      /^[a-z][a-z0-9_]{0,39}:.{1,200}$/s,
      'must be <question id>:<value>, e.g. delivery:2 or reason:gift',
    )
    .transform((v) => {
      const at = v.indexOf(':');
      return { id: v.slice(0, at), value: v.slice(at + 1) };
    })
    .optional(),
  /** A copied event property's value: property=store:Warsaw, property=shipping.carrier:DHL */
  property: text(300)
    .regex(
      /^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,4}:.{1,200}$/s,
      'must be <property name>:<value>, e.g. store:Warsaw',
    )
    .transform((v) => {
      const at = v.indexOf(':');
      return { path: v.slice(0, at).split('.'), value: v.slice(at + 1) };
    })
    .optional(),
  /** Text anywhere in the comment, or exactly the contact's id. */
  q: text(200).trim().min(1, 'must not be empty').optional(),
  ...period,
};

export const ResponseListQuery = z.object({
  ...filters,
  limit: pageQuery.limit,
  cursor: keysetCursor.schema.optional(),
});

/** Extra columns: event properties by path, e.g. columns=properties.store,properties.orderId */
export const ResponseExportQuery = z.object({
  ...filters,
  columns: text(2000)
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(properties(\.[A-Za-z0-9_-]{1,100}){1,5}|answers\.[a-z][a-z0-9_]{0,39})$/,
              'each must be properties.<name> or answers.<question id>, e.g. properties.store',
            ),
        )
        .max(50),
    )
    .optional(),
});

export const ResponseView = z
  .object({
    id: z.uuid(),
    surveyId: z.uuid(),
    invitationId: z.uuid().nullable(),
    score: z.number().int(),
    segment: z.enum(['detractor', 'passive', 'promoter']),
    comment: z.string().nullable(),
    channel: z.enum(schema.channels),
    contact: ContactView.nullable(),
    location: z.object({ id: z.uuid().nullable(), name: z.string().nullable() }).nullable(),
    event: z.object({ id: z.string(), type: z.string().nullable() }).nullable(),
    properties: z.record(z.string(), z.unknown()),
    /** Answers to the survey's extra questions, by question id. */
    answers: z.record(z.string(), z.union([z.number(), z.string()])),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Response' });
export const ResponsePage = pageOf(ResponseView);
