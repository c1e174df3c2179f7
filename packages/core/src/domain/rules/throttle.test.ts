import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextEligible, type PastInvitation, throttleCheck, windowEnd } from './throttle.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const rules = { surveyId: 's1', throttleDays: 30, globalContactDays: 0 };

describe('throttleCheck', () => {
  it('a second invitation to the same survey within 30 days is throttled, with the window it falls in', () => {
    const history = [{ surveyId: 's1', sendAt: at('2026-01-01T00:00:00Z') }];
    expect(throttleCheck(history, rules, at('2026-01-20T00:00:00Z'))).toEqual({
      reason: 'throttled',
      detail: {
        throttleDays: 30,
        previousSendAt: '2026-01-01T00:00:00.000Z',
        until: '2026-01-31T00:00:00.000Z',
      },
    });
    expect(throttleCheck(history, rules, at('2026-01-31T00:00:00Z'))).toBeNull();
  });

  it('another survey is not throttled by the survey window, but is by the global rule, which is checked first', () => {
    const history = [{ surveyId: 's2', sendAt: at('2026-01-01T00:00:00Z') }];
    expect(throttleCheck(history, rules, at('2026-01-05T00:00:00Z'))).toBeNull();
    const verdict = throttleCheck(history, { ...rules, globalContactDays: 7 }, at('2026-01-05T00:00:00Z'));
    expect(verdict).toMatchObject({ reason: 'global_rule', detail: { globalContactDays: 7 } });
  });

  it('an invitation already scheduled later also blocks an earlier one (the window reaches both ways)', () => {
    const history = [{ surveyId: 's1', sendAt: at('2026-02-01T00:00:00Z') }];
    expect(throttleCheck(history, rules, at('2026-01-20T00:00:00Z'))?.reason).toBe('throttled');
  });

  it('0 days turns a window off', () => {
    const history = [{ surveyId: 's1', sendAt: at('2026-01-01T00:00:00Z') }];
    expect(throttleCheck(history, { ...rules, throttleDays: 0 }, at('2026-01-01T00:00:00Z'))).toBeNull();
    expect(windowEnd(at('2026-01-01T00:00:00Z'), 0)).toBeNull();
  });
});

describe('nextEligible', () => {
  const now = at('2026-01-10T00:00:00Z');

  it('without history the contact may be asked now', () => {
    expect(nextEligible([], { ...rules, globalContactDays: 7 }, now)).toEqual({
      earliest: now,
      globalRuleUntil: null,
    });
  });

  it('is the later of the survey window and the global rule, counted from the latest invitation', () => {
    const history = [
      { surveyId: 's1', sendAt: at('2026-01-01T00:00:00Z') },
      { surveyId: 's2', sendAt: at('2026-01-08T00:00:00Z') },
    ];
    expect(nextEligible(history, { ...rules, globalContactDays: 3 }, now)).toEqual({
      earliest: at('2026-01-31T00:00:00Z'),
      globalRuleUntil: at('2026-01-11T00:00:00Z'),
    });
    expect(nextEligible(history, { ...rules, surveyId: 's3', globalContactDays: 3 }, now).earliest).toEqual(
      at('2026-01-11T00:00:00Z'),
    );
  });

  const history = fc.array(
    fc.record({
      surveyId: fc.constantFrom('s1', 's2', 's3'),
      sendAt: fc.integer({ min: 0, max: 120 * DAY }).map((ms) => new Date(Date.UTC(2026, 0, 1) + ms)),
    }),
    { maxLength: 8 },
  );
  const windowRules = fc.record({
    surveyId: fc.constantFrom('s1', 's2', 's3'),
    throttleDays: fc.integer({ min: 0, max: 60 }),
    globalContactDays: fc.integer({ min: 0, max: 30 }),
  });
  const nowArb = fc.integer({ min: 0, max: 150 * DAY }).map((ms) => new Date(Date.UTC(2026, 0, 1) + ms));

  it('property: the planner allows an invitation at the earliest time contact history announces, and not a moment before it', () => {
    fc.assert(
      fc.property(history, windowRules, nowArb, (h: PastInvitation[], r, n) => {
        const { earliest } = nextEligible(h, r, n);
        expect(earliest.getTime()).toBeGreaterThanOrEqual(n.getTime());
        expect(throttleCheck(h, r, earliest)).toBeNull();
        if (earliest > n) expect(throttleCheck(h, r, new Date(earliest.getTime() - 1))).not.toBeNull();
      }),
    );
  });
});
