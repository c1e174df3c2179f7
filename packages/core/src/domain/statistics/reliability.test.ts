import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { npsSummary, summarize } from '../scoring.ts';
import { defaultReliability, reliability } from './reliability.ts';

describe('reliability', () => {
  it('no answers, too few answers, too wide an interval: each says why', () => {
    expect(reliability(npsSummary({}))).toEqual({ reliable: false, reason: 'no answers' });
    expect(reliability(npsSummary({ 10: 12 }))).toEqual({
      reliable: false,
      reason: '12 answers, fewer than the minimum of 30',
    });
    expect(reliability(npsSummary({ 9: 1 })).reason).toBe('one answer, fewer than the minimum of 30');
    // 50/30/20 of 100: the adjusted-Wald interval is [14.1, 44.2], 30.1 points wide
    const hundred = npsSummary({ 10: 50, 8: 30, 2: 20 });
    expect(reliability(hundred)).toEqual({ reliable: true, reason: null });
    expect(
      reliability(hundred, { ...defaultReliability, maxIntervalWidth: { nps: 25, csat: 20, ces: 1 } }),
    ).toEqual({
      reliable: false,
      reason: 'the 95 % interval is 30.1 NPS points wide, wider than 25',
    });
  });

  it('a workspace may lower the minimum', () => {
    expect(
      reliability(summarize('csat', { 5: 9, 4: 1 }), {
        ...defaultReliability,
        minAnswers: 5,
        maxIntervalWidth: { nps: 40, csat: 50, ces: 1 },
      }).reliable,
    ).toBe(true);
  });

  it('property: more answers in the same proportions never turn a reliable summary unreliable', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200 }), fc.nat({ max: 200 }), fc.nat({ max: 200 }), (p, pa, d) => {
        const one = reliability(npsSummary({ 10: p, 8: pa, 2: d }));
        const four = reliability(npsSummary({ 10: 4 * p, 8: 4 * pa, 2: 4 * d }));
        if (one.reliable) expect(four.reliable).toBe(true);
      }),
    );
  });
});
