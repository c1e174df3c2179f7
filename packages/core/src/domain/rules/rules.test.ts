import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { evaluateFilter, type Filter, filterSchema } from './filters.ts';
import { type PastInvitation, planEvent, type TriggerRule } from './plan.ts';
import { sampledIn } from './sampling.ts';
import {
  afterQuietHours,
  isInWindow,
  isQuiet,
  nextInWindow,
  quietHoursSchema,
  type SendWindow,
  sendWindowSchema,
  settleSendTime,
} from './send-window.ts';

const contact = { externalId: 'c-1', email: 'jane@example.com', phone: null, optedOutAt: null, locale: 'pl' };
const trigger: TriggerRule = {
  id: 't1',
  surveyId: 's1',
  channels: ['email'],
  delay: 'PT0S',
  throttleDays: 30,
};
const event = (properties: Record<string, unknown> = {}, occurredAt = new Date('2026-03-02T10:00:00Z')) => ({
  type: 'order.delivered',
  occurredAt,
  properties,
});
const subject = (properties: Record<string, unknown>) => ({
  type: 'order.delivered',
  properties,
  contact: { locale: 'pl' },
});

describe('filters', () => {
  it('every operator, on properties and contact attributes', () => {
    const s = subject({ total: 120, channel: 'web', tags: ['vip'], note: 'gift wrap', empty: null });
    const cases: [Filter, boolean][] = [
      [{ field: 'properties.channel', op: 'eq', value: 'web' }, true],
      [{ field: 'properties.channel', op: 'neq', value: 'web' }, false],
      [{ field: 'contact.locale', op: 'in', value: ['pl', 'ru'] }, true],
      [{ field: 'contact.locale', op: 'not_in', value: ['pl'] }, false],
      [{ field: 'properties.total', op: 'gt', value: 120 }, false],
      [{ field: 'properties.total', op: 'gte', value: 120 }, true],
      [{ field: 'properties.total', op: 'lt', value: 200 }, true],
      [{ field: 'properties.total', op: 'lte', value: 100 }, false],
      [{ field: 'properties.empty', op: 'exists' }, false],
      [{ field: 'properties.missing', op: 'exists', value: false }, true],
      [{ field: 'properties.tags', op: 'contains', value: 'vip' }, true],
      [{ field: 'properties.note', op: 'contains', value: 'wrap' }, true],
      [{ field: 'properties.channel', op: 'gt', value: 1 }, false],
    ];
    for (const [f, expected] of cases) expect(evaluateFilter(f, s).pass, JSON.stringify(f)).toBe(expected);
  });

  it('all/any groups nest, and a failure names the condition that failed', () => {
    const f: Filter = {
      all: [
        { field: 'properties.total', op: 'gte', value: 50 },
        {
          any: [
            { field: 'properties.channel', op: 'eq', value: 'app' },
            { field: 'contact.locale', op: 'eq', value: 'en' },
          ],
        },
      ],
    };
    const r = evaluateFilter(f, subject({ total: 80, channel: 'web' }));
    expect(r).toEqual({
      pass: false,
      failed: 'none of: properties.channel eq "app" (was "web"); contact.locale eq "en" (was "pl")',
    });
  });

  it('validation names what is wrong: unknown operator, bad field, value of the wrong kind', () => {
    const issues = (f: unknown) => filterSchema.safeParse(f).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ field: 'properties.x', op: 'like', value: 'a' })).toContain('op');
    expect(issues({ field: 'secret', op: 'eq', value: 'a' })).toContain('field');
    expect(issues({ field: 'properties.x', op: 'gt', value: 'ten' })).toContain('value');
    expect(issues({ field: 'properties.x', op: 'in', value: [] })).toContain('value');
    expect(filterSchema.safeParse({ all: [{ field: 'type', op: 'eq', value: 'a' }] }).success).toBe(true);
  });
});

