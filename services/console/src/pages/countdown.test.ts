import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shortDuration } from './countdown.ts';

const units = { d: 'd', h: 'h', min: 'min' };
const parse = (text: string) => {
  let minutes = 0;
  for (const [, n, u] of text.matchAll(/(\d+) (d|h|min)/g))
    minutes += Number(n) * (u === 'd' ? 1440 : u === 'h' ? 60 : 1);
  return minutes;
};

describe('shortDuration', () => {
  it('says hours and minutes, or days and hours, or minutes', () => {
    expect(shortDuration((3 * 60 + 20) * 60_000, units)).toBe('3 h 20 min');
    expect(shortDuration(2 * 3_600_000, units)).toBe('2 h');
    expect(shortDuration((26 * 60 + 59) * 60_000, units)).toBe('1 d 2 h');
    expect(shortDuration(59_999, units)).toBe('0 min');
    expect(shortDuration(-2 * 3_600_000, units)).toBe('2 h');
  });

  it('never says more than two units, and never more time than there is, nor an hour or a day less', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10 * 86_400_000, max: 400 * 86_400_000 }), (ms) => {
        const text = shortDuration(ms, units);
        const said = parse(text);
        const real = Math.floor(Math.abs(ms) / 60_000);
        expect(text.match(/\d+/g)?.length ?? 0).toBeLessThanOrEqual(2);
        expect(said).toBeLessThanOrEqual(real);
        expect(real - said).toBeLessThan(real >= 1440 ? 60 : 1);
      }),
    );
  });
});
