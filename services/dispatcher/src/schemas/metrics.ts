// Scores with their counts and 95 % intervals, whole or per group; referral outcomes per period.
import { fieldPattern, type ResponseGrouping } from '@surveyflow/core';
import { period, text, uuid } from '@surveyflow/http';
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

export const MetricsQuery = z
  .object({ surveyId: uuid, ...period, groupBy: groupBy.optional() })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

export const ReferralQuery = z
  .object({ ...period, period: z.enum(['day', 'week', 'month']).default('week') })
  .refine((q) => !q.from || !q.to || q.from < q.to, fromBeforeTo());

const Interval = z.object({ low: z.number(), high: z.number(), level: z.literal(0.95) }).nullable();

const Summary = z.union([
  z.object({
    kind: z.literal('nps'),
    n: z.number().int(),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
  }),
  z.object({
    kind: z.literal('csat'),
    n: z.number().int(),
    satisfied: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
    mean: z.number().nullable(),
    meanCi: Interval,
  }),
  z.object({
    kind: z.literal('ces'),
    n: z.number().int(),
    easy: z.number().int(),
    score: z.number().nullable(),
    ci: Interval,
    easyShare: z.number().nullable(),
    easyShareCi: Interval,
  }),
]);

const head = { surveyId: z.uuid(), from: z.date().nullable(), to: z.date().nullable() };

export const MetricsResult = z
  .union([
    z.object({
      ...head,
      groupBy: z.string(),
      groups: z.array(z.intersection(z.object({ key: z.unknown() }), Summary)),
    }),
    z.intersection(z.object(head), Summary),
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
    },
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