describe('planEvent with the full rules', () => {
  it('a filtered-out event says which condition failed', () => {
    const [d] = planEvent({
      event: event({ total: 10 }),
      contact,
      triggers: [{ ...trigger, filter: { field: 'properties.total', op: 'gte', value: 50 } }],
      history: [],
    });
    expect(d).toMatchObject({
      outcome: 'skipped',
      reason: 'filtered_out',
      detail: { failed: 'properties.total gte 50 (was 10)' },
    });
  });

  it('a second event with the same dedupe key makes nothing new', () => {
    const t = { ...trigger, throttleDays: 0, dedupeKey: 'properties.orderId' };
    const history: PastInvitation[] = [
      { surveyId: 's1', triggerId: 't1', sendAt: new Date('2026-01-01'), dedupeValue: '1001' },
    ];
    const [same] = planEvent({ event: event({ orderId: '1001' }), contact, triggers: [t], history });
    expect(same).toMatchObject({ reason: 'duplicate_key', detail: { value: '1001' } });
    const [other] = planEvent({ event: event({ orderId: '1002' }), contact, triggers: [t], history });
    expect(other).toMatchObject({ outcome: 'invited', dedupeValue: '1002' });
  });

  it('the global contact rule blocks any survey within its window, with the date it ends', () => {
    const [d] = planEvent({
      event: event(),
      contact,
      workspace: { timezone: 'UTC', globalContactDays: 90 },
      triggers: [trigger],
      history: [{ surveyId: 'another-survey', sendAt: new Date('2026-02-01T00:00:00Z') }],
    });
    expect(d).toMatchObject({
      reason: 'global_rule',
      detail: { until: '2026-05-02T00:00:00.000Z', globalContactDays: 90 },
    });
  });

  it('the send time moves into the window in the contact’s zone, else the workspace’s', () => {
    const window = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
    // Friday 2026-03-06 20:00 UTC is 21:00 in Warsaw: the next window opens Monday 09:00 Warsaw = 08:00 UTC.
    const friday = new Date('2026-03-06T20:00:00Z');
    const [warsaw] = planEvent({
      event: event({}, friday),
      contact: { ...contact, timezone: 'Europe/Warsaw' },
      triggers: [{ ...trigger, sendWindow: window }],
      history: [],
    });
    expect(warsaw).toMatchObject({ sendAt: new Date('2026-03-09T08:00:00Z') });
    const [ny] = planEvent({
      event: event({}, friday),
      contact,
      workspace: { timezone: 'America/New_York', globalContactDays: 0 },
      triggers: [{ ...trigger, sendWindow: window }],
      history: [],
    });
    // 15:00 in New York on a Friday is inside the window: no move.
    expect(ny).toMatchObject({ sendAt: friday });
  });
});

describe('sampling', () => {
  it('property: the same contact and trigger always land on the same side', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), (t, c, rate) => {
        expect(sampledIn(rate, t, c)).toBe(sampledIn(rate, t, c));
      }),
    );
  });

  it.each([0.1, 0.25, 0.5, 0.9])(
    'over 10,000 contacts the share sampled in is within ±2 %% of %s',
    (rate) => {
      let n = 0;
      for (let i = 0; i < 10_000; i++) if (sampledIn(rate, 'trigger-a', `contact-${i}`)) n++;
      expect(Math.abs(n / 10_000 - rate)).toBeLessThan(0.02);
    },
  );

  it('a sampled-out contact is skipped with sampled_out', () => {
    const outs = Array.from(
      { length: 200 },
      (_, i) =>
        planEvent({
          event: event(),
          contact: { ...contact, externalId: `c-${i}` },
          triggers: [{ ...trigger, sampleRate: 0.3 }],
          history: [],
        })[0],
    ).filter((d) => d?.outcome === 'skipped');
    expect(outs.length).toBeGreaterThan(100);
    expect(outs.every((d) => d?.outcome === 'skipped' && d.reason === 'sampled_out')).toBe(true);
  });
});

