// The rule that keeps key use off the write path: at most one recorded use per key per minute, per process.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { shouldRecordUse } from './api-keys.ts';

const MINUTE = 60_000;

/** Replays uses through the rule as KeyUsage.touch does; returns the times written per key. */
function replay(uses: { key: number; at: number }[]) {
  const last = new Map<number, number>();
  const written = new Map<number, number[]>();
  for (const u of uses) {
    if (!shouldRecordUse(last.get(u.key), u.at, MINUTE)) continue;
    last.set(u.key, u.at);
    written.set(u.key, [...(written.get(u.key) ?? []), u.at]);
  }
  return written;
}

const usesInOrder = fc
  .array(fc.record({ key: fc.integer({ min: 0, max: 4 }), gap: fc.integer({ min: 0, max: 3 * MINUTE }) }), {
    maxLength: 300,
  })
  .map((items) => {
    let at = 1_800_000_000_000;
    return items.map(({ key, gap }) => {
      at += gap;
      return { key, at };
    });
  });

describe('recording key use', () => {
  test('the first use of a key is recorded, the next within a minute is not, one a minute later is', () => {
    expect(shouldRecordUse(undefined, 0, MINUTE)).toBe(true);
    expect(shouldRecordUse(0, MINUTE - 1, MINUTE)).toBe(false);
    expect(shouldRecordUse(0, MINUTE, MINUTE)).toBe(true);
  });

  test('a clock that went back records again rather than staying silent for the jump', () => {
    expect(shouldRecordUse(10 * MINUTE, 5 * MINUTE, MINUTE)).toBe(true);
  });

  test('property: written uses of a key are at least a minute apart', () => {
    fc.assert(
      fc.property(usesInOrder, (uses) => {
        for (const times of replay(uses).values()) {
          for (let i = 1; i < times.length; i++) {
            expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(MINUTE);
          }
        }
      }),
    );
  });

  test('property: every key used is written, and never later than a minute after a use goes unwritten', () => {
    fc.assert(
      fc.property(usesInOrder, (uses) => {
        const written = replay(uses);
        for (const u of uses) {
          const times = written.get(u.key) ?? [];
          expect(times.length).toBeGreaterThan(0);
          // The newest write at or before this use is less than a minute old (or is this use).
          const latest = Math.max(...times.filter((t) => t <= u.at));
          expect(u.at - latest).toBeLessThan(MINUTE);
        }
      }),
    );
  });
});
