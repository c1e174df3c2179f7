// The change of a score between two periods with its 95 % interval and two-sided p-value. Pure functions.
import type { SurveyKind } from '../kinds.ts';
import { csatSummary, type Histogram, type Interval, moments, npsSummary } from '../scoring.ts';
import { normalTwoSidedP, tCritical95Fractional, tTwoSidedP, Z95 } from './distributions.ts';

/** How the change was tested: NPS difference (z), CSAT two proportions (z), CES Welch's t-test. */
export type CompareMethod = 'nps-difference' | 'two-proportions' | 'welch-t';

export type ScoreChange = {
  kind: SurveyKind;
  method: CompareMethod;
  /** Each period's score on the summary's scale (NPS −100…100, CSAT % satisfied, CES mean 1–7). */
  current: number | null;
  previous: number | null;
  /** current − previous, in the score's units (NPS and CSAT points, CES scale points); null without data. */
  change: number | null;
  ci: Interval | null;
  /** Two-sided p-value; null when the test cannot be made (too few answers, or no spread at all). */
  p: number | null;
  /** p below alpha (0.05 unless asked otherwise). */
  significant: boolean;
  /** Welch–Satterthwaite degrees of freedom (CES only). */
  df?: number;
};

export const defaultAlpha = 0.05;

/** Rounds half away from zero, so a change and its reverse round to opposite numbers. */
const round = (x: number, digits: number) =>
  (Math.sign(x) * Math.round(Math.abs(x) * 10 ** digits)) / 10 ** digits || 0;

/** An estimate with its standard error and a p-value, before rounding. */
type Test = {
  current: number;
  previous: number;
  diff: number;
  se: number;
  p: number | null;
  crit: number;
  df?: number;
};

/**
 * NPS: each period's NPS as p − d with variance (p + d − (p − d)²)/n; the difference has the sum of the
 * two variances; z = diff/se, normal interval. The statistic of Rocks (2016), "Confidence intervals for
 * the Net Promoter Score", for two independent samples.
 */
function npsTest(current: Histogram, previous: Histogram): Test | null {
  const a = npsSummary(current);
  const b = npsSummary(previous);
  if (a.n === 0 || b.n === 0) return null;
  const part = (s: typeof a) => {
    const p = s.promoters / s.n;
    const d = s.detractors / s.n;
    return { nps: p - d, variance: (p + d - (p - d) ** 2) / s.n };
  };
  const x = part(a);
  const y = part(b);
  const diff = x.nps - y.nps;
  const se = Math.sqrt(x.variance + y.variance);
  return {
    current: x.nps * 100,
    previous: y.nps * 100,
    diff: diff * 100,
    se: se * 100,
    p: se > 0 ? normalTwoSidedP(diff / se) : diff === 0 ? 1 : null,
    crit: Z95,
  };
}

/**
 * Two proportions, as R's prop.test(correct = FALSE): the p-value from the pooled z (= the χ² test of
 * the 2×2 table), the interval from the unpooled Wald standard error.
 */
export function twoProportions(
  successesA: number,
  nA: number,
  successesB: number,
  nB: number,
): { diff: number; se: number; p: number } | null {
  if (nA === 0 || nB === 0) return null;
  const pa = successesA / nA;
  const pb = successesB / nB;
  const pooled = (successesA + successesB) / (nA + nB);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const diff = pa - pb;
  return {
    diff,
    se: Math.sqrt((pa * (1 - pa)) / nA + (pb * (1 - pb)) / nB),
    // se0 is 0 only when every answer in both periods is on one side, where the difference is 0 too.
    p: se0 > 0 ? normalTwoSidedP(diff / se0) : 1,
  };
}

function csatTest(current: Histogram, previous: Histogram): Test | null {
  const a = csatSummary(current);
  const b = csatSummary(previous);
  const t = twoProportions(a.satisfied, a.n, b.satisfied, b.n);
  if (!t) return null;
  return {
    current: (a.satisfied / a.n) * 100,
    previous: (b.satisfied / b.n) * 100,
    diff: t.diff * 100,
    se: t.se * 100,
    p: t.p,
    crit: Z95,
  };
}

/** Welch's t-test of two means with the Welch–Satterthwaite degrees of freedom. */
export function welch(
  a: { n: number; mean: number; variance: number },
  b: { n: number; mean: number; variance: number },
): { diff: number; se: number; df: number; p: number | null; crit: number } {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const diff = a.mean - b.mean;
  if (se === 0) return { diff, se, df: a.n + b.n - 2, p: diff === 0 ? 1 : null, crit: 0 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { diff, se, df, p: tTwoSidedP(diff / se, df), crit: tCritical95Fractional(df) };
}

function cesTest(current: Histogram, previous: Histogram): Test | null {
  const a = moments('ces', current);
  const b = moments('ces', previous);
  if (a.mean === null || b.mean === null || a.variance === null || b.variance === null) return null;
  const w = welch(
    { n: a.n, mean: a.mean, variance: a.variance },
    { n: b.n, mean: b.mean, variance: b.variance },
  );
  return { current: a.mean, previous: b.mean, ...w };
}

const methods: Record<SurveyKind, CompareMethod> = {
  nps: 'nps-difference',
  csat: 'two-proportions',
  ces: 'welch-t',
};

/**
 * The change from `previous` to `current` (current − previous) with its 95 % interval and two-sided
 * p-value. NPS: difference of two NPS values; CSAT: two proportions of satisfied (4–5); CES: Welch's
 * t-test of the mean effort. Without enough answers in either period (CES: two each) the change or the
 * test is null and `significant` is false.
 */
export function compareScores(
  kind: SurveyKind,
  current: Histogram,
  previous: Histogram,
  alpha = defaultAlpha,
): ScoreChange {
  const test =
    kind === 'nps'
      ? npsTest(current, previous)
      : kind === 'csat'
        ? csatTest(current, previous)
        : cesTest(current, previous);
  const digits = kind === 'ces' ? 2 : 1;
  const base = { kind, method: methods[kind] };
  if (!test) {
    const c = kind === 'ces' ? moments('ces', current).mean : null;
    const pr = kind === 'ces' ? moments('ces', previous).mean : null;
    return {
      ...base,
      current: c === null ? scoreOf(kind, current) : round(c, digits),
      previous: pr === null ? scoreOf(kind, previous) : round(pr, digits),
      change: null,
      ci: null,
      p: null,
      significant: false,
    };
  }
  const half = test.crit * test.se;
  return {
    ...base,
    current: round(test.current, digits),
    previous: round(test.previous, digits),
    change: round(test.diff, digits),
    ci: { low: round(test.diff - half, digits), high: round(test.diff + half, digits), level: 0.95 },
    p: test.p,
    significant: test.p !== null && test.p < alpha,
    ...(test.df !== undefined ? { df: round(test.df, 2) } : {}),
  };
}

function scoreOf(kind: SurveyKind, h: Histogram): number | null {
  if (kind === 'nps') return npsSummary(h).score;
  if (kind === 'csat') return csatSummary(h).score;
  return null;
}
