import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision, TriggerRule } from './plan.ts';
import { type ChunkHistory, type ChunkSubject, planChunk } from './plan-chunk.ts';
import type { PastInvitation } from './throttle.ts';

const DAY = 86_400_000;
const t0 = Date.parse('2026-03-01T08:00:00Z');

const triggers: TriggerRule[] = [
  {
    id: 't1',
    surveyId: 's1',
    channels: ['email'],
    delay: 'P7D',
    throttleDays: 30,
    dedupeKey: 'properties.orderId',
  },
  { id: 't2', surveyId: 's2', channels: ['sms', 'email'], delay: 'PT0S', throttleDays: 10 },
];

const subjectArb = fc.record({
  contact: fc.integer({ min: 0, max: 3 }),
  day: fc.integer({ min: 0, max: 60 }),
  order: fc.integer({ min: 0, max: 5 }),
  optedOut: fc.boolean(),
  which: fc.constantFrom([0], [1], [0, 1]),
});

type RawSubject = {
  contact: number;
  day: number;
  order: number;
  optedOut: boolean;
  which: readonly number[];
};

function toSubject(s: RawSubject): ChunkSubject {
  const externalId = `c-${s.contact}`;
  return {
    contactKey: externalId,
    event: {
      type: 'order.delivered',
      occurredAt: new Date(t0 + s.day * DAY),
      properties: { orderId: s.order },
    },
    contact: {
      externalId,
      email: `${externalId}@example.com`,
      phone: s.contact % 2 ? '+48600100200' : null,
      optedOutAt: s.optedOut && s.contact === 3 ? new Date(t0) : null,
    },
    triggers: s.which.map((i: number) => triggers[i] as TriggerRule),
  };
}

/** A store of invitations the way the database would answer planChunk's two reads. */
function historyFrom(store: readonly (PastInvitation & { contactKey: string })[]): ChunkHistory {
  const byContact = new Map<string, PastInvitation[]>();
  for (const { contactKey, ...h } of store)
    byContact.set(contactKey, [...(byContact.get(contactKey) ?? []), h]);
  return { byContact, keyed: store.filter((h) => h.dedupeValue !== null) };
}

describe('planChunk', () => {
  it('planning a set in one chunk decides exactly what planning it one by one, in order, decides', () => {
    fc.assert(
      fc.property(
        fc.array(subjectArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 20 }),
        (raw, globalContactDays) => {
          const workspace = { timezone: 'Europe/Warsaw', globalContactDays };
          const subjects = raw.map(toSubject);
          const together = planChunk({ workspace, subjects, history: historyFrom([]) });

          const store: (PastInvitation & { contactKey: string })[] = [];
          const oneByOne: Decision[][] = subjects.map((subject) => {
            const [decisions = []] = planChunk({
              workspace,
              subjects: [subject],
              history: historyFrom(store),
            });
            for (const d of decisions) {
              if (d.outcome === 'invited') {
                store.push({ contactKey: subject.contactKey, ...d });
              }
            }
            return decisions;
          });
          expect(together).toEqual(oneByOne);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('two events of one contact in a chunk: the global rule skips the second survey', () => {
    const subject = toSubject({ contact: 0, day: 0, order: 1, optedOut: false, which: [1] });
    const other = { ...subject, triggers: [{ ...(triggers[1] as TriggerRule), id: 't3', surveyId: 's3' }] };
    const [first, second] = planChunk({
      workspace: { timezone: 'UTC', globalContactDays: 14 },
      subjects: [subject, other],
      history: historyFrom([]),
    });
    expect(first?.[0]).toMatchObject({ outcome: 'invited', surveyId: 's2' });
    expect(second?.[0]).toMatchObject({ outcome: 'skipped', reason: 'global_rule' });
  });

  it('the same order for two contacts in a chunk is invited once (the dedupe key spans contacts)', () => {
    const a = toSubject({ contact: 0, day: 0, order: 7, optedOut: false, which: [0] });
    const b = toSubject({ contact: 1, day: 0, order: 7, optedOut: false, which: [0] });
    const [first, second] = planChunk({
      workspace: { timezone: 'UTC', globalContactDays: 0 },
      subjects: [a, b],
      history: historyFrom([]),
    });
    expect(first?.[0]).toMatchObject({ outcome: 'invited', dedupeValue: '7' });
    expect(second?.[0]).toMatchObject({ outcome: 'skipped', reason: 'duplicate_key' });
  });
});
