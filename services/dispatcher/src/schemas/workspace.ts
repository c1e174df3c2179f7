// The key's own workspace: its contact rules, quiet hours, email rate, referral page, event signing.
import { reliabilitySettingsSchema, workspaceSettingsFields } from '@surveyflow/core';
import { z } from 'zod';

export const WorkspacePatch = z
  // The rules live in core (domain/workspace-settings.ts): the console's settings forms check the same.
  .object(workspaceSettingsFields)
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
    /** Months events and messages are kept before the daily retention job drops them (null: forever). */
    retentionMonths: z.number().int().nullable(),
    /** The accent of survey pages and emails (null: Surveyflow's own). */
    accentColor: z.string().nullable(),
    /** The logo on survey pages and in emails, served by the collector under its fingerprint; null: none. */
    logo: z
      .object({ url: z.string(), contentType: z.enum(['image/png', 'image/jpeg']), sha256: z.string() })
      .nullable(),
  })
  .meta({ id: 'Workspace' });

/** PUT /v1/workspace/logo: the image, base64 (PNG or JPEG by its bytes, at most 256 KB). */
export const LogoUpload = z
  .object({
    image: z
      .base64({ error: 'must be the image file in base64' })
      .max(Math.ceil((256 * 1024 * 4) / 3) + 4, 'must be at most 256 KB once decoded'),
  })
  .strict()
  .meta({
    example: {
      image:
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==',
    },
  });

export const SigningSecret = z.object({ secret: z.string().meta({ description: 'whsec_… shown only now' }) });
