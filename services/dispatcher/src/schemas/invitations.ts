// Invitations (by hand, printable QR codes, lists) and locations (permanent codes in shops).
import { qrOptionsSchema, schema } from '@surveyflow/core';
import { jsonObject, keysetCursor, pageOf, pageQuery, period, text, uuid } from '@surveyflow/http';
import { z } from 'zod';

export const InvitationInput = z
  .object({
    channel: z.enum(schema.triggerChannels),
    surveyId: uuid,
    /** The producer's id of the event the answer belongs to, e.g. the order.created of the receipt. */
    eventId: text(200).min(1),
  })
  .meta({
    example: { channel: 'qr', surveyId: '4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11', eventId: 'order-1001' },
  });

const qrLinks = z.object({ svg: z.string(), png: z.string() });

export const DirectInvitation = z.object({
  id: z.uuid(),
  channel: z.enum(['email', 'sms']),
  eventId: z.string(),
});

export const PrintableInvitation = z
  .object({
    id: z.uuid(),
    channel: z.literal('qr'),
    status: z.string(),
    eventId: z.string().nullable(),
    url: z.string(),
    expiresAt: z.date().nullable(),
    qr: qrLinks,
  })
  .meta({ id: 'PrintableInvitation' });

export const InvitationListQuery = z.object({
  surveyId: uuid.optional(),
  channel: z.enum(schema.channels).optional(),
  status: z.enum(schema.invitationStatuses).optional(),
  ...period,
  limit: pageQuery.limit,
  cursor: keysetCursor.schema.optional(),
});

export const InvitationListItem = z.object({
  id: z.uuid(),
  surveyId: z.uuid(),
  triggerId: z.uuid().nullable(),
  channel: z.enum(schema.channels),
  status: z.enum(schema.invitationStatuses),
  contact: z.object({ id: z.string() }),
  event: z.string().nullable(),
  sendAt: z.date(),
  sentAt: z.date().nullable(),
  failureReason: z.string().nullable(),
  remindersSent: z.number().int(),
  createdAt: z.date(),
});
export const InvitationPage = pageOf(InvitationListItem);

export const ResentInvitation = z
  .object({
    id: z.uuid(),
    channel: z.enum(['email', 'sms']),
    status: z.literal('queued'),
  })
  .meta({ id: 'ResentInvitation' });

export const QrImageQuery = qrOptionsSchema.omit({ format: true });
export const QrSheetQuery = z.object({
  ids: text(20_000)
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.uuid('must be a list of UUIDs')).min(1).max(500))
    .meta({ description: 'comma-separated invitation ids, up to 500' }),
});

export const LocationInput = z
  .object({
    surveyId: uuid,
    name: text(200).trim().min(1),
    deviceLimitHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24),
    properties: jsonObject.default({}),
  })
  .meta({
    example: {
      surveyId: '4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11',
      name: 'Warsaw store',
      properties: { store: 'Warsaw' },
    },
  });

export const LocationView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    surveyId: z.uuid(),
    code: z.string(),
    url: z.string(),
    deviceLimitHours: z.number().int(),
    kiosk: z.boolean().meta({ description: 'a tablet in the shop: its page is /k/:code (kioskUrl)' }),
    kioskUrl: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
    createdAt: z.date(),
    qr: qrLinks,
  })
  .meta({ id: 'Location' });

export const LocationPatch = z
  .object({
    name: text(200).trim().min(1),
    deviceLimitHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90),
    kiosk: z.boolean().meta({
      description:
        'A tablet in the shop (/k/:code): large buttons, back to the start after each answer, answers kept through a network loss; limited per device per 10 minutes',
    }),
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something: name, deviceLimitHours or kiosk')
  .meta({ example: { kiosk: true } });

/** Images and the print sheet are not JSON; their schemas say what they are. */
export const binary = (description: string) => z.any().meta({ description });
