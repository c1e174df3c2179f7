// The audit log: filters (action, period), keyset paging, and an entry as shown.
import { isoDateTime, pageOf, pageQuery, text } from '@surveyflow/http';
import { z } from 'zod';

/** The audit log's cursor: the other lists' encoding (time to the microsecond, id), read back with a numeric id. */
const auditCursor = {
  schema: text(500).transform((v, ctx) => {
    try {
      const [at, id] = JSON.parse(Buffer.from(v, 'base64url').toString()) as [string, string];
      return z
        .object({ at: z.iso.datetime({ precision: 6 }), id: z.string().regex(/^\d{1,18}$/) })
        .parse({ at, id });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
      return z.NEVER;
    }
  }),
};

export const AuditQuery = z.object({
  action: z
    .string()
    .regex(
      /^[a-z_]+(\.[a-z_]+)*(\.\*?)?$/,
      'must be an action such as api_key.create, or a family such as case.*',
    )
    .max(100)
    .optional(),
  from: isoDateTime.transform((v) => new Date(v)).optional(),
  to: isoDateTime.transform((v) => new Date(v)).optional(),
  limit: pageQuery.limit,
  cursor: auditCursor.schema.optional(),
});

const AuditEntry = z
  .object({
    id: z.string(),
    at: z.date(),
    actor: z.object({
      kind: z.enum(['user', 'api_key', 'system']),
      id: z.string().nullable(),
      label: z.string(),
    }),
    action: z.string(),
    target: z.object({ kind: z.string(), id: z.string() }).nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPage = pageOf(AuditEntry);
