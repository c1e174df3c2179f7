// Webhook retry delays: doubling from one second, never more than an hour, never shrinking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webhookRetryDelayMs } from './backoff.ts';

describe('webhookRetryDelayMs', () => {
  it('waits 1 s after the first failure and doubles after each one', () => {
    expect([1, 2, 3, 4, 5].map(webhookRetryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('is capped at one hour from the 13th failure on', () => {
    expect(webhookRetryDelayMs(12)).toBe(2_048_000);
    expect(webhookRetryDelayMs(13)).toBe(3_600_000);
    expect(webhookRetryDelayMs(1_000_000)).toBe(3_600_000);
  });

  it('never shrinks from one attempt to the next and stays within 1 s … 1 h', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        const delay = webhookRetryDelayMs(n);
        expect(delay).toBeGreaterThanOrEqual(1000);
        expect(delay).toBeLessThanOrEqual(3_600_000);
        expect(webhookRetryDelayMs(n + 1)).toBeGreaterThanOrEqual(delay);
      }),
    );
  });

  it('rejects attempt numbers that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => webhookRetryDelayMs(bad)).toThrow(RangeError);
  });
});
