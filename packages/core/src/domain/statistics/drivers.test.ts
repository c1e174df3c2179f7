import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareScores } from './compare.ts';
import { drivers } from './drivers.ts';

describe('drivers', () => {
  const groups = [
    { value: 'Warsaw', histogram: { 10: 60, 8: 20, 3: 20 } },
    { value: 'Kraków', histogram: { 10: 20, 8: 20, 3: 60 } },
    { value: 'Gdańsk', histogram: { 10: 5, 8: 3, 3: 2 } },
  ];

  it('each value against the rest, with the same test as compareScores and BH across the values', () => {
    const rows = drivers('nps', groups);
    const krakow = rows.find((r) => r.value === 'Kraków');
    // Kraków (NPS −40) against Warsaw + Gdańsk (65 P, 23 Pa, 22 D of 110: NPS 39.1)
    const direct = compareScores(
      'nps',
      new Map([
        [10, 20],
        [8, 20],
        [3, 60],
      ]),
      new Map([
        [10, 65],
        [8, 23],
        [3, 22],
      ]),
    );
    expect(krakow).toMatchObject({ n: 100, share: 0.476, score: -40, gap: direct.change, p: direct.p });
    expect(krakow?.impact).toBeCloseTo((direct.change as number) * (100 / 210), 1);
    expect(krakow?.significant).toBe(true);
    // With three values, BH multiplies the smallest p by 3 at most
    for (const r of rows)
      if (r.p !== null) expect(r.pAdjusted as number).toBeLessThanOrEqual(Math.min(1, r.p * 3) + 1e-12);
  });

  it('sorted by |gap × share|: the value that moves the score most comes first', () => {
    const rows = drivers('nps', groups);
    expect(rows.map((r) => r.value)).toEqual(['Kraków', 'Warsaw', 'Gdańsk']);
    expect(rows[0]?.impact).toBeLessThan(0);
    expect(rows[2]).toMatchObject({ reliable: false, reason: '10 answers, fewer than the minimum of 30' });
  });

  it('property: a driver significant after correction is significant uncorrected; order by |impact|', () => {
    const hist = fc
      .array(fc.nat({ max: 40 }), { minLength: 5, maxLength: 5 })
      .map((c) => Object.fromEntries(c.map((n, i) => [i + 1, n])));
    fc.assert(
      fc.property(fc.array(hist, { minLength: 1, maxLength: 8 }), (hs) => {
        const rows = drivers(
          'csat',
          hs.map((histogram, i) => ({ value: i, histogram })),
        );
        for (const r of rows) if (r.significant) expect(r.p as number).toBeLessThanOrEqual(0.05);
        const impacts = rows.filter((r) => r.impact !== null).map((r) => Math.abs(r.impact as number));
        for (let i = 1; i < impacts.length; i++)
          expect(impacts[i]).toBeLessThanOrEqual(impacts[i - 1] as number);
      }),
    );
  });
});
