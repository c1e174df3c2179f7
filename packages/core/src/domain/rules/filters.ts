// Trigger filters: conditions on the event and the contact, combined in all/any groups. Pure functions.
import { z } from 'zod';

export const operators = [
  'eq',
  'neq',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'contains',
] as const;
export type Operator = (typeof operators)[number];

/** What a filter may look at: the event type, its properties, and the contact's attributes. */
export const fieldPattern =
  /^(type|contact\.(id|email|phone|name|locale|timezone)|properties(\.[A-Za-z0-9_-]+)+)$/;

export type Condition = { field: string; op: Operator; value?: unknown };
export type Filter = Condition | { all: Filter[] } | { any: Filter[] };

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const condition = z
  .object({
    field: z.string().regex(fieldPattern, 'must be type, contact.<attribute> or properties.<name>'),
    op: z.enum(operators, { error: `must be one of ${operators.join(', ')}` }),
    value: z.unknown().optional(),
  })
  .superRefine((c, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (c.op === 'in' || c.op === 'not_in') {
      if (
        !Array.isArray(c.value) ||
        c.value.length === 0 ||
        !c.value.every((v) => scalar.safeParse(v).success)
      ) {
        bad(`${c.op} takes a non-empty list of strings, numbers or booleans`);
      }
    } else if (['gt', 'gte', 'lt', 'lte'].includes(c.op)) {
      if (typeof c.value !== 'number') bad(`${c.op} takes a number`);
    } else if (c.op === 'exists') {
      if (c.value !== undefined && typeof c.value !== 'boolean') bad('exists takes true, false or nothing');
    } else if (!scalar.safeParse(c.value).success) {
      bad(`${c.op} takes a string, number or boolean`);
    }
  });

/**
 * A group when it has `all` or `any`, else a condition. Chosen by shape rather than by a zod union so
 * that an error names the bad field ("filter.all[1].op") instead of "no union member matched".
 */
export const filterSchema: z.ZodType<Filter> = z.lazy(() =>
  z.unknown().transform((value, ctx): Filter => {
    const isObject = value !== null && typeof value === 'object';
    const schema =
      isObject && 'all' in value
        ? z.object({ all: z.array(filterSchema).min(1) }).strict()
        : isObject && 'any' in value
          ? z.object({ any: z.array(filterSchema).min(1) }).strict()
          : condition;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as Filter;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }),
);

export type FilterSubject = {
  type: string;
  properties: Record<string, unknown>;
  contact: Record<string, unknown>;
};

function valueAt(subject: FilterSubject, field: string): unknown {
  if (field === 'type') return subject.type;
  const [head, ...rest] = field.split('.');
  let current: unknown = head === 'contact' ? subject.contact : subject.properties;
  for (const key of rest) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function holds(c: Condition, actual: unknown): boolean {
  switch (c.op) {
    case 'eq':
      return actual === c.value;
    case 'neq':
      return actual !== c.value;
    case 'in':
      return (c.value as unknown[]).includes(actual);
    case 'not_in':
      return !(c.value as unknown[]).includes(actual);
    case 'gt':
      return typeof actual === 'number' && actual > (c.value as number);
    case 'gte':
      return typeof actual === 'number' && actual >= (c.value as number);
    case 'lt':
      return typeof actual === 'number' && actual < (c.value as number);
    case 'lte':
      return typeof actual === 'number' && actual <= (c.value as number);
    case 'exists':
      return (actual !== undefined && actual !== null) === (c.value ?? true);
    case 'contains':
      return typeof actual === 'string'
        ? typeof c.value === 'string' && actual.includes(c.value)
        : Array.isArray(actual) && actual.includes(c.value);
  }
}

/** Whether the subject passes; when it does not, the first condition that failed, for the explanation. */
export function evaluateFilter(
  filter: Filter | null,
  subject: FilterSubject,
): { pass: true } | { pass: false; failed: string } {
  if (!filter) return { pass: true };
  if ('all' in filter) {
    for (const f of filter.all) {
      const r = evaluateFilter(f, subject);
      if (!r.pass) return r;
    }
    return { pass: true };
  }
  if ('any' in filter) {
    const failures: string[] = [];
    for (const f of filter.any) {
      const r = evaluateFilter(f, subject);
      if (r.pass) return r;
      failures.push(r.failed);
    }
    return { pass: false, failed: `none of: ${failures.join('; ')}` };
  }
  const actual = valueAt(subject, filter.field);
  if (holds(filter, actual)) return { pass: true };
  const expected = filter.value === undefined ? '' : ` ${JSON.stringify(filter.value)}`;
  return {
    pass: false,
    failed: `${filter.field} ${filter.op}${expected} (was ${JSON.stringify(actual) ?? 'missing'})`,
  };
}

/** The value of a dedupe key such as properties.orderId, as text; null when the event has none. */
export function dedupeValue(key: string | null, subject: FilterSubject): string | null {
  if (!key) return null;
  const v = valueAt(subject, key);
  return v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
}
