// List sends as the API takes and shows them: the send's settings (query string or form fields), its progress, its rows.
import { sendRowOutcomes, sendStates, skipReasons } from '@surveyflow/core';
import { isoDateTime, keysetCursor, pageOf, pageQuery, text } from '@surveyflow/http';
import { z } from 'zod';

/** A send goes out by email or text (QR codes are printed per order, from an event). */
const channels = ['email', 'sms'] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00–23:59');
const flag = z
  .enum(['true', 'false', '1', '0', 'on', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'on');
/** A list as a query string or form carries it: repeated (channel=email&channel=sms) or comma-separated. */
const listOfText = z.union([z.string(), z.array(z.string())]).transform((v) =>
  [v]
    .flat()
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

/** The settings of a new send; the CSV is the body (text/csv) or the `file` part of a multipart form. */
export const SendFields = z.object({
  surveyId: z.uuid(),
  channel: listOfText
    .pipe(z.array(z.enum(channels, { error: `must be one of ${channels.join(', ')}` })).min(1))
    .describe(
      'The channels in order (repeat the field, or separate with commas): the first the contact has an address for.',
    ),
  at: isoDateTime
    .transform((v) => new Date(v))
    .optional()
    .describe(
      'When the invitations are due (default now), moved into the window and out of quiet hours per contact.',
    ),
  windowStart: hhmm.optional().describe('Send window start, local time in the contact’s zone.'),
  windowEnd: hhmm.optional(),
  windowDays: listOfText
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[1-7]$/, 'must be ISO weekdays 1–7')
            .transform(Number),
        )
        .min(1),
    )
    .optional()
    .describe('ISO weekdays of the window (1 = Monday), default every day.'),
  throttleDays: z.coerce.number().int().min(0).max(3650).optional().describe('Default 30.'),
  sampleRate: z.coerce.number().min(0).max(1).optional(),
  dryRun: flag.optional().describe('Plan and count, send nothing.'),
});

export const SendSettings = SendFields.superRefine((s, ctx) => {
  if (Boolean(s.windowStart) !== Boolean(s.windowEnd)) {
    ctx.addIssue({
      code: 'custom',
      path: ['windowEnd'],
      message: 'windowStart and windowEnd come together',
    });
  } else if (s.windowStart && s.windowEnd && s.windowStart >= s.windowEnd) {
    ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: 'must be later than windowStart' });
  }
});
export type SendSettings = z.infer<typeof SendSettings>;

const Progress = z.object({
  read: z.number().int().describe('Data rows read from the file.'),
  planned: z.number().int().describe('Rows decided so far: invited + skipped + bad.'),
  pending: z.number().int(),
  invited: z.number().int(),
  skipped: z.number().int(),
  skippedByReason: z
    .record(z.string(), z.number().int())
    .describe(`By skip reason: ${Object.keys(skipReasons).join(', ')}.`),
  bad: z.number().int().describe('Rows that could not be read (no id, bad email, phone or zone).'),
  sent: z.number().int(),
  answered: z.number().int(),
});

export const SendView = z
  .object({
    id: z.uuid(),
    surveyId: z.uuid(),
    channels: z.array(z.enum(['email', 'sms', 'qr'])),
    sendAt: z.date().nullable(),
    sendWindow: z.object({ days: z.array(z.number()), start: z.string(), end: z.string() }).nullable(),
    throttleDays: z.number().int(),
    sampleRate: z.number(),
    dryRun: z.boolean(),
    state: z.enum(sendStates),
    fileName: z.string().nullable(),
    progress: Progress,
    firstBad: z
      .array(z.object({ line: z.number().int(), contactId: z.string().nullable(), reason: z.string() }))
      .optional()
      .describe(
        'The first 20 bad rows by line, on one send only (not in the list); the rest through /v1/sends/{id}/rows?outcome=bad.',
      ),
    createdAt: z.date(),
    updatedAt: z.date(),
    finishedAt: z.date().nullable(),
  })
  .meta({ id: 'Send' });

export const SendPage = pageOf(SendView);
export const SendListQuery = z.object({ limit: pageQuery.limit, cursor: keysetCursor.schema.optional() });

export const SendRowsQuery = z.object({
  outcome: z.enum(sendRowOutcomes).optional(),
  limit: pageQuery.limit,
  cursor: text(12)
    .regex(/^\d{1,9}$/, 'not a cursor this API returned')
    .transform(Number)
    .optional()
    .describe('The `next` of the previous page (the last line it held).'),
});

export const SendRowView = z.object({
  line: z.number().int().describe('The line in the file (the header is line 1).'),
  contactId: z.string().nullable(),
  outcome: z.enum(sendRowOutcomes),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  invitationId: z.uuid().nullable(),
});
export const SendRowPage = pageOf(SendRowView);
