import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareScores, twoProportions, welch } from './compare.ts';

const nps = (promoters: number, passives: number, detractors: number) =>
  new Map([
    [10, promoters],
    [8, passives],
    [2, detractors],
  ]);

describe('compareScores: NPS, the difference of two NPS values', () => {
  it('matches the formula computed by hand (Python 3 + scipy 1.17.1, scipy.stats.norm.sf)', () => {
    // current 50/30/20 (NPS 30), previous 40/30/30 (NPS 10). Var = (p + d − (p − d)²)/n:
    // (.5 + .2 − .09)/100 = .0061 and (.4 + .3 − .01)/100 = .0069; se = √.013 = 11.4018 points;
    // z = 20/11.4018 = 1.7541; p = 2·norm.sf(1.7541) = 0.0794106; 95 % CI 20 ± 1.96·11.4018.
    const c = compareScores('nps', nps(50, 30, 20), nps(40, 30, 30));
    expect(c).toMatchObject({ method: 'nps-difference', current: 30, previous: 10, change: 20 });
    expect(c.p).toBeCloseTo(0.07941062599894227, 8);
    expect(c.ci).toEqual({ low: -2.3, high: 42.3, level: 0.95 });
    expect(c.significant).toBe(false);
  });

  it('a larger drop is significant (by hand, same formula: p = 0.0023217)', () => {
    // current 30/10/10 (NPS 40), previous 20/15/25 (NPS −8.3): change 48.3, se 15.8695
    const c = compareScores('nps', nps(30, 10, 10), nps(20, 15, 25));
    expect(c.change).toBe(48.3);
    expect(c.p).toBeCloseTo(0.0023216622111783144, 8);
    expect(c.ci).toEqual({ low: 17.2, high: 79.4, level: 0.95 });
    expect(c.significant).toBe(true);
  });

  it('an empty period gives no change and no test, never NaN', () => {
    const c = compareScores('nps', nps(3, 0, 0), new Map());
    expect(c).toMatchObject({
      current: 100,
      previous: null,
      change: null,
      ci: null,
      p: null,
      significant: false,
    });
  });

  it('two periods with no spread: equal ones have p = 1, different ones no test', () => {
    expect(compareScores('nps', nps(5, 0, 0), nps(9, 0, 0)).p).toBe(1);
    expect(compareScores('nps', nps(5, 0, 0), nps(0, 0, 5))).toMatchObject({
      change: 200,
      p: null,
      significant: false,
    });
  });
});

describe('compareScores: CSAT, two proportions', () => {
  it("matches R's prop.test(correct = FALSE): scipy.stats.chi2_contingency([[80,20],[65,35]], correction=False)", () => {
    // p = 0.017528861260372782; the unpooled Wald interval 15 ± 1.96·√(.8·.2/100 + .65·.35/100) = [2.8, 27.2]
    const c = compareScores('csat', { 5: 50, 4: 30, 3: 10, 1: 10 }, { 5: 40, 4: 25, 2: 35 });
    expect(c).toMatchObject({ method: 'two-proportions', current: 80, previous: 65, change: 15 });
    expect(c.p).toBeCloseTo(0.017528861260372782, 8);
    expect(c.ci).toEqual({ low: 2.8, high: 27.2, level: 0.95 });
    expect(c.significant).toBe(true);
  });

  it('every answer satisfied in both periods: no difference, p = 1', () => {
    expect(twoProportions(10, 10, 20, 20)).toMatchObject({ diff: 0, p: 1 });
  });
});

