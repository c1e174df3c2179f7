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

/**
 * One action or extra question as its form rows hold it: each control's value by its path inside the item, the
 * API's own path (`type`, `segments`, `body.en`, `options[1].label.pl`), so an error of `actions[2].body.en` is the
 * error of the control named `actions[2].body.en`. Ticked boxes are lists; everything else is text.
 */
export type RowDraft = Record<string, string | string[]>;

export type SurveyDraft = {
  name: string;
  kind: string;
  question: Record<string, string>;
  followupQuestion: Record<string, string>;
  questions: RowDraft[];
  actions: RowDraft[];
  /** The rolled-up event properties, typed with commas: "store, address.city". */
  rollupProperties: string;
};

/** The languages a survey form offers: the console's three and any other the survey already has. */
export function draftLocales(d: Pick<SurveyDraft, 'question' | 'followupQuestion'>): string[] {
  return [...new Set(['en', 'ru', 'pl', ...Object.keys(d.question), ...Object.keys(d.followupQuestion)])];
}

/** Fields that are lists of ticked boxes, lists typed with commas, yes/no boxes and numbers (the rest is text). */
const ticked = new Set(['segments', 'roles']);
const typedList = new Set(['emails', 'tags']);
const yesNo = new Set(['acknowledge']);
const numeric = new Set(['slaHours', 'importance']);

/** A stored action or question as form rows (nested texts and options flattened to their paths). */
export function rowDraft(item: Record<string, unknown>, prefix = ''): RowDraft {
  const row: RowDraft = {};
  for (const [k, v] of Object.entries(item)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'string'))
        row[path] = ticked.has(k) ? [...(v as string[])] : (v as string[]).join(', ');
      else
        v.forEach((x, i) => {
          Object.assign(row, rowDraft(x as Record<string, unknown>, `${path}[${i}]`));
        });
    } else if (typeof v === 'object') Object.assign(row, rowDraft(v as Record<string, unknown>, path));
    else if (typeof v === 'boolean') row[path] = v ? 'on' : '';
    else row[path] = String(v);
  }
  return row;
}

export function surveyDraft(s: {
  name: string;
  kind: string;
  question: Record<string, string>;
  followupQuestion: Record<string, string>;
  questions: unknown[];
  actions: unknown[];
  rollupProperties: readonly string[];
}): SurveyDraft {
  return {
    name: s.name,
    kind: s.kind,
    question: { ...s.question },
    followupQuestion: { ...s.followupQuestion },
    questions: s.questions.map((q) => rowDraft(q as Record<string, unknown>)),
    actions: s.actions.map((a) => rowDraft(a as Record<string, unknown>)),
    rollupProperties: s.rollupProperties.join(', '),
  };
}

const localizedFrom = (f: Form, prefix: string) =>
  Object.fromEntries(
    Object.keys(f)
      .filter((k) => k.startsWith(`${prefix}.`))
      .map((k) => [k.slice(prefix.length + 1), one(f, k)]),
  );

/** The rows a form posts as `list[i].path`, in index order; the boxes of a row come as lists. */
function rowsFrom(f: Form, list: string): RowDraft[] {
  const rows = new Map<number, RowDraft>();
  const pattern = new RegExp(`^${list}\\[(\\d+)\\]\\.(.+)$`);
  for (const key of Object.keys(f)) {
    const m = pattern.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    const path = m[2] ?? '';
    const row = rows.get(index) ?? {};
    row[path] = ticked.has(path) ? many(f, key) : one(f, key);
    rows.set(index, row);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

export function surveyDraftFromForm(f: Form): SurveyDraft {
  return {
    name: one(f, 'name'),
    kind: one(f, 'kind'),
    question: localizedFrom(f, 'question'),
    followupQuestion: localizedFrom(f, 'followupQuestion'),
    questions: rowsFrom(f, 'questions'),
    actions: rowsFrom(f, 'actions'),
    rollupProperties: one(f, 'rollupProperties'),
  };
}

const filled = (texts: Record<string, string>) =>
  Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim() !== ''));

