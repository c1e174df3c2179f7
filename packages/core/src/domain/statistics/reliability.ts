// Whether a summary can be read: enough answers, and an interval narrow enough to say something.
import { z } from 'zod';
import type { SurveyKind } from '../kinds.ts';
import { type Histogram, type Interval, summarize } from '../scoring.ts';
import { compareScores } from './compare.ts';

export type ReliabilitySettings = {
  /** Fewer answers than this and the summary is not reliable. */
  minAnswers: number;
  /** The widest 95 % interval (high − low, in the score's units) that still counts as readable; CSI: 0–100 points. */
  maxIntervalWidth: Record<SurveyKind, number> & { csi?: number | undefined };
};

/**
 * Defaults: 30 answers; an interval at most 40 NPS points (±20), 20 CSAT points (±10), 1 CES scale
 * point (±0.5) or 10 CSI points (±5) wide. A workspace may set its own (PATCH /v1/workspace, `reliability`).
 */
export const defaultReliability: ReliabilitySettings = {
  minAnswers: 30,
  maxIntervalWidth: { nps: 40, csat: 20, ces: 1, csi: 10 },
};

/** CSI's default width, for a workspace setting made without one. */
const defaultCsiWidth = 10;

export type Reliability = { reliable: boolean; reason: string | null };

const units: Record<SurveyKind | 'csi', string> = {
  nps: 'NPS points',
  csat: 'points',
  ces: 'scale points',
  csi: 'CSI points',
};

/** A summary's readability: `reliable: false` with the reason when n is too small or the interval too wide. */
export function reliability(
  summary: { kind: SurveyKind | 'csi'; n: number; ci: Interval | null },
  settings: ReliabilitySettings = defaultReliability,
): Reliability {
  if (summary.n === 0) return { reliable: false, reason: 'no answers' };
  if (summary.n < settings.minAnswers)
    return {
      reliable: false,
      reason: `${summary.n === 1 ? 'one answer' : `${summary.n} answers`}, fewer than the minimum of ${settings.minAnswers}`,
    };
  if (!summary.ci) return { reliable: false, reason: 'no interval could be computed' };
  const width = Math.round((summary.ci.high - summary.ci.low) * 100) / 100;
  const max =
    summary.kind === 'csi'
      ? (settings.maxIntervalWidth.csi ?? defaultCsiWidth)
      : settings.maxIntervalWidth[summary.kind];
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
        csi: z.number().positive().max(100).optional(),
      })
      .strict(),
  })
  .strict();

/** A summary with whether it can be read under the workspace's rule: what every score the API and console show is. */
export function readableSummary(kind: SurveyKind, histogram: Histogram, settings: ReliabilitySettings) {
  const summary = summarize(kind, histogram);
  return { ...summary, ...reliability(summary, settings) };
}

/**
 * A period against another: the change with its test (compareScores), readable only when both periods
 * are, with the reason naming the period that is not; the other period's own summary beside it.
 */
export function comparedSummaries(
  kind: SurveyKind,
  current: Histogram,
  before: Histogram,
  settings: ReliabilitySettings,
) {
  const now = readableSummary(kind, current, settings);
  const previous = readableSummary(kind, before, settings);
  const change = compareScores(kind, current, before);
  const both = !now.reliable
    ? { reliable: false, reason: `this period: ${now.reason}` }
    : !previous.reliable
      ? { reliable: false, reason: `the compared period: ${previous.reason}` }
      : { reliable: true, reason: null };
  return { ...change, ...both, summary: previous };
}
