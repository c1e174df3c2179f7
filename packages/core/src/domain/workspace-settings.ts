// What a workspace's settings may be: the rules PATCH /v1/workspace and the console's settings forms both check.
import { z } from 'zod';
import { accentColorSchema } from './branding.ts';
import { retentionMonthsSchema } from './retention.ts';
import { isValidTimeZone } from './rules/plan.ts';
import { quietHoursSchema } from './rules/send-window.ts';
import { reliabilitySettingsSchema } from './statistics/reliability.ts';

const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain the NUL character (\\u0000)');

/** Each setting's rule; every one is optional in a change. */
export const workspaceSettingsFields = {
  name: text(200).trim().min(1),
  alertEmail: z.email().max(320).nullable(),
  timezone: text(100).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Warsaw'),
  globalContactDays: z.number().int().min(0).max(365),
  emailRatePerSecond: z.number().int().min(1).max(10_000).nullable(),
  quietHours: quietHoursSchema.nullable(),
  quietHoursChannels: z.array(z.enum(['email', 'sms'])).max(2),
  /** Where promoters' referral links lead; the code is added as ?ref=. */
  referralUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .nullable(),
  /** When a metrics summary counts as readable; null goes back to the defaults. */
  reliability: reliabilitySettingsSchema.nullable(),
  /** How many days audit entries are kept before the daily retention job deletes them. */
  auditRetentionDays: z.number().int().min(1).max(3650),
  /** How many months events and messages are kept (1–120; null: forever); answers older keep only their anonymous score. */
  retentionMonths: retentionMonthsSchema,
  /** The survey pages' and emails' accent (links, buttons); null goes back to Surveyflow's. */
  accentColor: accentColorSchema.nullable(),
};
