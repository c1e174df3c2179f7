import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { changeLine, scoreLine } from '../domain/templates/digest.ts';
import { followUpState } from '../views/events.ts';
import { DIGEST_HOUR, digestWeek, driverGroups } from './digest.ts';
import { DROP_CHECK_HOUR, DROP_MIN_ANSWERS, dropCheckDay, findDrops } from './drop-alerts.ts';

const zones = [
  'UTC',
  'Europe/Warsaw',
  'America/New_York',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'America/St_Johns',
];
const instant = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2035-12-31T00:00:00Z'),
  noInvalidDate: true,
});

describe('digestWeek', () => {
  it('is due from Monday 08:00 local, for the week Monday–Sunday before', () => {
    expect(digestWeek(new Date('2026-11-30T07:59:00Z'), 'UTC')).toBeNull();
    expect(digestWeek(new Date('2026-11-30T08:00:00Z'), 'UTC')?.week).toBe('2026-11-23');
    // 08:00 in Warsaw is 07:00 UTC in winter; in Auckland Monday 08:00 is Sunday 19:00 UTC.
    expect(digestWeek(new Date('2026-11-30T07:00:00Z'), 'Europe/Warsaw')?.week).toBe('2026-11-23');
    expect(digestWeek(new Date('2026-11-29T19:00:00Z'), 'Pacific/Auckland')?.week).toBe('2026-11-23');
    expect(digestWeek(new Date('2026-11-29T18:59:00Z'), 'Pacific/Auckland')).toBeNull();
  });

  it('property: the week is a local Monday, ends at the Monday it is due on, and lies wholly before now', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (now, zone) => {
        const week = digestWeek(now, zone);
        const local = DateTime.fromJSDate(now, { zone });
        if (!week) {
          expect(local.weekday === 1 && local.hour < DIGEST_HOUR).toBe(true);
          return;
        }
        expect(week.start.weekday).toBe(1);
        expect(week.start.hour).toBe(0);
        expect(week.end.toISODate()).toBe(week.start.plus({ weeks: 1 }).toISODate());
        expect(week.end.toMillis()).toBeLessThanOrEqual(now.getTime());
        expect(local.diff(week.end, 'days').days).toBeLessThan(7);
      }),
    );
  });
});

describe('dropCheckDay', () => {
  it('property: one check a local day from 07:00, counted against that day’s local week', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (now, zone) => {
        const local = DateTime.fromJSDate(now, { zone });
        const day = dropCheckDay(now, zone);
        if (local.hour < DROP_CHECK_HOUR) {
          expect(day).toBeNull();
        } else {
          expect(day?.day).toBe(local.toISODate());
          expect(day?.week).toBe(local.startOf('week').toISODate());
        }
      }),
    );
  });
});

const answers = (scores: Record<number, number>, properties: Record<string, unknown> = {}) =>
  Object.entries(scores).flatMap(([score, count]) =>
    Array.from({ length: count }, () => ({ score: Number(score), channel: 'email', properties })),
  );

describe('findDrops', () => {
  it('a significant fall of the survey is a drop; the same change the other way is not', () => {
    const good = answers({ 10: 25, 2: 5 });
    const bad = answers({ 10: 5, 2: 25 });
    const [drop, ...more] = findDrops('nps', bad, good);
    expect(more).toEqual([]);
    expect(drop).toMatchObject({ property: null, n: { current: 30, previous: 30 } });
    expect(drop?.change.change).toBe(-133.3);
    expect(drop?.change.significant).toBe(true);
    expect(findDrops('nps', good, bad)).toEqual([]);
  });

  it('one store falling is a drop of that value even when the whole survey holds (BH across values)', () => {
    const warsawBefore = answers({ 10: 40, 7: 10 }, { store: 'Warsaw' });
    const krakowBefore = answers({ 10: 20 }, { store: 'Krakow' });
    const warsawNow = answers({ 10: 44, 7: 6 }, { store: 'Warsaw' });
    const krakowNow = answers({ 2: 15, 10: 5 }, { store: 'Krakow' });
    const drops = findDrops('nps', [...warsawNow, ...krakowNow], [...warsawBefore, ...krakowBefore]);
    expect(drops.map((d) => [d.property, d.value])).toContainEqual(['properties.store', 'Krakow']);
    expect(drops.some((d) => d.value === 'Warsaw')).toBe(false);
  });

  it(`fewer than ${DROP_MIN_ANSWERS} answers on either side is never a drop, however large the fall`, () => {
    expect(findDrops('csat', answers({ 1: DROP_MIN_ANSWERS - 1 }), answers({ 5: 40 }))).toEqual([]);
  });

  it('property: every drop reported is a significant fall with enough answers on both sides', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('nps' as const, 'csat' as const, 'ces' as const),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 60 }),
        (kind, now, before) => {
          const wrap = (s: number[]) => s.map((score) => ({ score, channel: 'email', properties: {} }));
          for (const d of findDrops(kind, wrap(now), wrap(before))) {
            expect(d.change.significant).toBe(true);
            expect(d.change.change ?? 0).toBeLessThan(0);
            expect(Math.min(d.n.current, d.n.previous)).toBeGreaterThanOrEqual(DROP_MIN_ANSWERS);
          }
        },
      ),
    );
  });
});

describe('driverGroups', () => {
  it('compares scalar properties with 2–20 values, and the channel; skips ids and nested objects', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      score: i % 11,
      channel: i % 2 ? 'email' : 'sms',
      properties: { store: i % 3 ? 'Warsaw' : 'Krakow', orderId: `o-${i}`, nested: { a: 1 } },
    }));
    expect(driverGroups(rows).map((g) => g.property)).toEqual(['channel', 'properties.store']);
  });
});

describe('digest wording', () => {
  it('names the score with its interval and n, and the change with its interval, p and verdict', () => {
    expect(scoreLine('nps', { n: 40, score: 62.5, ci: { low: 36.8, high: 79.5, level: 0.95 } })).toBe(
      'NPS 62.5 (95 % CI 36.8 to 79.5), n = 40',
    );
    expect(
      changeLine('ces', {
        kind: 'ces',
        method: 'welch-t',
        current: 4.5,
        previous: 5,
        change: -0.5,
        ci: { low: -0.9, high: -0.1, level: 0.95 },
        p: 0.0123,
        significant: true,
      }),
    ).toBe('−0.50 scale points against the week before (95 % CI −0.90 to −0.10, p = 0.012): significant');
  });
});

describe('followUpState', () => {
  it('property: without a comment it waits until createdAt + wait, then is due, and is done once followed up', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: -600_000, max: 600_000 }),
        (at, wait, offset) => {
          const now = new Date(at.getTime() + offset);
          const waiting = followUpState({ createdAt: at, comment: null, followedUpAt: null }, now, wait);
          if (offset < wait)
            expect(waiting).toEqual({ status: 'waiting_for_comment', until: new Date(at.getTime() + wait) });
          else expect(waiting).toEqual({ status: 'due', until: null });
          expect(followUpState({ createdAt: at, comment: 'why', followedUpAt: null }, now, wait).status).toBe(
            'due',
          );
          expect(followUpState({ createdAt: at, comment: null, followedUpAt: now }, now, wait)).toEqual({
            status: 'done',
            at: now,
          });
        },
      ),
    );
  });
});
