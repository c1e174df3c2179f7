// CSI, the Customer Satisfaction Index: satisfaction per attribute weighted by its importance, 0–100.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Interval } from '../scoring.ts';

export type CsiAttribute = {
  key: string;
  /** The attribute's rating scale, e.g. 1–5. */
  min: number;
  max: number;
  /** Operator-set importance (any scale ≥ 0; normalised). */
  importance?: number | undefined;
};

export type CsiRespondent = {
  /** The main score of the answer (NPS 0–10, CSAT 1–5, CES 1–7): what derived importance correlates with. */
  overall: number;
  ratings: Readonly<Record<string, number | null | undefined>>;
};

/**
 * stated: every attribute has an operator-set importance; derived: each attribute's Pearson correlation
 * with the overall score, negative ones as 0, normalised to sum 1; equal: derived found no positive
 * correlation (or too few answers), so every attribute weighs the same.
 */
export type CsiMethod = 'stated' | 'derived' | 'equal';

export type CsiAttributeResult = {
  key: string;
  n: number;
  /** Mean rating rescaled to 0–100. */
  satisfaction: number | null;
  /** Weight in the index, 0–1, summing to 1 over the rated attributes. */
  importance: number | null;
  /** importance × (100 − satisfaction): what to fix first (largest first). */
  priority: number | null;
};

export type CsiResult = {
  method: CsiMethod;
  /** How the interval was found. */
  interval: { method: 'bootstrap-percentile'; resamples: number; seed: number };
  /** Respondents who rated at least one attribute. */
  n: number;
  score: number | null;
  ci: Interval | null;
  attributes: CsiAttributeResult[];
};

export const csiBootstrap = { resamples: 1000, seed: 13 };

const round1 = (x: number) => Math.round(x * 10) / 10;

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

type Point = {
  score: number | null;
  sat: (number | null)[];
  weights: (number | null)[];
  n: number[];
  method: CsiMethod;
};

/** The index on one sample of respondents (the data, or a bootstrap resample of it). */
function estimate(
  attributes: readonly CsiAttribute[],
  sample: readonly CsiRespondent[],
  stated: boolean,
): Point {
  const sums = attributes.map(() => 0);
  const ns = attributes.map(() => 0);
  const pairs = attributes.map(() => ({ xs: [] as number[], ys: [] as number[] }));
  for (const r of sample) {
    attributes.forEach((a, i) => {
      const v = r.ratings[a.key];
      if (v === null || v === undefined) return;
      sums[i] = (sums[i] as number) + ((v - a.min) / (a.max - a.min)) * 100;
      ns[i] = (ns[i] as number) + 1;
      pairs[i]?.xs.push(v);
      pairs[i]?.ys.push(r.overall);
    });
  }
  const sat = attributes.map((_, i) => ((ns[i] as number) ? (sums[i] as number) / (ns[i] as number) : null));
  let method: CsiMethod = stated ? 'stated' : 'derived';
  let raw = attributes.map((a, i) => {
    if (sat[i] === null) return null;
    if (stated) return a.importance ?? 0;
    const r = pearson(pairs[i]?.xs ?? [], pairs[i]?.ys ?? []);
    return r === null ? 0 : Math.max(0, r);
  });
  const total = raw.reduce<number>((s, w) => s + (w ?? 0), 0);
  if (total === 0) {
    method = 'equal';
    raw = raw.map((w) => (w === null ? null : 1));
  }
  const sum = raw.reduce<number>((s, w) => s + (w ?? 0), 0);
  const weights = raw.map((w) => (w === null || sum === 0 ? null : w / sum));
  const score = sum === 0 ? null : weights.reduce<number>((s, w, i) => s + (w ?? 0) * (sat[i] ?? 0), 0);
  return { score, sat, weights, n: ns, method };
}

/**
 * The index with a 95 % percentile-bootstrap interval: respondents resampled with replacement
 * (xoroshiro128+ with a fixed seed, so the same data always gives the same interval), the importance
 * re-derived in every resample when it is derived.
 */
export function csi(
  attributes: readonly CsiAttribute[],
  respondents: readonly CsiRespondent[],
  options: { resamples?: number; seed?: number } = {},
): CsiResult {
  const resamples = options.resamples ?? csiBootstrap.resamples;
  const seed = options.seed ?? csiBootstrap.seed;
  const stated = attributes.length > 0 && attributes.every((a) => a.importance !== undefined);
  const rated = respondents.filter((r) =>
    attributes.some((a) => r.ratings[a.key] !== null && r.ratings[a.key] !== undefined),
  );
  const point = estimate(attributes, rated, stated);
  let ci: Interval | null = null;
  if (point.score !== null && rated.length >= 2) {
    const rng = xoroshiro128plus(seed);
    const scores: number[] = [];
    const sample: CsiRespondent[] = new Array(rated.length);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < rated.length; i++)
        sample[i] = rated[uniformInt(rng, 0, rated.length - 1)] as CsiRespondent;
      const s = estimate(attributes, sample, stated).score;
      if (s !== null) scores.push(s);
    }
    scores.sort((a, b) => a - b);
    const at = (q: number) =>
      scores[Math.min(scores.length - 1, Math.max(0, Math.floor(q * scores.length)))] as number;
    // The percentile interval always holds the estimate when the resamples do; clamp for the rare case
    // a skewed resample distribution leaves it just outside.
    ci = {
      low: round1(Math.min(at(0.025), point.score)),
      high: round1(Math.max(at(0.975), point.score)),
      level: 0.95,
    };
  }
  const results = attributes.map((a, i) => {
    const satisfaction = point.sat[i] ?? null;
    const importance = point.weights[i] ?? null;
    return {
      key: a.key,
      n: point.n[i] ?? 0,
      satisfaction: satisfaction === null ? null : round1(satisfaction),
      importance: importance === null ? null : Math.round(importance * 1000) / 1000,
      priority:
        satisfaction === null || importance === null ? null : round1(importance * (100 - satisfaction)),
    };
  });
  return {
    method: point.method,
    interval: { method: 'bootstrap-percentile', resamples, seed },
    n: rated.length,
    score: point.score === null ? null : round1(point.score),
    ci,
    attributes: results.sort((x, y) => (y.priority ?? -1) - (x.priority ?? -1)),
  };
}