/** Which fields each kind of action and question has (what the form shows and the body takes). */
export const actionFields = {
  alert: ['emails', 'roles', 'slackWebhookUrl'],
  case: ['slaHours', 'owner', 'escalateTo', 'acknowledge', 'acknowledgement'],
  message: ['channel', 'subject', 'body'],
  referral: ['channel', 'body'],
  review: ['url', 'channel', 'body'],
  zendesk_ticket: ['connectorId', 'tags', 'priority'],
} as const;
export type ActionType = keyof typeof actionFields;
export const actionTypes = Object.keys(actionFields) as ActionType[];
export const localizedFields = new Set(['subject', 'body', 'acknowledgement', 'label']);

export const questionFields = {
  rating: ['label', 'scale', 'importance'],
  choice: ['label', 'options'],
  text: ['label'],
} as const;
export type QuestionType = keyof typeof questionFields;
export const questionTypes = Object.keys(questionFields) as QuestionType[];

/** The texts of a localized field (`body.en`, `body.pl`…) that are filled; undefined when none is. */
function localizedOf(row: RowDraft, field: string): Record<string, string> | undefined {
  const texts = Object.fromEntries(
    Object.entries(row)
      .filter(([k, v]) => k.startsWith(`${field}.`) && typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => [k.slice(field.length + 1), v as string]),
  );
  return Object.keys(texts).length ? texts : undefined;
}

