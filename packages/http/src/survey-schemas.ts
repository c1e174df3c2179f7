// Surveys and triggers as the API (and the console's forms) take and show them (workspace ids and other internal columns never leave).
import {
  actionsSchema,
  fieldPattern,
  filterSchema,
  isValidDuration,
  maxQuestions,
  maxRollupProperties,
  questionIdPattern,
  questionListIssues,
  schema,
  sendWindowSchema,
  surveyKinds,
} from '@surveyflow/core';
import { z } from 'zod';
import { EventType } from './event-schemas.ts';
import { text, uuid } from './schemas.ts';

const localized = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'keys must be locales such as en, pl or pt-BR'),
    text(500).trim().min(1),
  )
  .refine((v) => Object.keys(v).length > 0, 'must have at least one locale, e.g. { "en": "…" }');

const questionId = z
  .string()
  .regex(
    questionIdPattern,
    'must be a lower-case id such as delivery or product_quality (a letter, then letters, digits, _)',
  );

/** The few optional questions after the main score: attribute ratings, one single choice, free text. */
const questions = z
  .array(
    z.discriminatedUnion('type', [
      z
        .object({
          id: questionId,
          type: z.literal('rating'),
          label: localized,
          scale: z.enum(['survey', '1-5']).default('1-5'),
          importance: z.number().min(0).max(100).optional(),
        })
        .strict(),
      z
        .object({
          id: questionId,
          type: z.literal('choice'),
          label: localized,
          options: z
            .array(z.object({ id: questionId, label: localized }).strict())
            .min(2)
            .max(12),
        })
        .strict(),
      z.object({ id: questionId, type: z.literal('text'), label: localized }).strict(),
    ]),
  )
  .max(maxQuestions)
  .superRefine((qs, ctx) => {
    for (const issue of questionListIssues(qs)) ctx.addIssue({ code: 'custom', ...issue });
  });

export const SurveyInput = z
  .object({
    kind: z.enum(surveyKinds),
    name: text(200).trim().min(1),
    question: localized,
    followupQuestion: localized.optional(),
    /** What happens after an answer, per segment; the defaults (alert + case for detractors, …) when absent. */
    actions: actionsSchema.optional(),
    /** Optional questions shown after the main score; they feed CSI (ratings) and the exports. */
    questions: questions.optional(),
    /** The on-site widget (pk_ keys): ask visitors the shop did not identify (one ask per browser, best-effort). */
    widgetAnonymous: z.boolean().optional(),
    /** The on-site widget asks a contact this survey at most once per this many days (any channel's invitation counts). */
    widgetThrottleDays: z.number().int().min(0).max(365).optional(),
    /**
     * Event properties whose breakdowns (groupBy=properties.<path>, GET /v1/metrics/drivers) are kept counted per hour as
     * answers arrive. Adding one recounts the survey's answers once, in the request; without it a breakdown scans them.
     */
    rollupProperties: z
      .array(
        text(200).refine(
          (path) => fieldPattern.test(`properties.${path}`),
          'must be an event property name such as store or address.city',
        ),
      )
      .max(maxRollupProperties)
      .refine((ps) => new Set(ps).size === ps.length, 'must not repeat a property')
      .optional()
      .describe(
        `At most ${maxRollupProperties} event properties (as in groupBy=properties.<path>) whose breakdowns are counted as answers arrive, e.g. ["store"]`,
      ),
  })
  .meta({
    example: {
      kind: 'nps',
      name: 'After delivery',
      question: { en: 'How likely are you to recommend {company} to a friend?' },
      questions: [
        {
          id: 'delivery',
          type: 'rating',
          scale: '1-5',
          label: { en: 'Delivery', pl: 'Dostawa', ru: 'Доставка' },
        },
        {
          id: 'reason',
          type: 'choice',
          label: { en: 'What did you buy?' },
          options: [
            { id: 'gift', label: { en: 'A gift' } },
            { id: 'self', label: { en: 'For myself' } },
          ],
        },
      ],
    },
  });

export const SurveyPatch = SurveyInput.omit({ kind: true })
  .partial()
  .strict()
  .refine(
    (c) => Object.keys(c).length > 0,
    'must change something: name, question, followupQuestion, actions, questions, widgetAnonymous, widgetThrottleDays or rollupProperties',
  );

