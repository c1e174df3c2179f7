// The survey and trigger forms as plain values: what a stored trigger shows is what the form posts back, and a posted
// form becomes the body the API's own schemas accept (or the field they name).
import { type Filter, operators } from '@surveyflow/core';
import { issuesToDetails, SurveyInput, TriggerInput, TriggerPatch } from '@surveyflow/http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFormOp,
  type Form,
  formFieldOf,
  newTriggerDraft,
  type RowDraft,
  readValue,
  surveyBody,
  surveyDraft,
  surveyDraftFromForm,
  triggerBody,
  triggerDraft,
  triggerDraftFromForm,
} from './survey-forms.ts';

const SURVEY = '4b6f7a52-1c0e-4a8e-9d2f-2f1d7f0c9a11';

const stored = (filter: Filter | null) => ({
  surveyId: SURVEY,
  name: 'After delivery',
  enabled: true,
  eventTypes: ['order.delivered'],
  filter,
  delay: 'P2D',
  expireAfter: 'P7D',
  sendWindow: { days: [1, 2, 3], start: '09:00', end: '18:00' },
  throttleDays: 30,
  sampleRate: 0.5,
  dedupeKey: 'properties.orderId',
  cancelOn: ['order.refunded'],
  reminderCount: 1,
  reminderAfterDays: 3,
  channels: ['sms', 'email'],
});

/** Text as an operator would type it: no surrounding spaces, no commas or quotes (those have meaning in the field). */
const word = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/[,"]/.test(s));
const number = fc.integer({ min: -10_000, max: 10_000 });
const scalar = fc.oneof(word, number, fc.boolean());
const field = fc.constantFrom(
  'type',
  'contact.email',
  'contact.locale',
  'properties.total',
  'properties.store',
);
const condition = fc.oneof(
  fc.record({ field, op: fc.constantFrom('eq', 'neq', 'contains'), value: scalar }),
  fc.record({ field, op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: number }),
  fc.record({
    field,
    op: fc.constantFrom('in', 'not_in'),
    value: fc.array(scalar, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ field, op: fc.constant('exists'), value: fc.boolean() }),
  fc.record({ field, op: fc.constant('exists') }),
) as fc.Arbitrary<Filter & { field: string }>;

/** The form a browser posts for a draft: the rows as filter.N.*, the channels as channels.N. */
function posted(d: ReturnType<typeof triggerDraft>) {
  const form: Record<string, string | string[]> = {
    surveyId: d.surveyId,
    name: d.name,
    eventTypes: d.eventTypes,
    'filter.match': d.match,
    delay: d.delay,
    expireAfter: d.expireAfter,
    'sendWindow.days': d.days.map(String),
    'sendWindow.start': d.start,
    'sendWindow.end': d.end,
    throttleDays: d.throttleDays,
    sampleRate: d.sampleRate,
    dedupeKey: d.dedupeKey,
    cancelOn: d.cancelOn,
    reminderCount: d.reminderCount,
    reminderAfterDays: d.reminderAfterDays,
    ...(d.enabled ? { enabled: 'on' } : {}),
    ...(d.filterJson === null ? {} : { filterJson: d.filterJson }),
  };
  d.conditions.forEach((c, i) => {
    form[`filter.${i}.field`] = c.field;
    form[`filter.${i}.op`] = c.op;
    form[`filter.${i}.value`] = c.value;
  });
  // The blank row the page adds for a new condition.
  form[`filter.${d.conditions.length}.field`] = '';
  d.channels.forEach((c, i) => {
    form[`channels.${i + 1}`] = c;
  });
  return form;
}

describe('the trigger form', () => {
  it('shows a stored trigger so that posting the form unchanged saves the same trigger', () => {
    fc.assert(
      fc.property(
        fc.array(condition, { minLength: 0, maxLength: 4 }),
        fc.constantFrom('all', 'any'),
        (conds, match) => {
          const filter: Filter | null =
            conds.length === 0 ? null : match === 'all' ? { all: conds } : { any: conds };
          const { body, errors } = triggerBody(triggerDraftFromForm(posted(triggerDraft(stored(filter)))));
          expect(errors).toEqual([]);
          const parsed = TriggerPatch.parse(body);
          expect(parsed).toEqual({ ...stored(filter), filter });
        },
      ),
    );
  });

  it('keeps a nested filter as JSON, and reads it back unchanged', () => {
    const nested: Filter = {
      all: [
        { field: 'type', op: 'eq', value: 'order.delivered' },
        { any: [{ field: 'properties.total', op: 'gte', value: 50 }] },
      ],
    };
    const draft = triggerDraft(stored(nested));
    expect(draft.filterJson).not.toBeNull();
    expect(triggerBody(triggerDraftFromForm(posted(draft))).body.filter).toEqual(nested);
  });

  it('a new trigger’s form is what POST /v1/triggers accepts, with its defaults', () => {
    const parsed = TriggerInput.parse(triggerBody(newTriggerDraft(SURVEY)).body);
    expect(parsed).toMatchObject({
      surveyId: SURVEY,
      eventTypes: ['order.delivered'],
      delay: 'PT0S',
      throttleDays: 30,
      channels: ['email'],
      filter: null,
      sendWindow: null,
    });
  });

  it('names the form field behind each error the API’s schema reports', () => {
    const draft = {
      ...newTriggerDraft(SURVEY),
      conditions: [{ field: 'properties.total', op: 'gte', value: 'a lot' }],
      throttleDays: 'often',
    };
    const result = TriggerInput.safeParse(triggerBody(draft).body);
    expect(result.success).toBe(false);
    const fields = result.success ? [] : issuesToDetails(result.error).map((d) => formFieldOf(d.field));
    expect(fields).toEqual(expect.arrayContaining(['filter.0.value', 'throttleDays']));
  });

  it('reads numbers and true/false as such, "quoted" text as text, in-lists by commas', () => {
    expect(readValue('eq', '129.9')).toBe(129.9);
    expect(readValue('eq', '"1001"')).toBe('1001');
    expect(readValue('eq', 'Warsaw')).toBe('Warsaw');
    expect(readValue('neq', 'false')).toBe(false);
    expect(readValue('in', 'pl, en ,3')).toEqual(['pl', 'en', 3]);
    expect(readValue('exists', '')).toBeUndefined();
    expect(operators).toContain('gte');
  });

  it('no day ticked with hours set is every day, as the API’s default', () => {
    const draft = { ...newTriggerDraft(SURVEY), days: [], start: '09:00', end: '17:00' };
    expect(TriggerInput.parse(triggerBody(draft).body).sendWindow).toEqual({
      days: [1, 2, 3, 4, 5, 6, 7],
      start: '09:00',
      end: '17:00',
    });
  });
});

/** What a browser posts for a draft's rows: each control by its name (`actions[0].body.en`). */
const postedRows = (rows: { actions: RowDraft[]; questions: RowDraft[] }): Form =>
  Object.fromEntries(
    (['actions', 'questions'] as const).flatMap((list) =>
      rows[list].flatMap((row, i) => Object.entries(row).map(([k, v]) => [`${list}[${i}].${k}`, v])),
    ),
  );

const base = { name: 'S', kind: 'nps', 'question.en': 'Q?' };

const text = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}[a-z]$/);
const segmentsOf = fc.subarray(['detractor', 'passive', 'promoter'] as const, { minLength: 1 });
const localizedText = fc
  .record({ en: text }, { requiredKeys: ['en'] })
  .chain((en) => fc.option(text, { nil: undefined }).map((pl) => (pl ? { ...en, pl } : en)));
