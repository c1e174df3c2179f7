// Drivers: each value of an event property against all the other answers, corrected for the number of values.
import type { SurveyKind } from '../kinds.ts';
import { type Histogram, type Interval, summarize } from '../scoring.ts';
import { compareScores, defaultAlpha } from './compare.ts';
import { benjaminiHochberg } from './multiple.ts';
import {
  defaultReliability,
  type Reliability,
  type ReliabilitySettings,
  reliability,
} from './reliability.ts';

export type Driver = {
  value: unknown;
  n: number;
  /** This value's share of all answers, 0–1. */
  share: number;
  score: number | null;
  ci: Interval | null;
  /** This value's score minus the score of every other answer, with its 95 % interval. */
  gap: number | null;
  gapCi: Interval | null;
  p: number | null;
  /** Benjamini–Hochberg adjusted p-value over all values compared. */
  pAdjusted: number | null;
  /** The gap is significant after the correction (pAdjusted ≤ alpha). */
  significant: boolean;
  /** gap × share: how far this value moves the whole score. */
  impact: number | null;
} & Reliability;

const add = (into: Map<number, number>, h: Histogram) => {
  const pairs =
    h instanceof Map ? [...h.entries()] : Object.entries(h).map(([s, c]) => [Number(s), c as number]);
  for (const [s, c] of pairs) into.set(s as number, (into.get(s as number) ?? 0) + (c as number));
};

/**
 * One row per value: its score against the rest (the same test as compareScores), BH-adjusted across
 * the values, sorted by |impact| (largest first; the sign says up or down), values without a gap last.
 */
export function drivers(
  kind: SurveyKind,
  groups: readonly { value: unknown; histogram: Histogram }[],
  options: { alpha?: number; settings?: ReliabilitySettings } = {},
): Driver[] {
  const alpha = options.alpha ?? defaultAlpha;
  const total = new Map<number, number>();
  for (const g of groups) add(total, g.histogram);
  const all = summarize(kind, total).n;
  const rows = groups.map((g) => {
    const rest = new Map(total);
    const own = new Map<number, number>();
    add(own, g.histogram);
    for (const [s, c] of own) rest.set(s, (rest.get(s) ?? 0) - c);
    const summary = summarize(kind, own);
    const change = compareScores(kind, own, rest, alpha);
    const share = all ? summary.n / all : 0;
    return {
      value: g.value,
      n: summary.n,
      share: Math.round(share * 1000) / 1000,
      score: summary.score,
      ci: summary.ci,
      gap: change.change,
      gapCi: change.ci,
      p: change.p,
      impact: change.change === null ? null : Math.round(change.change * share * 100) / 100,
      ...reliability(summary, options.settings ?? defaultReliability),
    };
  });
  const { adjusted, rejected } = benjaminiHochberg(
    rows.map((r) => r.p),
    alpha,
  );
  return rows
    .map((r, i) => ({ ...r, pAdjusted: adjusted[i] ?? null, significant: rejected[i] ?? false }))
    .sort((a, b) => weight(b.impact) - weight(a.impact) || b.n - a.n);
}

const weight = (impact: number | null) => (impact === null ? -1 : Math.abs(impact));
