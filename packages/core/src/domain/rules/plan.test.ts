import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContactFacts, type PastInvitation, planEvent, type TriggerRule, throttledBy } from './plan.ts';

const DAY = 86_400_000;
const contact: ContactFacts = { externalId: 'c-1', email: 'jane@example.com', phone: null, optedOutAt: null };
const trigger: TriggerRule = {
  id: 't1',
  surveyId: 's1',
  channels: ['email'],
  delay: 'PT0S',
  throttleDays: 30,
};
const at = (iso: string) => new Date(iso);

describe('planEvent', () => {
  it('an event no trigger listens for is skipped with reason no_trigger', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-01T00:00:00Z'), properties: {} },
      contact,
      triggers: [],
      history: [],
    });
    expect(d).toMatchObject({ outcome: 'skipped', reason: 'no_trigger', triggerId: null });
  });

  it('invites at occurredAt + delay on the first channel with an address', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-01T00:00:00Z'), properties: {} },
      contact,
      triggers: [{ ...trigger, delay: 'P2DT3H' }],
      history: [],
    });
    expect(d).toEqual({
      outcome: 'invited',
      triggerId: 't1',
      surveyId: 's1',
      channel: 'email',
      sendAt: at('2026-01-03T03:00:00Z'),
      dedupeValue: null,
    });
  });

  it('a contact without an email is skipped with no_channel', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-01T00:00:00Z'), properties: {} },
      contact: { ...contact, email: null },
      triggers: [trigger],
      history: [],
    });
    expect(d).toMatchObject({ outcome: 'skipped', reason: 'no_channel' });
  });

  it('channels fall back in order: email, else sms (a bounced address counts as none); qr needs no address', () => {
    const plan = (
      c: Partial<typeof contact> & { emailBouncedAt?: Date | null },
      channels: TriggerRule['channels'],
    ) =>
      planEvent({
        event: { type: 'order.delivered', occurredAt: at('2026-01-01T00:00:00Z'), properties: {} },
        contact: { ...contact, ...c },
        triggers: [{ ...trigger, channels }],
        history: [],
      })[0];
    expect(plan({}, ['email', 'sms'])).toMatchObject({ channel: 'email' });
    expect(plan({ email: null, phone: '+48600100200' }, ['email', 'sms'])).toMatchObject({ channel: 'sms' });
    expect(
      plan({ phone: '+48600100200', emailBouncedAt: at('2025-12-01T00:00:00Z') }, ['email', 'sms']),
    ).toMatchObject({
      channel: 'sms',
    });
    expect(plan({ emailBouncedAt: at('2025-12-01T00:00:00Z') }, ['email'])).toMatchObject({
      reason: 'no_channel',
    });
    expect(plan({ email: null }, ['qr'])).toMatchObject({ outcome: 'invited', channel: 'qr' });
  });

  it('an opted-out contact is skipped with opted_out even when throttling would also apply', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-01T00:00:00Z'), properties: {} },
      contact: { ...contact, optedOutAt: at('2025-12-01T00:00:00Z') },
      triggers: [trigger],
      history: [{ surveyId: 's1', sendAt: at('2025-12-31T00:00:00Z') }],
    });
    expect(d).toMatchObject({ outcome: 'skipped', reason: 'opted_out' });
  });

  it('a second event within 30 days is throttled, with the date the contact may be asked again', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-10T00:00:00Z'), properties: {} },
      contact,
      triggers: [trigger],
      history: [{ surveyId: 's1', sendAt: at('2026-01-01T00:00:00Z') }],
    });
    expect(d).toMatchObject({
      outcome: 'skipped',
      reason: 'throttled',
      detail: { until: '2026-01-31T00:00:00.000Z', throttleDays: 30 },
    });
  });

  it('an invitation to another survey does not throttle this one', () => {
    const [d] = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-10T00:00:00Z'), properties: {} },
      contact,
      triggers: [trigger],
      history: [{ surveyId: 'other', sendAt: at('2026-01-09T00:00:00Z') }],
    });
    expect(d?.outcome).toBe('invited');
  });

  it('two triggers for one survey in the same event invite once', () => {
    const decisions = planEvent({
      event: { type: 'order.delivered', occurredAt: at('2026-01-10T00:00:00Z'), properties: {} },
      contact,
      triggers: [trigger, { ...trigger, id: 't2' }],
      history: [],
    });
    expect(decisions.map((d) => d.outcome)).toEqual(['invited', 'skipped']);
  });

  it('property: replaying any sequence of events never puts two invitations to a survey inside the throttle window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 * 24 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 0, max: 72 }),
        (hours, throttleDays, delayHours) => {
          const rule = { ...trigger, throttleDays, delay: `PT${delayHours}H` };
          const history: PastInvitation[] = [];
          for (const h of hours) {
            const occurredAt = new Date(Date.UTC(2026, 0, 1) + h * 3_600_000);
            for (const d of planEvent({
              event: { type: 'order.delivered', occurredAt, properties: {} },
              contact,
              triggers: [rule],
              history,
            })) {
              if (d.outcome === 'invited') history.push({ surveyId: d.surveyId, sendAt: d.sendAt });
            }
          }
          const times = history.map((h) => h.sendAt.getTime()).sort((a, b) => a - b);
          for (let i = 1; i < times.length; i++) {
            expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(throttleDays * DAY);
          }
          expect(history.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('property: a send time is never before occurredAt + delay', () => {
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }),
        fc.integer({ min: 0, max: 10_000 }),
        (occurredAt, minutes) => {
          const [d] = planEvent({
            event: { type: 'order.delivered', occurredAt, properties: {} },
            contact,
            triggers: [{ ...trigger, delay: `PT${minutes}M` }],
            history: [],
          });
          expect(d?.outcome === 'invited' && d.sendAt.getTime()).toBe(
            occurredAt.getTime() + minutes * 60_000,
          );
        },
      ),
    );
  });
});

describe('throttledBy', () => {
  it('a throttle of 0 days never blocks', () => {
    expect(
      throttledBy([{ surveyId: 's1', sendAt: at('2026-01-01') }], 's1', at('2026-01-01'), 0),
    ).toBeUndefined();
  });
  it('an invitation exactly throttleDays earlier no longer blocks', () => {
    const h = [{ surveyId: 's1', sendAt: at('2026-01-01T00:00:00Z') }];
    expect(throttledBy(h, 's1', at('2026-01-31T00:00:00Z'), 30)).toBeUndefined();
    expect(throttledBy(h, 's1', at('2026-01-30T23:59:59Z'), 30)).toBe(h[0]);
  });
});
