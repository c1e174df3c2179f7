// Publishable keys (pk_…) for the on-site widget: what a POST names, and what is shown (the key too: it is public).
import { text, uuid } from '@surveyflow/http';
import { z } from 'zod';

export const PublishableKeyInput = z
  .object({
    name: text(100).trim().min(1, 'must not be empty'),
    surveyIds: z.array(uuid).min(1, 'must list at least one survey').max(20),
    allowedOrigins: z
      .array(text(300))
      .min(1, 'must list at least one origin')
      .max(20)
      .meta({ description: 'exact origins, scheme://host[:port] (no path, no wildcard)' }),
  })
  .strict()
  .meta({
    example: {
      name: 'Shop site',
      surveyIds: ['4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11'],
      allowedOrigins: ['https://shop.example'],
    },
  });

export const PublishableKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    key: z
      .string()
      .meta({ description: 'pk_…: goes in the script tag; it only shows and answers these surveys' }),
    surveyIds: z.array(z.uuid()),
    allowedOrigins: z.array(z.string()),
    requireIdentity: z
      .boolean()
      .meta({ description: 'identify calls must carry a valid signature (identity verification)' }),
    hasIdentitySecret: z.boolean(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'PublishableKey' });

export const PublishableKeyList = z.object({ data: z.array(PublishableKeyView) });

export const PublishableKeyEdit = z
  .object({
    requireIdentity: z
      .boolean()
      .meta({ description: 'refuse identify calls without a valid signature (needs an identity secret)' }),
  })
  .strict();

export const IdentitySecretView = z
  .object({
    key: PublishableKeyView,
    identitySecret: z.string().meta({
      description:
        'sfid_…: shown this once. Keep it on your server; sign each visitor id with HMAC-SHA256 under it (hex).',
    }),
  })
  .meta({ id: 'IdentitySecret' });
