// Scores with their counts and 95 % intervals, whole or per group, and their change; drivers, CSI, comment themes; referral outcomes.
import { fieldPattern, type ResponseGrouping } from '@surveyflow/core';
import { isoDateTime, period, text, uuid } from '@surveyflow/http';
import { z } from 'zod';

/** A grouping by name: the same rules as a trigger filter's properties.<name> field. */
function toGrouping(name: string): ResponseGrouping | null {
  if (name === 'day' || name === 'week' || name === 'month' || name === 'channel') return { by: name };
  if (name.startsWith('properties.') && fieldPattern.test(name))
    return { by: 'property', path: name.split('.').slice(1) };
  return null;
}

const groupBy = text(200).transform((name, ctx) => {
  const grouping = toGrouping(name);
  if (grouping) return { name, grouping };
  ctx.addIssue({ code: 'custom', message: 'must be day, week, month, channel or properties.<name>' });
  return z.NEVER;
});

const fromBeforeTo = () => ({ message: 'must be after from', path: ['to'] });

/** compare=previous (the period of the same length before from) or compare=<from>/<to> (ISO 8601). */
const compare = text(100).transform((v, ctx) => {
  if (v === 'previous') return { previous: true as const };
  const [a, b, ...rest] = v.split('/');
  const from = isoDateTime.safeParse(a);
  const to = isoDateTime.safeParse(b);
  if (rest.length || !from.success || !to.success) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be previous or <from>/<to>, e.g. 2026-10-01T00:00:00Z/2026-11-01T00:00:00Z',
    });
    return z.NEVER;
  }
  const period = { from: new Date(from.data), to: new Date(to.data) };
  if (period.from >= period.to) {
    ctx.addIssue({ code: 'custom', message: 'its from must be before its to' });
    return z.NEVER;
  }
  return { previous: false as const, ...period };
});

