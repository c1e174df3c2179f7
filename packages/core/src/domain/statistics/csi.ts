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

type Point = {
  score: number | null;
  sat: (number | null)[];
  weights: (number | null)[];
  n: number[];
  method: CsiMethod;
};

/** The answers as columns: one rating column per attribute (NaN: not rated) and the overall scores. */
type Columns = { ratings: Float64Array[]; overall: Float64Array };

function columns(attributes: readonly CsiAttribute[], respondents: readonly CsiRespondent[]): Columns {
  const ratings = attributes.map((a) => {
    const col = new Float64Array(respondents.length);
    respondents.forEach((r, i) => {
      const v = r.ratings[a.key];
      col[i] = v === null || v === undefined ? Number.NaN : v;
    });
    return col;
  });
  return { ratings, overall: Float64Array.from(respondents, (r) => r.overall) };
}

/**
 * The index on one sample: the rows `rows` of the columns (the data, or a bootstrap resample), from
 * sums alone (n, Σx, Σx², Σy, Σy², Σxy per attribute), so a resample costs one pass and no allocation.
 */
function estimate(
  attributes: readonly CsiAttribute[],
  data: Columns,
  rows: Uint32Array,
  stated: boolean,
): Point {
  const k = attributes.length;
  const sat: (number | null)[] = new Array(k);
  const ns: number[] = new Array(k);
  const raw: (number | null)[] = new Array(k);
  for (let j = 0; j < k; j++) {
    const a = attributes[j] as CsiAttribute;
    const col = data.ratings[j] as Float64Array;
    let n = 0;
    let sx = 0;
    let sxx = 0;
    let sy = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number;
      const x = col[row] as number;
      if (Number.isNaN(x)) continue; // not rated
      const y = data.overall[row] as number;
      n++;
      sx += x;
      sxx += x * x;
      sy += y;
      syy += y * y;
      sxy += x * y;
    }
    ns[j] = n;
    sat[j] = n ? ((sx / n - a.min) / (a.max - a.min)) * 100 : null;
    if (!n) raw[j] = null;
    else if (stated) raw[j] = a.importance ?? 0;
    else {
      // Pearson's r from the sums; fewer than 3 pairs or no spread on either side says nothing.
      const vx = n * sxx - sx * sx;
      const vy = n * syy - sy * sy;
      const r = n < 3 || vx <= 0 || vy <= 0 ? 0 : (n * sxy - sx * sy) / Math.sqrt(vx * vy);
      raw[j] = Math.max(0, r);
    }
  }
  let method: CsiMethod = stated ? 'stated' : 'derived';
  let weights = raw;
  if (raw.reduce<number>((s, w) => s + (w ?? 0), 0) === 0) {
    method = 'equal';
    weights = raw.map((w) => (w === null ? null : 1));
  }
  const sum = weights.reduce<number>((s, w) => s + (w ?? 0), 0);
  const normalised = weights.map((w) => (w === null || sum === 0 ? null : w / sum));
  const score = sum === 0 ? null : normalised.reduce<number>((s, w, j) => s + (w ?? 0) * (sat[j] ?? 0), 0);
  return { score, sat, weights: normalised, n: ns, method };
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
  const data = columns(attributes, rated);
  const all = Uint32Array.from(rated, (_, i) => i);
  const point = estimate(attributes, data, all, stated);
  let ci: Interval | null = null;
  if (point.score !== null && rated.length >= 2) {
    const rng = xoroshiro128plus(seed);
    const scores: number[] = [];
    const sample = new Uint32Array(rated.length);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < sample.length; i++) sample[i] = uniformInt(rng, 0, rated.length - 1);
      const s = estimate(attributes, data, sample, stated).score;
      if (s !== null) scores.push(s);
    }
    scores.sort((a, b) => a - b);
    const at = (q: number) =>
      scores[Math.min(scores.length - 1, Math.max(0, Math.floor(q * scores.length)))] as number;
    // The percentile interval holds the estimate when the resamples do; clamp for the rare case a
    // skewed resample distribution leaves it just outside.
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
