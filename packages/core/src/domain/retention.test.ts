import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RETENTION_MONTHS, retentionHorizon, retentionMonthsSchema } from './retention.ts';

describe('the retention horizon', () => {
  test('is calendar months back in UTC, the end of a shorter month when the day does not exist', () => {
    expect(retentionHorizon(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).toBe(
      '2026-02-28T10:00:00.000Z',
    );
    expect(retentionHorizon(new Date('2026-12-02T06:00:00Z'), 12).toISOString()).toBe(
      '2025-12-02T06:00:00.000Z',
    );
  });

  test('is before now, and a longer setting reaches further back', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.integer({ min: RETENTION_MONTHS.min, max: RETENTION_MONTHS.max - 1 }),
        (now, months) => {
          const h = retentionHorizon(now, months);
          expect(h.getTime()).toBeLessThan(now.getTime());
          expect(retentionHorizon(now, months + 1).getTime()).toBeLessThan(h.getTime());
          // At least 28 days a month, at most 31.
          expect(now.getTime() - h.getTime()).toBeGreaterThanOrEqual(months * 28 * 86_400_000);
          expect(now.getTime() - h.getTime()).toBeLessThanOrEqual(months * 31 * 86_400_000);
        },
      ),
    );
  });

  test('the setting takes whole months from 1 to 120, or null for forever', () => {
    for (const ok of [1, 6, 120, null]) expect(retentionMonthsSchema.safeParse(ok).success).toBe(true);
    for (const bad of [0, 121, 1.5, '6', -1])
      expect(retentionMonthsSchema.safeParse(bad).success).toBe(false);
  });
});