export const SurveyView = z
  .object({
    id: z.uuid(),
    kind: z.enum(surveyKinds),
    name: z.string(),
    question: z.record(z.string(), z.string()),
    followupQuestion: z.record(z.string(), z.string()),
    actions: z.array(z.record(z.string(), z.unknown())),
    questions: z.array(z.record(z.string(), z.unknown())),
    widgetAnonymous: z.boolean(),
    widgetThrottleDays: z.number().int(),
    rollupProperties: z.array(z.string()),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Survey' });

const triggerFields = {
  surveyId: uuid,
  name: text(200).trim().min(1),
  eventTypes: z.array(EventType).min(1).max(50),
  /** In order of preference: the first the contact has an address for is used. */
  channels: z
    .array(z.enum(schema.triggerChannels))
    .min(1)
    .refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  delay: text(50).refine(
    isValidDuration,
    'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D',
  ),
  throttleDays: z.number().int().min(0).max(365),
  filter: filterSchema.nullable(),
  sendWindow: sendWindowSchema.nullable(),
  sampleRate: z.number().min(0).max(1),
  dedupeKey: z.string().regex(fieldPattern, 'must be a field such as properties.orderId').nullable(),
  cancelOn: z.array(EventType).max(20),
  reminderCount: z.number().int().min(0).max(3),
  reminderAfterDays: z.number().int().min(1).max(30),
  expireAfter: text(50)
    .refine(isValidDuration, 'must be a non-negative ISO 8601 duration such as P7D')
    .nullable(),
  enabled: z.boolean(),
};

export const cancelNeedsKey = (t: {
  cancelOn?: string[] | undefined;
  dedupeKey?: string | null | undefined;
}) => !t.cancelOn?.length || Boolean(t.dedupeKey);
export const cancelNeedsKeyIssue = {
  message: 'needs a dedupeKey: it is how a refund finds the invitation of its order',
  path: ['cancelOn'],
};

export const TriggerInput = z
  .object({
    ...triggerFields,
    name: triggerFields.name.optional(),
    channels: triggerFields.channels.default(['email']),
    delay: triggerFields.delay.default('PT0S'),
    throttleDays: triggerFields.throttleDays.default(30),
    filter: triggerFields.filter.default(null),
    sendWindow: triggerFields.sendWindow.default(null),
    sampleRate: triggerFields.sampleRate.default(1),
    dedupeKey: triggerFields.dedupeKey.default(null),
    cancelOn: triggerFields.cancelOn.default([]),
    reminderCount: triggerFields.reminderCount.default(0),
    reminderAfterDays: triggerFields.reminderAfterDays.default(3),
    expireAfter: triggerFields.expireAfter.default('P7D'),
    enabled: triggerFields.enabled.default(true),
  })
  // A copy: zod takes its params object over.
  .refine(cancelNeedsKey, { ...cancelNeedsKeyIssue })
  .meta({
    example: {
      surveyId: '4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11',
      eventTypes: ['order.delivered'],
      filter: { all: [{ field: 'properties.total', op: 'gte', value: 50 }] },
      channels: ['email'],
      delay: 'P2D',
      sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
      throttleDays: 30,
      sampleRate: 0.5,
      dedupeKey: 'properties.orderId',
      cancelOn: ['order.refunded'],
    },
  });

export const TriggerPatch = z
  .object(triggerFields)
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something');

export const TriggerView = z
  .object({
    id: z.uuid(),
    surveyId: z.uuid(),
    name: z.string(),
    eventTypes: z.array(z.string()),
    channels: z.array(z.enum(schema.channels)),
    delay: z.string(),
    throttleDays: z.number().int(),
    filter: z.unknown().nullable(),
    sendWindow: z.unknown().nullable(),
    sampleRate: z.number(),
    dedupeKey: z.string().nullable(),
    cancelOn: z.array(z.string()),
    reminderCount: z.number().int(),
    reminderAfterDays: z.number().int(),
    expireAfter: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Trigger' });

export const TriggerTestResult = z.union([
  z.object({
    decision: z.literal('invite'),
    channel: z.enum(schema.channels),
    sendAt: z.date(),
    surveyId: z.uuid(),
  }),
  z.object({
    decision: z.literal('skip'),
    reason: z.string(),
    explanation: z.string(),
    detail: z.record(z.string(), z.unknown()),
  }),
]);