export const MetricsQuery = z
  .object({
    surveyId: uuid,
    ...period,
    groupBy: groupBy.optional(),
    compare: compare
      .optional()
      .describe('previous: the period of the same length before from (needs from); or <from>/<to>'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo())
  .refine((q) => !q.compare?.previous || q.from, {
    message: 'compare=previous needs from (and to, else now): the previous period has the same length',
    path: ['compare'],
  })
  .refine((q) => !q.compare || !q.groupBy, {
    message: 'cannot be combined with groupBy: compare one summary, or use /v1/metrics/drivers',
    path: ['compare'],
  });

const metricsPeriod = {
  surveyId: uuid,
  ...period,
};

/** property=store (an event property, as properties.store in a filter). */
const property = text(200).refine(
  (name) => fieldPattern.test(`properties.${name}`),
  'must be an event property name such as store or product.type',
);

export const DriversQuery = z
  .object({ ...metricsPeriod, property })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

export const ThemesQuery = z
  .object({
    ...metricsPeriod,
    segment: z.enum(['detractor', 'passive', 'promoter']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

export const CsiQuery = z
  .object(metricsPeriod)
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

export const ReferralQuery = z
  .object({ ...period, period: z.enum(['day', 'week', 'month']).default('week') })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

const Interval = z.object({ low: z.number(), high: z.number(), level: z.literal(0.95) }).nullable();

/** Whether a summary can be read: false with the reason when n is below the minimum or the interval too wide. */
const reliable = {
  reliable: z.boolean(),
  reason: z.string().nullable(),
};

const Summary = z.union([
  z.object({
    kind: z.literal('nps'),
    n: z.number().int(),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
    ...reliable,
  }),
  z.object({
    kind: z.literal('csat'),
    n: z.number().int(),
    satisfied: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
    mean: z.number().nullable(),
    meanCi: Interval,
    ...reliable,
  }),
  z.object({
    kind: z.literal('ces'),
    n: z.number().int(),
    easy: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
    easyShare: z.number().nullable(),
    easyShareCi: Interval,
    ...reliable,
  }),
]);

/** The change against the compared period: the test, its interval and p, and the compared period's own summary. */
const Comparison = z.object({
  from: z.date(),
  to: z.date(),
  method: z.enum(['nps-difference', 'two-proportions', 'welch-t']),
  current: z.number().nullable(),
  previous: z.number().nullable(),
  change: z.number().nullable().describe("current − previous, in the score's units"),
  ci: Interval,
  p: z.number().nullable().describe('two-sided p-value'),
  significant: z.boolean().describe('p < 0.05'),
  df: z.number().optional().describe('Welch–Satterthwaite degrees of freedom (CES)'),
  ...reliable,
  summary: Summary,
});

const head = { surveyId: z.uuid(), from: z.date().nullable(), to: z.date().nullable() };

export const MetricsResult = z
  .union([
    z.object({
      ...head,
      groupBy: z.string(),
      groups: z.array(z.intersection(z.object({ key: z.unknown() }), Summary)),
    }),
    z.intersection(z.object({ ...head, comparison: Comparison.optional() }), Summary),
  ])
  .meta({
    example: {
      surveyId: '4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11',
      from: null,
      to: null,
      kind: 'nps',
      n: 1,
      promoters: 0,
      passives: 0,
      detractors: 1,
      score: -100,
      ci: { low: -98.5, high: 48.5, level: 0.95 },
      reliable: false,
      reason: 'one answer, fewer than the minimum of 30',
    },
  });

export const DriversResult = z.object({
  surveyId: z.uuid(),
  property: z.string(),
  from: z.date().nullable(),
  to: z.date().nullable(),
  correction: z.literal('benjamini-hochberg'),
  alpha: z.number(),
  overall: Summary,
  data: z.array(
    z.object({
      value: z.unknown().describe("the property's value (null: answers without it)"),
      n: z.number().int(),
      share: z.number().describe('share of all answers, 0–1'),
      score: z.number().nullable(),
      ci: Interval,
      gap: z.number().nullable().describe("this value's score minus the rest's"),
      gapCi: Interval,
      p: z.number().nullable(),
      pAdjusted: z.number().nullable().describe('Benjamini–Hochberg adjusted'),
      significant: z.boolean().describe('pAdjusted ≤ alpha'),
      impact: z.number().nullable().describe('gap × share; sorted by its size, largest first'),
      ...reliable,
    }),
  ),
});

const Theme = z.object({
  term: z.string(),
  kind: z.enum(['word', 'phrase']),
  stem: z.string(),
  language: z.enum(['en', 'ru', 'pl']),
  mentions: z.number().int(),
  share: z.number(),
  detractorShare: z.number(),
  examples: z.array(z.object({ id: z.uuid(), text: z.string() })),
  previousMentions: z.number().int().nullable(),
  rising: z.boolean(),
});

export const ThemesResult = z.object({
  surveyId: z.uuid(),
  segment: z.enum(['detractor', 'passive', 'promoter']).nullable(),
  from: z.date().nullable(),
  to: z.date().nullable(),
  previous: z.object({ from: z.date(), to: z.date() }).nullable(),
  comments: z.number().int(),
  previousComments: z.number().int().nullable(),
  themes: z.array(Theme),
});

export const CsiResult = z.object({
  surveyId: z.uuid(),
  from: z.date().nullable(),
  to: z.date().nullable(),
  method: z
    .enum(['stated', 'derived', 'equal'])
    .describe(
      'stated: operator-set importance; derived: correlation with the main score, normalised; equal: no positive correlation to derive from',
    ),
  interval: z.object({
    method: z.literal('bootstrap-percentile'),
    resamples: z.number().int(),
    seed: z.number().int(),
  }),
  n: z.number().int(),
  capped: z.boolean().describe('more answers than were read (the newest 10,000 are)'),
  score: z.number().nullable().describe('0–100'),
  ci: Interval,
  ...reliable,
  attributes: z.array(
    z.object({
      key: z.string(),
      n: z.number().int(),
      satisfaction: z.number().nullable(),
      importance: z.number().nullable(),
      priority: z.number().nullable().describe('importance × (100 − satisfaction): fix the largest first'),
    }),
  ),
});

const counts = {
  promoters: z.number().int(),
  links: z.number().int(),
  clicks: z.number().int(),
  conversions: z.number().int(),
};
export const ReferralMetrics = z.object({
  from: z.date(),
  to: z.date(),
  period: z.enum(['day', 'week', 'month']),
  totals: z.object(counts),
  data: z.array(z.object({ period: z.string(), ...counts })),
});
