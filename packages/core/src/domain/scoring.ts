// NPS, CSAT and CES from score counts, each with an honest 95 % confidence interval. Pure functions.
import type { SurveyKind } from './kinds.ts';

export type Segment = 'detractor' | 'passive' | 'promoter';
export type Histogram = ReadonlyMap<number, number> | Readonly<Record<number, number>>;
export type Interval = { low: number; high: number; level: 0.95 };

export const scoreRange: Record<SurveyKind, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export function isValidScore(kind: SurveyKind, score: number): boolean {
  const { min, max } = scoreRange[kind];
  return Number.isInteger(score) && score >= min && score <= max;
}

/**
 * NPS: 0–6 detractor, 7–8 passive, 9–10 promoter. CSAT: 1–2 dissatisfied, 3 neutral, 4–5 satisfied.
 * CES (CES 2.0, 7 = very easy): 1–3 hard, 4 neutral, 5–7 easy.
 */
export function segmentOf(kind: SurveyKind, score: number): Segment {
  if (!isValidScore(kind, score)) throw new RangeError(`score ${score} is outside the ${kind} scale`);
  const { detractorMax, passiveMax } = segmentBounds[kind];
  return score <= detractorMax ? 'detractor' : score <= passiveMax ? 'passive' : 'promoter';
}

const segmentBounds: Record<SurveyKind, { detractorMax: number; passiveMax: number }> = {
  nps: { detractorMax: 6, passiveMax: 8 },
  csat: { detractorMax: 2, passiveMax: 3 },
  ces: { detractorMax: 3, passiveMax: 4 },
};

/** The scores [min, max] of a segment on a survey kind's scale (NPS detractor: 0–6). */
export function segmentRange(kind: SurveyKind, segment: Segment): [number, number] {
  const { detractorMax, passiveMax } = segmentBounds[kind];
  const { min, max } = scoreRange[kind];
  if (segment === 'detractor') return [min, detractorMax];
  if (segment === 'passive') return [detractorMax + 1, passiveMax];
  return [passiveMax + 1, max];
}

/** The lowest score that counts as a promoter (NPS 9, CSAT 4, CES 5). */
export const promoterMin = (kind: SurveyKind) => segmentBounds[kind].passiveMax + 1;

const Z95 = 1.959964;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Validated [score, count] pairs; a bad count or a score off the scale is a RangeError naming it. */
function entries(kind: SurveyKind, h: Histogram): [number, number][] {
  const pairs: [number, number][] =
    h instanceof Map ? [...h.entries()] : Object.entries(h).map(([s, c]) => [Number(s), c as number]);
  for (const [score, count] of pairs) {
    if (!isValidScore(kind, score)) throw new RangeError(`score ${score} is outside the ${kind} scale`);
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`count ${count} for score ${score} is not a whole number ≥ 0`);
  }
  return pairs;
}

const countWhere = (pairs: [number, number][], pred: (score: number) => boolean) =>
  pairs.reduce((n, [s, c]) => (pred(s) ? n + c : n), 0);

export type NpsSummary = {
  kind: 'nps';
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** −100…100, one decimal; null without answers. */
  score: number | null;
  ci: Interval | null;
};

/**
 * The interval is the adjusted Wald interval for a difference of proportions (Rocks 2016): add 3 to n
 * and ¾ to promoters and to detractors, then p′ − d′ ± z·√((p′ + d′ − (p′ − d′)²)/n′). It keeps honest
 * width at small n, where the plain Wald interval collapses to a point.
 */
export function npsSummary(h: Histogram): NpsSummary {
  const pairs = entries('nps', h);
  const promoters = countWhere(pairs, (s) => s >= 9);
  const detractors = countWhere(pairs, (s) => s <= 6);
  const n = countWhere(pairs, () => true);
  const passives = n - promoters - detractors;
  if (n === 0) return { kind: 'nps', n, promoters, passives, detractors, score: null, ci: null };
  const nAdj = n + 3;
  const p = (promoters + 0.75) / nAdj;
  const d = (detractors + 0.75) / nAdj;
  const half = Z95 * Math.sqrt((p + d - (p - d) ** 2) / nAdj);
  return {
    kind: 'nps',
    n,
    promoters,
    passives,
    detractors,
    score: round(((promoters - detractors) / n) * 100, 1),
    ci: {
      low: round(clip(p - d - half, -1, 1) * 100, 1),
      high: round(clip(p - d + half, -1, 1) * 100, 1),
      level: 0.95,
    },
  };
}