const text1 = (row: RowDraft, k: string) => {
  const v = row[k];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** One field of a row as the API takes it; undefined leaves it out (the API's default or "none"). */
function fieldValue(row: RowDraft, field: string): unknown {
  if (localizedFields.has(field)) return localizedOf(row, field);
  if (ticked.has(field)) return [row[field] ?? []].flat();
  if (yesNo.has(field)) return text1(row, field) === 'on';
  const raw = text1(row, field).trim();
  if (typedList.has(field)) return list(raw);
  if (raw === '') return undefined;
  if (numeric.has(field)) return num(raw);
  return raw;
}

/** The options of a choice question: `options[i].id` and `options[i].label.<locale>` rows. */
function optionsOf(row: RowDraft): { id: string; label: Record<string, string> | undefined }[] {
  const indexes = [
    ...new Set(
      Object.keys(row)
        .map((k) => /^options\[(\d+)\]\./.exec(k)?.[1])
        .filter((i): i is string => i !== undefined)
        .map(Number),
    ),
  ].sort((a, b) => a - b);
  return indexes.map((i) => {
    const sub: RowDraft = {};
    for (const [k, v] of Object.entries(row)) {
      const prefix = `options[${i}].`;
      if (k.startsWith(prefix)) sub[k.slice(prefix.length)] = v;
    }
    return { id: text1(sub, 'id').trim(), label: localizedOf(sub, 'label') };
  });
}

/** An action's rows as the API's action: its type's fields only, empty ones left to the API's defaults. */
export function actionBody(row: RowDraft): Record<string, unknown> {
  const type = text1(row, 'type') as ActionType;
  const body: Record<string, unknown> = { type, segments: fieldValue(row, 'segments') };
  for (const field of actionFields[type] ?? []) {
    const v = fieldValue(row, field);
    if (v !== undefined) body[field] = v;
  }
  return body;
}

/** An extra question's rows as the API's question. */
export function questionBody(row: RowDraft): Record<string, unknown> {
  const type = text1(row, 'type') as QuestionType;
  const body: Record<string, unknown> = { id: text1(row, 'id').trim(), type };
  for (const field of questionFields[type] ?? []) {
    const v = field === 'options' ? optionsOf(row) : fieldValue(row, field);
    if (v !== undefined) body[field] = v;
  }
  return body;
}

/**
 * The body POST /v1/surveys takes (PATCH: without kind); a language left empty is not used. A new survey without
 * action rows gets its kind's defaults (the API's "absent"); a stored one without rows has none.
 */
export function surveyBody(
  d: SurveyDraft,
  opts: { creating?: boolean } = {},
): { body: Record<string, unknown>; errors: ErrorDetail[] } {
  const followup = filled(d.followupQuestion);
  const body: Record<string, unknown> = {
    kind: d.kind,
    name: d.name,
    question: filled(d.question),
    ...(Object.keys(followup).length ? { followupQuestion: followup } : {}),
    // No rows ask for none (the API's "absent" would keep or default them).
    questions: d.questions.map(questionBody),
    ...(opts.creating && d.actions.length === 0 ? {} : { actions: d.actions.map(actionBody) }),
    rollupProperties: d.rollupProperties
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  };
  return { body, errors: [] };
}

/** A new row of a kind, with what the API would default (segments, SLA, acknowledgement), ready to fill in. */
export function newActionRow(type: ActionType): RowDraft {
  const segments = {
    alert: ['detractor'],
    case: ['detractor'],
    message: ['passive'],
    referral: ['promoter'],
    review: ['detractor', 'passive', 'promoter'],
    zendesk_ticket: ['detractor'],
  }[type];
  return {
    type,
    segments,
    ...(type === 'case' ? { slaHours: '48', acknowledge: 'on' } : {}),
    ...(['message', 'referral', 'review'].includes(type) ? { channel: 'auto' } : {}),
  };
}

export function newQuestionRow(type: QuestionType, taken: readonly RowDraft[]): RowDraft {
  const ids = new Set(taken.map((q) => text1(q, 'id')));
  let n = taken.length + 1;
  while (ids.has(`question_${n}`)) n++;
  return {
    id: `question_${n}`,
    type,
    ...(type === 'rating' ? { scale: '1-5' } : {}),
    ...(type === 'choice' ? { 'options[0].id': 'option_1', 'options[1].id': 'option_2' } : {}),
  };
}

/**
 * What an "add" or "remove" button asks of the form (without JavaScript the form is posted and comes back changed):
 * `add-action`, `remove-action:2`, `add-question`, `remove-question:1`, `add-option:1`, `remove-option:1:0`.
 * Unknown or out-of-range asks change nothing.
 */
export function applyFormOp(d: SurveyDraft, op: string, f: Form): SurveyDraft {
  const [what, a, b] = op.split(':');
  const i = Number(a);
  const j = Number(b);
  const next = { ...d, actions: [...d.actions], questions: [...d.questions] };
  if (what === 'add-action') {
    const type = one(f, 'newAction') as ActionType;
    if (actionTypes.includes(type)) next.actions.push(newActionRow(type));
  } else if (what === 'remove-action' && Number.isInteger(i)) next.actions.splice(i, 1);
  else if (what === 'add-question') {
    const type = one(f, 'newQuestion') as QuestionType;
    if (questionTypes.includes(type)) next.questions.push(newQuestionRow(type, d.questions));
  } else if (what === 'remove-question' && Number.isInteger(i)) next.questions.splice(i, 1);
  else if ((what === 'add-option' || what === 'remove-option') && next.questions[i]) {
    const row = next.questions[i] as RowDraft;
    const options = optionsOf(row).length;
    const kept: RowDraft = {};
    const moved = Object.entries(row).flatMap(([k, v]): [string, string | string[]][] => {
      const m = /^options\[(\d+)\]\.(.+)$/.exec(k);
      if (!m) {
        kept[k] = v;
        return [];
      }
      const at = Number(m[1]);
      if (what === 'remove-option' && at === j) return [];
      const to = what === 'remove-option' && at > j ? at - 1 : at;
      return [[`options[${to}].${m[2]}`, v]];
    });
    const changed: RowDraft = { ...kept, ...Object.fromEntries(moved) };
    if (what === 'add-option') changed[`options[${options}].id`] = `option_${options + 1}`;
    next.questions[i] = changed;
  }
  return next;
}

/** The option rows a choice question shows (their count, for the form). */
export const optionCount = (row: RowDraft) => optionsOf(row).length;

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