const action = fc.oneof(
  fc.record({
    type: fc.constant('alert'),
    segments: segmentsOf,
    emails: fc
      .array(fc.constantFrom('a@shop.test', 'b@shop.test'), { maxLength: 2 })
      .map((e) => [...new Set(e)]),
    roles: fc.subarray(['owner', 'admin', 'agent'] as const),
  }),
  fc.record({
    type: fc.constant('case'),
    segments: segmentsOf,
    slaHours: fc.integer({ min: 1, max: 720 }),
    acknowledge: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('message'),
    segments: segmentsOf,
    channel: fc.constantFrom('auto', 'email', 'sms'),
    subject: localizedText,
    body: localizedText,
  }),
  fc.record({ type: fc.constant('referral'), segments: segmentsOf, channel: fc.constantFrom('auto', 'sms') }),
  fc.record({
    type: fc.constant('review'),
    segments: fc.constant(['detractor', 'passive', 'promoter']),
    url: fc.constant('https://reviews.example/shop'),
    channel: fc.constant('email'),
  }),
);
const question = fc.oneof(
  fc.record({
    type: fc.constant('rating'),
    label: localizedText,
    scale: fc.constantFrom('survey', '1-5'),
    importance: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('text'), label: localizedText }),
);

describe('the survey form', () => {
  it('reads rolled-up properties typed with commas and spaces, and an empty field as none', () => {
    const typed = (v: string) => surveyBody(surveyDraftFromForm({ ...base, rollupProperties: v })).body;
    expect(typed(' store ,address.city,, ').rollupProperties).toEqual(['store', 'address.city']);
    expect(typed('').rollupProperties).toEqual([]);
    const r = SurveyInput.safeParse(typed('store, bad name'));
    expect(r.success ? [] : issuesToDetails(r.error).map((d) => d.field)).toEqual(['rollupProperties[1]']);
  });

  it('drops a language left empty; no rows ask for no actions and no questions', () => {
    const { body, errors } = surveyBody(
      surveyDraftFromForm({ ...base, 'question.ru': ' ', 'followupQuestion.pl': 'Dlaczego?' }),
    );
    expect(body).toMatchObject({
      question: { en: 'Q?' },
      followupQuestion: { pl: 'Dlaczego?' },
      questions: [],
      actions: [],
    });
    expect(errors).toEqual([]);
  });

  it('shows stored actions, questions and rolled-up properties as fields that, posted unchanged, save the same ones', () => {
    const property = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}(\.[A-Za-z0-9_-]{1,8})?$/);
    fc.assert(
      fc.property(
        fc.array(action, { maxLength: 4 }),
        fc.array(question, { maxLength: 3 }),
        fc.uniqueArray(property, { maxLength: 5 }),
        (acts, qs, rolled) => {
          const stored = SurveyInput.parse({
            ...base,
            question: { en: 'Q?' },
            actions: acts,
            questions: qs.map((q, i) => ({ ...q, id: `q_${i}` })),
            rollupProperties: rolled,
          });
          const draft = surveyDraft({
            name: 'S',
            kind: 'nps',
            question: { en: 'Q?' },
            followupQuestion: {},
            actions: stored.actions ?? [],
            questions: stored.questions ?? [],
            rollupProperties: stored.rollupProperties ?? [],
          });
          const again = SurveyInput.parse(
            surveyBody(
              surveyDraftFromForm({
                ...base,
                ...postedRows(draft),
                rollupProperties: draft.rollupProperties,
              }),
            ).body,
          );
          expect(again.actions).toEqual(stored.actions);
          expect(again.questions).toEqual(stored.questions);
          expect(again.rollupProperties).toEqual(stored.rollupProperties);
        },
      ),
    );
  });

  it('a refused row names its control: the error of actions[0].emails[0] is under the emails field', () => {
    const draft = surveyDraftFromForm({
      ...base,
      ...postedRows({
        actions: [{ type: 'alert', segments: [], emails: 'not-an-email' }],
        questions: [{ id: 'Bad Id', type: 'text' }],
      }),
    });
    const r = SurveyInput.safeParse(surveyBody(draft).body);
    expect(r.success).toBe(false);
    const fields = r.success ? [] : issuesToDetails(r.error).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'actions[0].segments',
        'actions[0].emails[0]',
        'questions[0].id',
        'questions[0].label',
      ]),
    );
  });

  it('"add" and "remove" buttons change the rows and keep every other value as typed', () => {
    const typed = surveyDraftFromForm({
      ...base,
      ...postedRows({
        actions: [
          { type: 'alert', segments: ['detractor'], emails: 'a@shop.test' },
          { type: 'referral', segments: ['promoter'], 'body.en': 'Tell a friend' },
        ],
        questions: [
          {
            id: 'reason',
            type: 'choice',
            'label.en': 'Why?',
            'options[0].id': 'price',
            'options[1].id': 'speed',
          },
        ],
      }),
    });
    const added = applyFormOp(typed, 'add-action', { newAction: 'message' });
    expect(added.actions.map((a) => a.type)).toEqual(['alert', 'referral', 'message']);
    expect(added.actions[2]).toMatchObject({ segments: ['passive'], channel: 'auto' });
    const removed = applyFormOp(added, 'remove-action:0', {});
    expect(removed.actions[0]).toEqual({
      type: 'referral',
      segments: ['promoter'],
      'body.en': 'Tell a friend',
    });
    expect(applyFormOp(typed, 'remove-action:9', {}).actions).toHaveLength(2);
    expect(applyFormOp(typed, 'add-action', { newAction: 'nonsense' }).actions).toHaveLength(2);

    const option = applyFormOp(typed, 'add-option:0', {});
    expect(option.questions[0]).toMatchObject({ 'options[2].id': 'option_3', 'label.en': 'Why?' });
    const fewer = applyFormOp(option, 'remove-option:0:0', {});
    expect(fewer.questions[0]).toMatchObject({ 'options[0].id': 'speed', 'options[1].id': 'option_3' });
    expect(fewer.questions[0]?.['options[2].id']).toBeUndefined();
    const asked = applyFormOp(typed, 'add-question', { newQuestion: 'rating' });
    expect(asked.questions[1]).toEqual({ id: 'question_2', type: 'rating', scale: '1-5' });
    expect(applyFormOp(asked, 'remove-question:0', {}).questions.map((q) => q.id)).toEqual(['question_2']);
  });
});
