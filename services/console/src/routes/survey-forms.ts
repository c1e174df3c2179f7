// The survey and trigger forms as plain values: a stored row → the strings a form shows (a draft), and a posted form →
// the draft → the body /v1/surveys and /v1/triggers take, which the same schemas then validate. Pure functions.
import type { ErrorDetail, Filter, Operator } from '@surveyflow/core';

/** A posted form as @fastify/formbody gives it: a repeated name (checkboxes) comes as an array. */
export type Form = Record<string, string | string[] | undefined>;

const one = (f: Form, k: string): string => {
  const v = f[k];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
const many = (f: Form, k: string): string[] => (f[k] === undefined ? [] : ([f[k]].flat() as string[]));
const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** JSON from a textarea: empty is undefined; unreadable JSON is an error naming the field. */
function json(raw: string, field: string, errors: ErrorDetail[]): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    errors.push({ field, message: `is not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

// ——— Surveys ———

export type SurveyDraft = {
  name: string;
  kind: string;
  question: Record<string, string>;
  followupQuestion: Record<string, string>;
  questions: string;
  actions: string;
};

/** The languages a survey form offers: the console's three and any other the survey already has. */
export function draftLocales(d: Pick<SurveyDraft, 'question' | 'followupQuestion'>): string[] {
  return [...new Set(['en', 'ru', 'pl', ...Object.keys(d.question), ...Object.keys(d.followupQuestion)])];
}

export function surveyDraft(s: {
  name: string;
  kind: string;
  question: Record<string, string>;
  followupQuestion: Record<string, string>;
  questions: unknown[];
  actions: unknown[];
}): SurveyDraft {
  return {
    name: s.name,
    kind: s.kind,
    question: { ...s.question },
    followupQuestion: { ...s.followupQuestion },
    questions: s.questions.length ? JSON.stringify(s.questions, null, 2) : '',
    actions: JSON.stringify(s.actions, null, 2),
  };
}

const localizedFrom = (f: Form, prefix: string) =>
  Object.fromEntries(
    Object.keys(f)
      .filter((k) => k.startsWith(`${prefix}.`))
      .map((k) => [k.slice(prefix.length + 1), one(f, k)]),
  );

export function surveyDraftFromForm(f: Form): SurveyDraft {
  return {
    name: one(f, 'name'),
    kind: one(f, 'kind'),
    question: localizedFrom(f, 'question'),
    followupQuestion: localizedFrom(f, 'followupQuestion'),
    questions: one(f, 'questions'),
    actions: one(f, 'actions'),
  };
}

const filled = (texts: Record<string, string>) =>
  Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim() !== ''));

/** The body POST /v1/surveys takes (PATCH: without kind); a language left empty is not used. */
export function surveyBody(d: SurveyDraft): { body: Record<string, unknown>; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const followup = filled(d.followupQuestion);
  const body: Record<string, unknown> = {
    kind: d.kind,
    name: d.name,
    question: filled(d.question),
    ...(Object.keys(followup).length ? { followupQuestion: followup } : {}),
  };
  const questions = json(d.questions, 'questions', errors);
  // An emptied textarea asks for none: the API's "absent" would keep them.
  body.questions = questions ?? [];
  const actions = json(d.actions, 'actions', errors);
  if (actions !== undefined) body.actions = actions;
  return { body, errors };
}

// ——— Triggers ———

export type ConditionDraft = { field: string; op: string; value: string };

export type TriggerDraft = {
  surveyId: string;
  name: string;
  enabled: boolean;
  eventTypes: string;
  match: 'all' | 'any';
  conditions: ConditionDraft[];
  /** The filter as JSON when it has nested groups (rows cannot show it); null: the rows are the filter. */
  filterJson: string | null;
  delay: string;
  expireAfter: string;
  days: number[];
  start: string;
  end: string;
  throttleDays: string;
  sampleRate: string;
  dedupeKey: string;
  cancelOn: string;
  reminderCount: string;
  reminderAfterDays: string;
  channels: string[];
};

const looksScalar = (s: string) =>
  s === 'true' || s === 'false' || (s.trim() !== '' && !Number.isNaN(Number(s)));

/** A value as a form shows it: text that would read as a number or true/false keeps its quotes. */
function showValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(showValue).join(', ');
  if (typeof v === 'string') return looksScalar(v) ? JSON.stringify(v) : v;
  return String(v);
}

/** A value as typed: numbers and true/false as such, "quoted" text as text; in / not in take a comma list. */
export function readValue(op: string, raw: string): unknown {
  const scalar = (s: string): unknown => {
    const v = s.trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1);
    if (v === 'true') return true;
    if (v === 'false') return false;
    if (v !== '' && !Number.isNaN(Number(v))) return Number(v);
    return v;
  };
  if (op === 'in' || op === 'not_in')
    return raw
      .split(',')
      .map(scalar)
      .filter((v) => v !== '');
  if (op === 'exists') return raw.trim() === '' ? undefined : scalar(raw);
  return raw.trim() === '' ? undefined : scalar(raw);
}

const isCondition = (f: Filter): f is { field: string; op: Operator; value?: unknown } => 'field' in f;

/** The rows a filter reads as: one condition or one all/any group of conditions; anything deeper is JSON. */
function filterRows(filter: Filter | null): Pick<TriggerDraft, 'match' | 'conditions' | 'filterJson'> {
  if (!filter) return { match: 'all', conditions: [], filterJson: null };
  const group = isCondition(filter)
    ? { match: 'all' as const, items: [filter] }
    : 'all' in filter
      ? { match: 'all' as const, items: filter.all }
      : { match: 'any' as const, items: filter.any };
  if (!group.items.every(isCondition)) {
    return { match: 'all', conditions: [], filterJson: JSON.stringify(filter, null, 2) };
  }
  return {
    match: group.match,
    conditions: group.items
      .filter(isCondition)
      .map((c) => ({ field: c.field, op: c.op, value: showValue(c.value) })),
    filterJson: null,
  };
}

export function triggerDraft(t: {
  surveyId: string;
  name: string;
  enabled: boolean;
  eventTypes: string[];
  filter: unknown;
  delay: string;
  expireAfter: string | null;
  sendWindow: unknown;
  throttleDays: number;
  sampleRate: number;
  dedupeKey: string | null;
  cancelOn: string[];
  reminderCount: number;
  reminderAfterDays: number;
  channels: string[];
}): TriggerDraft {
  const window = t.sendWindow as { days: number[]; start: string; end: string } | null;
  return {
    surveyId: t.surveyId,
    name: t.name,
    enabled: t.enabled,
    eventTypes: t.eventTypes.join(', '),
    ...filterRows((t.filter as Filter | null) ?? null),
    delay: t.delay,
    expireAfter: t.expireAfter ?? '',
    days: window?.days ?? [1, 2, 3, 4, 5, 6, 7],
    start: window?.start ?? '',
    end: window?.end ?? '',
    throttleDays: String(t.throttleDays),
    sampleRate: String(t.sampleRate),
    dedupeKey: t.dedupeKey ?? '',
    cancelOn: t.cancelOn.join(', '),
    reminderCount: String(t.reminderCount),
    reminderAfterDays: String(t.reminderAfterDays),
    channels: [...t.channels],
  };
}

/** A new trigger's form: the API's defaults. */
export function newTriggerDraft(surveyId: string): TriggerDraft {
  return triggerDraft({
    surveyId,
    name: '',
    enabled: true,
    eventTypes: ['order.delivered'],
    filter: null,
    delay: 'PT0S',
    expireAfter: 'P7D',
    sendWindow: null,
    throttleDays: 30,
    sampleRate: 1,
    dedupeKey: null,
    cancelOn: [],
    reminderCount: 0,
    reminderAfterDays: 3,
    channels: ['email'],
  });
}

/** The rows a form posts (filter.0.field, filter.0.op, filter.0.value, …), blank ones dropped. */
function conditionsFromForm(f: Form): ConditionDraft[] {
  const indexes = [
    ...new Set(
      Object.keys(f)
        .map((k) => /^filter\.(\d+)\.field$/.exec(k)?.[1])
        .filter((i): i is string => i !== undefined)
        .map(Number),
    ),
  ].sort((a, b) => a - b);
  return indexes
    .map((i) => ({
      field: one(f, `filter.${i}.field`).trim(),
      op: one(f, `filter.${i}.op`),
      value: one(f, `filter.${i}.value`),
    }))
    .filter((c) => c.field !== '');
}

export function triggerDraftFromForm(f: Form): TriggerDraft {
  return {
    surveyId: one(f, 'surveyId'),
    name: one(f, 'name'),
    enabled: one(f, 'enabled') === 'on',
    eventTypes: one(f, 'eventTypes'),
    match: one(f, 'filter.match') === 'any' ? 'any' : 'all',
    conditions: conditionsFromForm(f),
    filterJson: f.filterJson === undefined ? null : one(f, 'filterJson'),
    delay: one(f, 'delay'),
    expireAfter: one(f, 'expireAfter'),
    days: many(f, 'sendWindow.days').map(Number),
    start: one(f, 'sendWindow.start'),
    end: one(f, 'sendWindow.end'),
    throttleDays: one(f, 'throttleDays'),
    sampleRate: one(f, 'sampleRate'),
    dedupeKey: one(f, 'dedupeKey'),
    cancelOn: one(f, 'cancelOn'),
    reminderCount: one(f, 'reminderCount'),
    reminderAfterDays: one(f, 'reminderAfterDays'),
    channels: [one(f, 'channels.1'), one(f, 'channels.2'), one(f, 'channels.3')].filter(Boolean),
  };
}

/** A number field: empty is absent (the schema says it is required where it is), anything else as typed. */
const num = (s: string): number | string | undefined => {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  // Not a number: left as text, so the schema names the field ("expected number").
  return Number.isNaN(n) ? s : n;
};

/** The body POST /v1/triggers takes (PATCH takes the same fields). */
export function triggerBody(d: TriggerDraft): { body: Record<string, unknown>; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  let filter: unknown = null;
  if (d.filterJson !== null) filter = json(d.filterJson, 'filter', errors) ?? null;
  else if (d.conditions.length > 0) {
    filter = {
      [d.match]: d.conditions.map((c) => {
        const value = readValue(c.op, c.value);
        return value === undefined ? { field: c.field, op: c.op } : { field: c.field, op: c.op, value };
      }),
    };
  }
  const body: Record<string, unknown> = {
    surveyId: d.surveyId,
    name: d.name.trim() === '' ? undefined : d.name,
    enabled: d.enabled,
    eventTypes: list(d.eventTypes),
    filter,
    delay: d.delay.trim(),
    expireAfter: d.expireAfter.trim() === '' ? null : d.expireAfter.trim(),
    // No day ticked is every day, as the API's default.
    sendWindow:
      d.start === '' && d.end === ''
        ? null
        : { ...(d.days.length ? { days: d.days } : {}), start: d.start, end: d.end },
    throttleDays: num(d.throttleDays),
    sampleRate: num(d.sampleRate),
    dedupeKey: d.dedupeKey.trim() === '' ? null : d.dedupeKey.trim(),
    cancelOn: list(d.cancelOn),
    reminderCount: num(d.reminderCount),
    reminderAfterDays: num(d.reminderAfterDays),
    channels: d.channels,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return { body, errors };
}

/** The form field an error of the API's body names: filter.all[1].value is row 1's value field. */
export function formFieldOf(field: string): string {
  const row = /^filter\.(?:all|any)\[(\d+)\](?:\.(field|op|value))?/.exec(field);
  if (row) return `filter.${row[1]}.${row[2] ?? 'field'}`;
  if (field.startsWith('sendWindow.')) return field.split('[')[0] ?? field;
  if (/^channels\[\d+\]/.test(field)) return 'channels';
  return field;
}
