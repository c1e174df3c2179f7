// Data retention's pure part: how many months a workspace may keep events and messages, and where that puts the horizon.
import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * At least a month: a survey link lives TOKEN_TTL_DAYS (30 by default), reminders and the comment wait
 * follow within days, so a shorter horizon would take answers still being given. At most 120 (ten
 * years): longer is "forever", which is null.
 */
export const RETENTION_MONTHS = { min: 1, max: 120 } as const;

export const retentionMonthsSchema = z
  .number()
  .int()
  .min(RETENTION_MONTHS.min)
  .max(RETENTION_MONTHS.max)
  .nullable()
  .meta({
    description:
      'Months events and messages are kept; older ones are dropped and answers keep only their anonymous score (daily job). null: forever.',
  });

/**
 * The moment before which a workspace's data is past its retention: `months` calendar months before
 * `now`, in UTC (31 March less one month is 28/29 February, as Postgres' interval arithmetic has it).
 */
export function retentionHorizon(now: Date, months: number): Date {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months }).toJSDate();
}
