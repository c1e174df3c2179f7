// The key's own workspace: its contact rules, quiet hours, email rate, referral page, event signing.
import { isValidTimeZone, quietHoursSchema, reliabilitySettingsSchema } from '@surveyflow/core';
import { text } from '@surveyflow/http';
import { z } from 'zod';

export const WorkspacePatch = z
  .object({
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
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something, e.g. { "globalContactDays": 90 }')
  .meta({ example: { globalContactDays: 90, quietHours: { start: '21:00', end: '08:00' } } });

export const WorkspaceView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    alertEmail: z.string().nullable(),
    timezone: z.string(),
    globalContactDays: z.number().int(),
    emailRatePerSecond: z.number().int().nullable(),
    quietHours: z.unknown().nullable(),
    quietHoursChannels: z.array(z.string()),
    referralUrl: z.string().nullable(),
    signedEvents: z.boolean(),
    /** The reliability rule in force (the defaults unless the workspace set its own). */
    reliability: reliabilitySettingsSchema,
    auditRetentionDays: z.number().int(),
  })
  .meta({ id: 'Workspace' });

export const SigningSecret = z.object({ secret: z.string().meta({ description: 'whsec_… shown only now' }) });
