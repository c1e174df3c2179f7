import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from './multiple.ts';

describe('benjaminiHochberg', () => {
  it("matches scipy.stats.false_discovery_control(method='bh') (= R's p.adjust(p, 'BH'))", () => {
    // scipy 1.17.1 on [0.01, 0.04, 0.03, 0.005, 0.2, 0.6] → [0.03, 0.06, 0.06, 0.03, 0.24, 0.6]
    const { adjusted, rejected } = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.6]);
    for (const [i, want] of [0.03, 0.06, 0.06, 0.03, 0.24, 0.6].entries())
      expect(adjusted[i]).toBeCloseTo(want, 12);
    expect(rejected).toEqual([true, false, false, true, false, false]);
  });

  it('values without a test stay null and do not count in m', () => {
    const { adjusted } = benjaminiHochberg([0.01, null, 0.04]);
    expect(adjusted[1]).toBeNull();
    expect(adjusted[0]).toBeCloseTo(0.02, 12);
    expect(adjusted[2]).toBeCloseTo(0.04, 12);
  });

  const ps = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), {
    maxLength: 40,
  });

  it('property: never rejects more than the uncorrected test, and never lowers a p-value', () => {
    fc.assert(
      fc.property(ps, fc.double({ min: 0.001, max: 0.2, noNaN: true }), (p, q) => {
        const { adjusted, rejected } = benjaminiHochberg(p, q);
        const uncorrected = p.filter((x) => x !== null && x <= q).length;
        expect(rejected.filter(Boolean).length).toBeLessThanOrEqual(uncorrected);
        p.forEach((x, i) => {
          if (x === null) return;
          expect(adjusted[i] as number).toBeGreaterThanOrEqual(x - 1e-15);
          expect(adjusted[i] as number).toBeLessThanOrEqual(1);
        });
      }),
    );
  });

  it('property: the adjustment keeps the order of the p-values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 30 }),
        (p) => {
          const { adjusted } = benjaminiHochberg(p);
          for (let i = 0; i < p.length; i++)
            for (let j = 0; j < p.length; j++)
              if ((p[i] as number) < (p[j] as number))
                expect(adjusted[i] as number).toBeLessThanOrEqual((adjusted[j] as number) + 1e-15);
        },
      ),
    );
  });
});
