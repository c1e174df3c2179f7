import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsiAttribute, csi } from './csi.ts';

// Ten answers: the overall NPS score and three attribute ratings on 1–5.
const overall = [9, 10, 6, 3, 8, 7, 10, 2, 9, 5];
const delivery = [5, 5, 3, 1, 4, 4, 5, 2, 5, 3];
const product = [4, 5, 4, 3, 4, 3, 5, 3, 4, 4];
const support = [3, 2, 4, 3, 2, 5, 3, 4, 2, 3];
const respondents = overall.map((o, i) => ({
  overall: o,
  ratings: { delivery: delivery[i], product: product[i], support: support[i] },
}));
const attrs = (importance?: [number, number, number]): CsiAttribute[] =>
  ['delivery', 'product', 'support'].map((key, i) => ({ key, min: 1, max: 5, importance: importance?.[i] }));

describe('csi', () => {
  it('derived importance: correlations with the overall score, negative as 0, normalised (numpy.corrcoef)', () => {
    // numpy 2 / Python 3: r(delivery) = 0.95527, r(product) = 0.78836, r(support) = −0.46718 → weights
    // 0.54786, 0.45214, 0; satisfaction (mean−1)/4·100 = 67.5, 72.5, 52.5; CSI = 69.76068
    const r = csi(attrs(), respondents);
    expect(r).toMatchObject({ method: 'derived', n: 10, score: 69.8 });
    expect(r.interval).toEqual({ method: 'bootstrap-percentile', resamples: 1000, seed: 13 });
    const by = Object.fromEntries(r.attributes.map((a) => [a.key, a]));
    expect(by.delivery).toMatchObject({ n: 10, satisfaction: 67.5, importance: 0.548 });
    expect(by.product).toMatchObject({ satisfaction: 72.5, importance: 0.452 });
    expect(by.support).toMatchObject({ satisfaction: 52.5, importance: 0, priority: 0 });
    // What to fix first: importance × (100 − satisfaction): delivery 17.8, product 12.4, support 0
    expect(r.attributes.map((a) => a.key)).toEqual(['delivery', 'product', 'support']);
  });

  it('stated importance 3:2:1 → (3·67.5 + 2·72.5 + 1·52.5)/6 = 66.7 (by hand)', () => {
    const r = csi(attrs([3, 2, 1]), respondents);
    expect(r).toMatchObject({ method: 'stated', score: 66.7 });
    expect(r.attributes.find((a) => a.key === 'delivery')?.importance).toBe(0.5);
  });

  it('the same data and seed give the same interval; the interval holds the estimate', () => {
    const a = csi(attrs(), respondents);
    const b = csi(attrs(), respondents);
    expect(a.ci).toEqual(b.ci);
    expect(a.ci && a.ci.low <= (a.score as number) && (a.score as number) <= a.ci.high).toBe(true);
    expect(csi(attrs(), respondents, { seed: 99 }).ci).not.toBeNull();
  });

  it('no ratings: no score; derived without any positive correlation weighs attributes equally', () => {
    expect(csi(attrs(), [{ overall: 5, ratings: {} }])).toMatchObject({ n: 0, score: null, ci: null });
    const flat = [1, 2, 3, 4].map((o) => ({
      overall: o,
      ratings: { delivery: 5 - o + 1, product: 3, support: 3 },
    }));
    expect(csi(attrs(), flat)).toMatchObject({ method: 'equal' });
  });

  it('property: the index and its interval stay within 0–100 and the interval holds the estimate', () => {
    const rating = fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined });
    const respondent = fc.record({
      overall: fc.integer({ min: 0, max: 10 }),
      ratings: fc.record({ delivery: rating, product: rating, support: rating }),
    });
    fc.assert(
      fc.property(fc.array(respondent, { maxLength: 40 }), fc.boolean(), (rs, stated) => {
        const r = csi(attrs(stated ? [1, 2, 3] : undefined), rs, { resamples: 200 });
        if (r.score === null) return;
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(100);
        if (r.ci) {
          expect(r.ci.low).toBeGreaterThanOrEqual(0);
          expect(r.ci.high).toBeLessThanOrEqual(100);
          expect(r.ci.low <= r.score && r.score <= r.ci.high).toBe(true);
        }
        const weights = r.attributes
          .filter((a) => a.importance !== null)
          .reduce((s, a) => s + (a.importance as number), 0);
        expect(weights).toBeCloseTo(1, 2);
      }),
      { numRuns: 60 },
    );
  });
});