/** Wilson score interval for a proportion, in percent. */
export function wilson(successes: number, n: number): Interval | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = Z95 ** 2;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return {
    low: round(clip(centre - half, 0, 1) * 100, 1),
    high: round(clip(centre + half, 0, 1) * 100, 1),
    level: 0.95,
  };
}

const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Two-sided 95 % Student-t critical value: exact table to 30 degrees of freedom, Cornish–Fisher beyond. */
export function tCritical95(df: number): number {
  if (df < 1) throw new RangeError('degrees of freedom must be ≥ 1');
  const exact = T95[df - 1];
  if (exact !== undefined) return exact;
  const z = Z95;
  return (
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * Mean with a t interval, clipped to the scale. With one answer there is no spread to estimate, so
 * no interval; when every answer is equal the sample variance is 0 and the interval is the mean itself.
 */
function meanWithInterval(pairs: [number, number][], n: number, lo: number, hi: number) {
  const { mean, variance } = momentsOfPairs(pairs);
  if (mean === null) return { mean: null, meanCi: null };
  if (variance === null) return { mean: round(mean, 2), meanCi: null };
  const half = tCritical95(n - 1) * Math.sqrt(variance / n);
  return {
    mean: round(mean, 2),
    meanCi: {
      low: round(clip(mean - half, lo, hi), 2),
      high: round(clip(mean + half, lo, hi), 2),
      level: 0.95 as const,
    },
  };
}

function momentsOfPairs(pairs: [number, number][]) {
  const n = countWhere(pairs, () => true);
  if (n === 0) return { n, mean: null, variance: null };
  const mean = pairs.reduce((sum, [s, c]) => sum + s * c, 0) / n;
  if (n < 2) return { n, mean, variance: null };
  return { n, mean, variance: pairs.reduce((sum, [s, c]) => sum + c * (s - mean) ** 2, 0) / (n - 1) };
}

/** n, mean and sample variance (n − 1) of a histogram, unrounded; null where n is too small for them. */
export function moments(
  kind: SurveyKind,
  h: Histogram,
): { n: number; mean: number | null; variance: number | null } {
  return momentsOfPairs(entries(kind, h));
}

export type CsatSummary = {
  kind: 'csat';
  n: number;
  satisfied: number;
  /** Percent answering 4 or 5. */
  score: number | null;
  ci: Interval | null;
  mean: number | null;
  meanCi: Interval | null;
};

export function csatSummary(h: Histogram): CsatSummary {
  const pairs = entries('csat', h);
  const n = countWhere(pairs, () => true);
  const satisfied = countWhere(pairs, (s) => s >= 4);
  return {
    kind: 'csat',
    n,
    satisfied,
    score: n ? round((satisfied / n) * 100, 1) : null,
    ci: wilson(satisfied, n),
    ...meanWithInterval(pairs, n, 1, 5),
  };
}

export type CesSummary = {
  kind: 'ces';
  n: number;
  easy: number;
  /** Mean effort score, 1–7 (higher is easier). */
  score: number | null;
  ci: Interval | null;
  /** Percent answering 5–7, with its Wilson interval. */
  easyShare: number | null;
  easyShareCi: Interval | null;
};

export function cesSummary(h: Histogram): CesSummary {
  const pairs = entries('ces', h);
  const n = countWhere(pairs, () => true);
  const easy = countWhere(pairs, (s) => s >= 5);
  const { mean, meanCi } = meanWithInterval(pairs, n, 1, 7);
  return {
    kind: 'ces',
    n,
    easy,
    score: mean,
    ci: meanCi,
    easyShare: n ? round((easy / n) * 100, 1) : null,
    easyShareCi: wilson(easy, n),
  };
}

export function summarize(kind: SurveyKind, h: Histogram): NpsSummary | CsatSummary | CesSummary {
  switch (kind) {
    case 'nps':
      return npsSummary(h);
    case 'csat':
      return csatSummary(h);
    case 'ces':
      return cesSummary(h);
  }
}
