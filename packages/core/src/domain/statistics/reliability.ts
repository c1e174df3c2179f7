// Whether a summary can be read: enough answers, and an interval narrow enough to say something.
import { z } from 'zod';
import type { SurveyKind } from '../kinds.ts';
import type { Interval } from '../scoring.ts';

export type ReliabilitySettings = {
  /** Fewer answers than this and the summary is not reliable. */
  minAnswers: number;
  /** The widest 95 % interval (high − low, in the score's units) that still counts as readable. */
  maxIntervalWidth: Record<SurveyKind, number>;
};

/**
 * Defaults: 30 answers; an interval at most 40 NPS points (±20), 20 CSAT points (±10) or 1 CES scale
 * point (±0.5) wide. A workspace may set its own (PATCH /v1/workspace, `reliability`).
 */
export const defaultReliability: ReliabilitySettings = {
  minAnswers: 30,
  maxIntervalWidth: { nps: 40, csat: 20, ces: 1 },
};

export type Reliability = { reliable: boolean; reason: string | null };

const units: Record<SurveyKind, string> = { nps: 'NPS points', csat: 'points', ces: 'scale points' };

/** A summary's readability: `reliable: false` with the reason when n is too small or the interval too wide. */
export function reliability(
  summary: { kind: SurveyKind; n: number; ci: Interval | null },
  settings: ReliabilitySettings = defaultReliability,
): Reliability {
  if (summary.n === 0) return { reliable: false, reason: 'no answers' };
  if (summary.n < settings.minAnswers)
    return {
      reliable: false,
      reason: `${summary.n} answers, fewer than the minimum of ${settings.minAnswers}`,
    };
  if (!summary.ci) return { reliable: false, reason: 'no interval could be computed' };
  const width = Math.round((summary.ci.high - summary.ci.low) * 100) / 100;
  const max = settings.maxIntervalWidth[summary.kind];
  if (width > max)
    return {
      reliable: false,
      reason: `the 95 % interval is ${width} ${units[summary.kind]} wide, wider than ${max}`,
    };
  return { reliable: true, reason: null };
}

/** A workspace's own settings as the API takes them (PATCH /v1/workspace `reliability`). */
export const reliabilitySettingsSchema = z
  .object({
    minAnswers: z.number().int().min(1).max(100_000),
    maxIntervalWidth: z
      .object({
        nps: z.number().positive().max(200),
        csat: z.number().positive().max(100),
        ces: z.number().positive().max(6),
      })
      .strict(),
  })
  .strict();
