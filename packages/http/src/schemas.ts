// Schema building blocks every route shares: bounded text, ids, dates, JSON properties, paging, the error body.
// Limits are part of the contract (and of the OpenAPI document), so hostile input is a 400 naming the field.
import { z } from 'zod';

/** Postgres text cannot hold NUL; refusing it here names the field instead of failing in the database. */
const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';

/** A bounded string without NUL characters. */
export function text(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), NUL_MESSAGE);
}

/** The limits on free-form JSON (event, answer and location properties). */
export const jsonLimits = { depth: 8, keys: 500, stringLength: 10_000 } as const;

/** Checks a JSON value against jsonLimits and for NUL characters; iterative, so any depth is safe to inspect. */
function checkJson(value: unknown, ctx: z.RefinementCtx) {
  let keys = 0;
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: (string | number)[] };
    if (path.length > jsonLimits.depth) {
      ctx.addIssue({ code: 'custom', path, message: `is nested more than ${jsonLimits.depth} levels deep` });
      return;
    }
    if (typeof v === 'string') {
      if (v.length > jsonLimits.stringLength)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `is longer than ${jsonLimits.stringLength} characters`,
        });
      if (v.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      ctx.addIssue({ code: 'custom', path, message: 'must be a finite number' });
    } else if (Array.isArray(v)) {
      keys += v.length;
      v.forEach((item, i) => {
        stack.push({ v: item, path: [...path, i] });
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        keys += 1;
        if (k.includes('\u0000')) ctx.addIssue({ code: 'custom', path: [...path, k], message: NUL_MESSAGE });
        stack.push({ v: item, path: [...path, k] });
      }
    }
    if (keys > jsonLimits.keys) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `has more than ${jsonLimits.keys} keys and items in all`,
      });
      return;
    }
  }
}

/** Free-form JSON properties: an object, at most jsonLimits deep and wide, no NUL anywhere. */
export const jsonObject = z
  .record(z.string(), z.unknown())
  .superRefine(checkJson)
  .meta({
    description: `Free-form JSON: at most ${jsonLimits.depth} levels deep, ${jsonLimits.keys} keys and items, strings up to ${jsonLimits.stringLength} characters`,
  });

export const uuid = z.uuid('must be a UUID');
export const IdParams = z.object({ id: uuid });

/** An ISO 8601 date-time with an offset, in the years we store (a year-0000 date is the client's mistake). */
export const isoDateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-12-01T09:30:00Z' })
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    // An unreadable date already failed the format check; one message per field is enough.
    return Number.isNaN(year) || (year >= 1970 && year <= 9999);
  }, 'must be between the years 1970 and 9999');

/** from/to on lists and metrics, as Dates. */
export const period = {
  from: isoDateTime.transform((v) => new Date(v)).optional(),
  to: isoDateTime.transform((v) => new Date(v)).optional(),
};

/** A timestamp in a response: always ISO 8601. */
export const timestamp = z.date().transform((d) => d.toISOString());
export const nullableTimestamp = z
  .date()
  .nullable()
  .transform((d) => (d ? d.toISOString() : null));

export const boolQuery = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

/** Paging: at most 500 a page; the cursor is opaque (what the previous page answered as `next`). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: text(500).optional(),
};

/** A page of a list: `next` is the cursor of the following page, null on the last. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next: z.string().nullable() });
}

export const ErrorDetail = z.object({ field: z.string(), message: z.string() });
export const ErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.array(ErrorDetail).optional() }),
  })
  .meta({
    id: 'Error',
    example: {
      error: {
        code: 'validation_failed',
        message: 'Invalid request: contact.email',
        details: [{ field: 'contact.email', message: 'Invalid email address' }],
      },
    },
  });

/** The error answers most authenticated routes can give. */
export const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } as const;

/** Keyset paging over (time, id): the cursor is the last row's pair, base64url JSON, opaque to clients. */
export const keysetCursor = {
  encode(row: { at: string; id: string }): string {
    return Buffer.from(JSON.stringify([row.at, row.id])).toString('base64url');
  },
  /** The query-string form: a cursor this API did not hand out is a 400 naming `cursor`. */
  schema: text(500).transform((v, ctx) => {
    try {
      const [at, id] = JSON.parse(Buffer.from(v, 'base64url').toString()) as [string, string];
      return z.object({ at: z.iso.datetime({ precision: 6 }), id: z.uuid() }).parse({ at, id });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
      return z.NEVER;
    }
  }),
};

/** A page from a query that fetched limit + 1 rows in keyset order: the extra row says a next page exists. */
export function pageFrom<R, T>(
  rows: R[],
  limit: number,
  view: (row: R) => T,
  keyOf: (row: R) => { at: string; id: string },
): { data: T[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(view),
    next: rows.length > limit && last ? keysetCursor.encode(keyOf(last)) : null,
  };
}
