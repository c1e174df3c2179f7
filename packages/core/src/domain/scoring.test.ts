import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cesSummary, csatSummary, npsSummary, segmentOf, summarize, tCritical95 } from './scoring.ts';

const npsCounts = fc.record({
  promoters: fc.nat({ max: 500 }),
  passives: fc.nat({ max: 500 }),
  detractors: fc.nat({ max: 500 }),
});
const hist = (c: { promoters: number; passives: number; detractors: number }) =>
  new Map([
    [10, c.promoters],
    [7, c.passives],
    [3, c.detractors],
  ]);
/** The adjusted point estimate the interval is centred on. */
const adjusted = (c: { promoters: number; passives: number; detractors: number }) => {
  const n = c.promoters + c.passives + c.detractors + 3;
  return ((c.promoters + 0.75) / n - (c.detractors + 0.75) / n) * 100;
};

describe('npsSummary', () => {
  it('one detractor: NPS −100 with the adjusted-Wald interval [−98.5, 48.5]', () => {
    expect(npsSummary({ 3: 1 })).toEqual({
      kind: 'nps',
      n: 1,
      promoters: 0,
      passives: 0,
      detractors: 1,
      score: -100,
      ci: { low: -98.5, high: 48.5, level: 0.95 },
    });
  });

  it('ten promoters: NPS 100, and the interval still admits doubt', () => {
    const s = npsSummary({ 10: 10 });
    expect(s.score).toBe(100);
    // p′ = 10.75/13, d′ = 0.75/13: centre 76.9, half-width 1.96·√((p′+d′−(p′−d′)²)/13) = 29.4
    expect(s.ci).toEqual({ low: 47.5, high: 100, level: 0.95 });
  });

  it('a mixed sample, checked by hand: 50 promoters, 30 passives, 20 detractors', () => {
    const s = npsSummary({ 9: 30, 10: 20, 7: 30, 0: 5, 6: 15 });
    expect(s).toMatchObject({ n: 100, promoters: 50, passives: 30, detractors: 20, score: 30 });
    // n′ = 103, p′ = .4927, d′ = .2015; centre 29.1; var = (.6942 − .0848)/103 = .005916; half = 15.1
    expect(s.ci).toEqual({ low: 14.1, high: 44.2, level: 0.95 });
  });

  it('no answers: no score and no interval, never NaN', () => {
    expect(npsSummary(new Map())).toMatchObject({ n: 0, score: null, ci: null });
  });

  it('refuses counts that are negative or fractional and scores off the scale', () => {
    expect(() => npsSummary({ 5: -1 })).toThrow(RangeError);
    expect(() => npsSummary({ 5: 1.5 })).toThrow(/count 1.5/);
    expect(() => npsSummary({ 11: 1 })).toThrow(/score 11/);
  });

  it('property: the interval contains the adjusted estimate and stays within [−100, 100]', () => {
    fc.assert(
      fc.property(npsCounts, (c) => {
        fc.pre(c.promoters + c.passives + c.detractors > 0);
        const s = npsSummary(hist(c));
        if (!s.ci || s.score === null) throw new Error('missing estimate');
        expect(s.ci.low).toBeLessThanOrEqual(Math.round(adjusted(c) * 10) / 10 + 1e-9);
        expect(s.ci.high).toBeGreaterThanOrEqual(Math.round(adjusted(c) * 10) / 10 - 1e-9);
        expect(s.ci.low).toBeGreaterThanOrEqual(-100);
        expect(s.ci.high).toBeLessThanOrEqual(100);
        expect(Math.abs(s.score)).toBeLessThanOrEqual(100);
      }),
    );
  });

  it('property: one more promoter never lowers the score', () => {
    fc.assert(
      fc.property(npsCounts, (c) => {
        fc.pre(c.promoters + c.passives + c.detractors > 0);
        const before = npsSummary(hist(c)).score ?? 0;
        const after = npsSummary(hist({ ...c, promoters: c.promoters + 1 })).score ?? 0;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it('property: four times the answers in the same proportions never widen the interval', () => {
    fc.assert(
      fc.property(npsCounts, (c) => {
        fc.pre(c.promoters + c.passives + c.detractors > 0);
        const a = npsSummary(hist(c)).ci;
        const b = npsSummary(
          hist({ promoters: c.promoters * 4, passives: c.passives * 4, detractors: c.detractors * 4 }),
        ).ci;
        if (!a || !b) throw new Error('missing interval');
        expect(b.high - b.low).toBeLessThanOrEqual(a.high - a.low + 0.1);
      }),
    );
  });

  it('property: a Map and a record histogram give the same result', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.integer({ min: 0, max: 10 }).map(String), fc.nat({ max: 50 })), (rec) => {
        const map = new Map(Object.entries(rec).map(([k, v]) => [Number(k), v]));
        expect(npsSummary(map)).toEqual(npsSummary(rec as Record<number, number>));
      }),
    );
  });
});

describe('segmentOf', () => {
  it('splits each scale where the methods do', () => {
    expect([6, 7, 8, 9].map((s) => segmentOf('nps', s))).toEqual([
      'detractor',
      'passive',
      'passive',
      'promoter',
    ]);
    expect([2, 3, 4].map((s) => segmentOf('csat', s))).toEqual(['detractor', 'passive', 'promoter']);
    expect([3, 4, 5].map((s) => segmentOf('ces', s))).toEqual(['detractor', 'passive', 'promoter']);
    expect(() => segmentOf('csat', 0)).toThrow(RangeError);
  });

  it('property: segments never go down as the score goes up', () => {
    const rank = { detractor: 0, passive: 1, promoter: 2 };
    for (const [kind, max] of [
      ['nps', 10],
      ['csat', 5],
      ['ces', 7],
    ] as const) {
      const min = kind === 'nps' ? 0 : 1;
      for (let s = min; s < max; s++)
        expect(rank[segmentOf(kind, s + 1)]).toBeGreaterThanOrEqual(rank[segmentOf(kind, s)]);
    }
  });
});

describe('csatSummary and cesSummary', () => {
  it('CSAT: share of 4–5 with a Wilson interval, and the mean with a t interval', () => {
    const s = csatSummary({ 5: 6, 4: 2, 3: 1, 1: 1 });
    expect(s).toMatchObject({ n: 10, satisfied: 8, score: 80, mean: 4.2 });
    expect(s.ci).toEqual({ low: 49, high: 94.3, level: 0.95 });
    expect(s.meanCi?.low).toBeLessThan(4.2);
    expect(s.meanCi?.high).toBeGreaterThan(4.2);
  });

  it('CES: one answer has a mean but no interval; equal answers collapse the interval to the mean', () => {
    expect(cesSummary({ 6: 1 })).toMatchObject({ n: 1, score: 6, ci: null });
    expect(cesSummary({ 5: 4 }).ci).toEqual({ low: 5, high: 5, level: 0.95 });
  });

  it('property: CSAT and CES intervals contain their estimate and stay on the scale', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 7, maxLength: 7 }), (counts) => {
        fc.pre(counts.reduce((a, b) => a + b, 0) > 1);
        const ces = cesSummary(Object.fromEntries(counts.map((c, i) => [i + 1, c])));
        expect(ces.ci && ces.score !== null && ces.ci.low <= ces.score && ces.score <= ces.ci.high).toBe(
          true,
        );
        expect(ces.ci && ces.ci.low >= 1 && ces.ci.high <= 7).toBe(true);
        const csat = csatSummary(Object.fromEntries(counts.slice(0, 5).map((c, i) => [i + 1, c])));
        if (csat.n > 0) {
          expect(
            csat.ci && csat.score !== null && csat.ci.low <= csat.score && csat.score <= csat.ci.high,
          ).toBe(true);
          expect(csat.ci && csat.ci.low >= 0 && csat.ci.high <= 100).toBe(true);
        }
      }),
    );
  });

  it('t critical values match the table and approach 1.96', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(30)).toBe(2.042);
    expect(tCritical95(60)).toBeCloseTo(2.0, 2);
    expect(tCritical95(10_000)).toBeCloseTo(1.96, 2);
  });

  it('summarize dispatches on the survey kind', () => {
    expect(summarize('csat', { 5: 1 }).kind).toBe('csat');
    expect(summarize('ces', { 5: 1 }).kind).toBe('ces');
  });
});
