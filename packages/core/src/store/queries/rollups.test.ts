// How a period is split between rolled-up hours and raw spans: every instant read exactly once, every rolled-up hour in one bucket.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bucketStarts, rollupSpans } from './rollups.ts';

const HOUR = 3_600_000;
const base = Date.parse('2026-03-28T00:00:00Z');
const instant = fc.integer({ min: 0, max: 40 * 24 * HOUR }).map((t) => new Date(base + t));

/** Where an instant is read: the rolled-up hours, a raw span, or nowhere; and how many times. */
function readsOf(plan: ReturnType<typeof rollupSpans>, t: number) {
  const hour = Math.floor(t / HOUR) * HOUR;
  const { from, to } = plan.hours;
  const rolled =
    (!from || hour >= from.getTime()) &&
    (!to || hour < to.getTime()) &&
    !plan.exclude.some((e) => e.getTime() === hour);
  const raw = plan.raw.filter(([s, e]) => t >= s.getTime() && t < e.getTime()).length;
  return (rolled ? 1 : 0) + raw;
}

describe('rollupSpans', () => {
  test('every instant of the period is read once and none outside it, whatever the split points', () => {
    fc.assert(
      fc.property(
        fc.option(instant, { nil: undefined }),
        fc.option(instant, { nil: undefined }),
        fc.array(instant, { maxLength: 5 }),
        fc.array(instant, { minLength: 1, maxLength: 20 }),
        (from, to, splits, probes) => {
          const plan = rollupSpans({ from, to }, splits);
          for (const probe of [...probes, ...splits, ...(from ? [from] : []), ...(to ? [to] : [])]) {
            const t = probe.getTime();
            const inside = (!from || t >= from.getTime()) && (!to || t < to.getTime());
            expect(readsOf(plan, t)).toBe(inside ? 1 : 0);
          }
          // No rolled-up hour holds a split point.
          for (const s of splits) {
            const hour = Math.floor(s.getTime() / HOUR) * HOUR;
            if (s.getTime() !== hour && readsOf(plan, hour) === 1) {
              expect(plan.raw.some(([a, b]) => hour >= a.getTime() && hour < b.getTime())).toBe(true);
            }
          }
        },
      ),
    );
  });

  test('a period of whole hours is read from the rollups alone', () => {
    const plan = rollupSpans({ from: new Date(base), to: new Date(base + 48 * HOUR) });
    expect(plan.raw).toEqual([]);
    expect(plan.hours).toEqual({ from: new Date(base), to: new Date(base + 48 * HOUR) });
  });
});

describe('bucketStarts', () => {
  test("Asia/Kolkata's days start at 18:30 UTC; UTC and whole-hour zones need no raw hours", () => {
    const period = { from: new Date(base), to: new Date(base + 3 * 24 * HOUR) };
    expect(bucketStarts(period, 'day', 'Asia/Kolkata').map((d) => d.toISOString())).toEqual([
      '2026-03-28T18:30:00.000Z',
      '2026-03-29T18:30:00.000Z',
      '2026-03-30T18:30:00.000Z',
    ]);
    expect(bucketStarts(period, 'day', 'UTC')).toEqual([]);
    // Europe/Warsaw moves to summer time on 29 March: its days start at 23:00, then 22:00 UTC, always whole hours.
    const warsaw = bucketStarts(period, 'day', 'Europe/Warsaw');
    expect(warsaw.map((d) => d.toISOString())).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
    expect(rollupSpans(period, warsaw).raw).toEqual([]);
  });
});