describe('compareScores: CES, Welch’s t-test', () => {
  it('matches scipy.stats.ttest_ind(equal_var=False) and its confidence_interval(0.95)', () => {
    // current 7×10, 6×8, 5×4, 4×2, 2×1 (mean 5.92); previous 6×5, 5×6, 4×5, 3×3, 1×1 (mean 4.5)
    // scipy 1.17.1: t = 3.6675396792593866, p = 0.0007140358306770517, df = 39.94078457002788,
    // CI [0.637442794696866, 2.2025572053031337]
    const c = compareScores('ces', { 7: 10, 6: 8, 5: 4, 4: 2, 2: 1 }, { 6: 5, 5: 6, 4: 5, 3: 3, 1: 1 });
    expect(c).toMatchObject({ method: 'welch-t', current: 5.92, previous: 4.5, change: 1.42, df: 39.94 });
    expect(c.p).toBeCloseTo(0.0007140358306770517, 8);
    expect(c.ci).toEqual({ low: 0.64, high: 2.2, level: 0.95 });
    expect(c.significant).toBe(true);
  });

  it('Welch’s degrees of freedom reduce to n − 1 of the varying sample when the other has no spread', () => {
    const w = welch({ n: 5, mean: 5, variance: 0 }, { n: 10, mean: 4, variance: 2 });
    expect(w.df).toBeCloseTo(9, 10);
  });

  it('one answer in a period is too few for a t-test', () => {
    expect(compareScores('ces', { 5: 1 }, { 4: 3, 5: 2 })).toMatchObject({
      current: 5,
      change: null,
      p: null,
    });
  });
});

const cesHist = fc
  .array(fc.nat({ max: 30 }), { minLength: 7, maxLength: 7 })
  .map((counts) => new Map(counts.map((c, i) => [i + 1, c])));
const npsHist = fc
  .array(fc.nat({ max: 30 }), { minLength: 11, maxLength: 11 })
  .map((counts) => new Map(counts.map((c, i) => [i, c])));
const csatHist = fc
  .array(fc.nat({ max: 30 }), { minLength: 5, maxLength: 5 })
  .map((counts) => new Map(counts.map((c, i) => [i + 1, c])));
const kinds = [
  ['nps', npsHist],
  ['csat', csatHist],
  ['ces', cesHist],
] as const;
const times = (h: Map<number, number>, k: number) => new Map([...h].map(([s, c]) => [s, c * k]));

describe('compareScores: properties', () => {
  for (const [kind, hist] of kinds) {
    it(`${kind}: the interval contains the change`, () => {
      fc.assert(
        fc.property(hist, hist, (a, b) => {
          const c = compareScores(kind, a, b);
          if (c.change === null || !c.ci) return;
          expect(c.ci.low).toBeLessThanOrEqual(c.change);
          expect(c.ci.high).toBeGreaterThanOrEqual(c.change);
        }),
      );
    });

    it(`${kind}: p is symmetric in the two periods and the change changes sign`, () => {
      fc.assert(
        fc.property(hist, hist, (a, b) => {
          const ab = compareScores(kind, a, b);
          const ba = compareScores(kind, b, a);
          if (ab.p === null) expect(ba.p).toBeNull();
          else expect(ba.p).toBeCloseTo(ab.p, 12);
          if (ab.change !== null) expect(ba.change).toBeCloseTo(-ab.change, 9);
          expect(ba.significant).toBe(ab.significant);
        }),
      );
    });

    it(`${kind}: four times the answers in the same proportions never widen the interval nor raise p`, () => {
      fc.assert(
        fc.property(hist, hist, (a, b) => {
          const one = compareScores(kind, a, b);
          const four = compareScores(kind, times(a, 4), times(b, 4));
          if (!one.ci || !four.ci) return;
          const digits = kind === 'ces' ? 0.02 : 0.2;
          expect(four.ci.high - four.ci.low).toBeLessThanOrEqual(one.ci.high - one.ci.low + digits);
          if (one.p !== null && four.p !== null) expect(four.p).toBeLessThanOrEqual(one.p + 1e-12);
        }),
      );
    });

    it(`${kind}: p is a probability`, () => {
      fc.assert(
        fc.property(hist, hist, (a, b) => {
          const { p } = compareScores(kind, a, b);
          if (p !== null) expect(p >= 0 && p <= 1).toBe(true);
        }),
      );
    });
  }
});