describe('send windows across DST', () => {
  const zones = ['Europe/Warsaw', 'Europe/Moscow', 'America/New_York'];
  const windowArb = fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      start: fc.integer({ min: 0, max: 22 * 60 }),
      length: fc.integer({ min: 15, max: 12 * 60 }),
    })
    .map(({ days, start, length }): SendWindow => {
      const end = Math.min(start + length, 23 * 60 + 59);
      const hm = (m: number) =>
        `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      return { days, start: hm(start), end: hm(end) };
    });
  // Instants around the 2026 transitions (EU: Mar 29 and Oct 25; US: Mar 8 and Nov 1) and any time in between.
  const instantArb = fc.oneof(
    fc.date({
      min: new Date('2026-03-06T00:00:00Z'),
      max: new Date('2026-03-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.date({
      min: new Date('2026-10-23T00:00:00Z'),
      max: new Date('2026-11-03T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2027-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
  );

  it('property: the computed send time is inside the window, never earlier, and within two weeks', () => {
    fc.assert(
      fc.property(instantArb, windowArb, fc.constantFrom(...zones), (at, window, zone) => {
        const next = nextInWindow(at, window, zone);
        expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(isInWindow(next, window, zone)).toBe(true);
        expect(next.getTime() - at.getTime()).toBeLessThanOrEqual(15 * 86_400_000);
        if (isInWindow(at, window, zone)) expect(next).toEqual(at);
      }),
      { numRuns: 2000 },
    );
  });

  it('in the repeated hour of a fall-back night, before the opening, the opening is its second occurrence (fast-check found it)', () => {
    // New York, 2026-11-01: 01:00–02:00 happens twice (EDT, then EST). At 01:00 EST (06:00 UTC) a Sunday
    // window 01:01–01:16 opens at 01:01 EST (06:01 UTC), not at 01:00 EST itself, and not at the 01:01 EDT already past.
    const w = { days: [7], start: '01:01', end: '01:16' };
    expect(nextInWindow(new Date('2026-11-01T06:00:00Z'), w, 'America/New_York')).toEqual(
      new Date('2026-11-01T06:01:00Z'),
    );
    // In the first pass of that hour the first opening is the next one; inside the window, now.
    expect(nextInWindow(new Date('2026-11-01T05:00:00Z'), w, 'America/New_York')).toEqual(
      new Date('2026-11-01T05:01:00Z'),
    );
    expect(nextInWindow(new Date('2026-11-01T06:05:00Z'), w, 'America/New_York')).toEqual(
      new Date('2026-11-01T06:05:00Z'),
    );
  });

  it('09:00 local stays 09:00 local across the spring change (Warsaw: 08:00 UTC before, 07:00 UTC after)', () => {
    const w = { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '10:00' };
    expect(nextInWindow(new Date('2026-03-28T12:00:00Z'), w, 'Europe/Warsaw')).toEqual(
      new Date('2026-03-29T07:00:00Z'),
    );
    expect(nextInWindow(new Date('2026-03-27T12:00:00Z'), w, 'Europe/Warsaw')).toEqual(
      new Date('2026-03-28T08:00:00Z'),
    );
    // Moscow has no DST: always UTC+3.
    expect(nextInWindow(new Date('2026-03-28T12:00:00Z'), w, 'Europe/Moscow')).toEqual(
      new Date('2026-03-29T06:00:00Z'),
    );
  });

  it('a window wholly inside the gap is skipped that day (Warsaw, Sunday 02:00–02:15 on 29 March → 5 April)', () => {
    const w = { days: [7], start: '02:00', end: '02:15' };
    expect(nextInWindow(new Date('2026-03-22T01:15:00Z'), w, 'Europe/Warsaw')).toEqual(
      new Date('2026-04-05T00:00:00Z'),
    );
  });

  it('a window opening in the spring-forward gap opens at the first real minute after it (New York, 02:30)', () => {
    const w = { days: [7], start: '02:30', end: '05:00' };
    const opens = nextInWindow(new Date('2026-03-08T05:00:00Z'), w, 'America/New_York');
    expect(DateTime.fromJSDate(opens, { zone: 'America/New_York' }).toFormat('HH:mm')).toBe('03:30');
  });

  it('validation: HH:MM, end after start, weekdays 1–7', () => {
    expect(sendWindowSchema.safeParse({ start: '9:00', end: '18:00' }).success).toBe(false);
    expect(sendWindowSchema.safeParse({ start: '20:00', end: '08:00' }).error?.issues[0]?.path).toEqual([
      'end',
    ]);
    expect(sendWindowSchema.safeParse({ days: [0], start: '09:00', end: '18:00' }).success).toBe(false);
    expect(sendWindowSchema.parse({ start: '09:00', end: '18:00' }).days).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('quiet hours', () => {
  const night = { start: '21:00', end: '08:00' };

  it('property: the result is never quiet, never earlier, and within a day, across DST in three zones', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2027-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 23 * 60 + 59 }),
        fc.integer({ min: 15, max: 14 * 60 }),
        fc.constantFrom('Europe/Warsaw', 'Europe/Moscow', 'America/New_York'),
        (at, start, length, zone) => {
          const hm = (m: number) =>
            `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const quiet = { start: hm(start), end: hm((start + length) % (24 * 60)) };
          fc.pre(quiet.start !== quiet.end);
          const next = afterQuietHours(at, quiet, zone);
          expect(isQuiet(next, quiet, zone)).toBe(false);
          expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(next.getTime() - at.getTime()).toBeLessThanOrEqual(26 * 3_600_000);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('quiet hours may cross midnight: 22:30 in Warsaw waits for 08:00 next morning', () => {
    expect(afterQuietHours(new Date('2026-11-20T21:30:00Z'), night, 'Europe/Warsaw')).toEqual(
      new Date('2026-11-21T07:00:00Z'),
    );
    expect(afterQuietHours(new Date('2026-11-20T05:00:00Z'), night, 'Europe/Warsaw')).toEqual(
      new Date('2026-11-20T07:00:00Z'),
    );
    expect(afterQuietHours(new Date('2026-11-20T12:00:00Z'), night, 'Europe/Warsaw')).toEqual(
      new Date('2026-11-20T12:00:00Z'),
    );
  });

  it('window and quiet hours together: the time satisfies both', () => {
    const window = { days: [1, 2, 3, 4, 5, 6, 7], start: '07:00', end: '10:00' };
    // 05:30 UTC = 06:30 Warsaw: the window opens 07:00, quiet hours end 08:00.
    expect(settleSendTime(new Date('2026-11-20T05:30:00Z'), window, night, 'Europe/Warsaw')).toEqual(
      new Date('2026-11-20T07:00:00Z'),
    );
    expect(() =>
      settleSendTime(new Date(), { days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '23:00' }, night, 'UTC'),
    ).toThrow(/inside the quiet hours/);
    expect(quietHoursSchema.safeParse({ start: '21:00', end: '21:00' }).success).toBe(false);
  });

  it('apply to the listed channels only: SMS by default, email when the workspace says so', () => {
    const late = event({}, new Date('2026-11-20T22:00:00Z'));
    const plan = (channels?: string[]) =>
      planEvent({
        event: late,
        contact,
        workspace: {
          timezone: 'UTC',
          globalContactDays: 0,
          quietHours: night,
          ...(channels ? { quietHoursChannels: channels } : {}),
        },
        triggers: [trigger],
        history: [],
      })[0];
    expect(plan()).toMatchObject({ sendAt: new Date('2026-11-20T22:00:00Z') });
    expect(plan(['sms', 'email'])).toMatchObject({ sendAt: new Date('2026-11-21T08:00:00Z') });
  });
});
