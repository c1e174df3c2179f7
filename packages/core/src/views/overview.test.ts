// The overview's periods and trend buckets in the workspace's zone: pure functions, examples and properties.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { dayStart, overviewPeriod, trendBuckets } from './overview.ts';

describe('overviewPeriod', () => {
  it('a custom range is whole days in the zone, both ends included, across a DST change', () => {
    const p = overviewPeriod({
      range: 'custom',
      from: '2026-10-24',
      to: '2026-10-25',
      now: new Date('2026-12-01T00:00:00Z'),
      timeZone: 'Europe/Warsaw',
    });
    expect(p.from.toISOString()).toBe('2026-10-23T22:00:00.000Z');
    // 25 October 2026 has 25 hours in Warsaw (back to CET).
    expect(p.to.toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('the last N days end now', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(overviewPeriod({ range: '7d', now, timeZone: 'UTC' })).toEqual({
      from: new Date('2026-11-24T10:00:00Z'),
      to: now,
    });
  });

  it('a bad or reversed custom range is a 400 naming the field', () => {
    const now = new Date();
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AppError ? e.details?.[0]?.field : 'not an AppError';
      }
      return 'no error';
    };
    expect(fieldOf(() => overviewPeriod({ range: 'custom', to: '2026-11-01', now, timeZone: 'UTC' }))).toBe(
      'from',
    );
    expect(fieldOf(() => dayStart('2026-02-30', 'UTC', 'from'))).toBe('from');
    expect(
      fieldOf(() =>
        overviewPeriod({ range: 'custom', from: '2026-11-02', to: '2026-11-01', now, timeZone: 'UTC' }),
      ),
    ).toBe('to');
  });
});

describe('trendBuckets', () => {
  const zones = fc.constantFrom('UTC', 'Europe/Warsaw', 'America/New_York', 'Asia/Kolkata');
  const grain = fc.constantFrom('day' as const, 'week' as const, 'month' as const);
  const start = fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-01-01T00:00:00Z'),
    noInvalidDate: true,
  });

  it('are sorted, distinct bucket starts in the zone, the first holding `from`, the last before `to`', () => {
    fc.assert(
      fc.property(zones, grain, start, fc.integer({ min: 1, max: 200 }), (zone, g, from, days) => {
        const to = new Date(from.getTime() + days * 86_400_000);
        const keys = trendBuckets({ from, to }, g, zone);
        expect([...keys].sort()).toEqual(keys);
        expect(new Set(keys).size).toBe(keys.length);
        const at = (k: string) => DateTime.fromISO(k, { zone });
        expect(keys[0]).toBe(DateTime.fromJSDate(from, { zone }).startOf(g).toFormat('yyyy-MM-dd'));
        expect(
          at(keys.at(-1) ?? '')
            .toJSDate()
            .getTime(),
        ).toBeLessThan(to.getTime());
        for (const k of keys) expect(at(k).startOf(g).toFormat('yyyy-MM-dd')).toBe(k);
      }),
    );
  });

  it('more than 400 points is a 400 naming granularity', () => {
    expect(() =>
      trendBuckets(
        { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') },
        'day',
        'UTC',
      ),
    ).toThrow(/granularity|400 points/);
  });
});
