/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Surveys (/app/surveys, /app/surveys/new, /app/surveys/<id>): the list with each survey's triggers, and the survey form —
// kind, question and follow-up per language, extra questions, actions per segment — with a preview of every message
// those actions send, rendered by the code that sends them.
import type { ErrorDetail, Locale, SegmentPreview, SignedIn } from '@surveyflow/core';
import { surveyKinds } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { say } from '../i18n.ts';
import {
  type ActionType,
  actionFields,
  actionTypes,
  draftLocales,
  optionCount,
  type QuestionType,
  questionTypes,
  type RowDraft,
  type SurveyDraft,
} from '../routes/survey-forms.ts';
import { Csrf, document } from './layout.tsx';
import { t as locationWords } from './locations.words.ts';
import { Empty, Notice, Table } from './parts.tsx';
import { t } from './surveys.words.ts';

/** Field errors by form field name: shown next to the field, and listed once at the top. */
export type FieldErrors = Map<string, string[]>;

export function fieldErrors(
  details: readonly ErrorDetail[],
  fieldOf: (f: string) => string = (f) => f,
): FieldErrors {
  const map: FieldErrors = new Map();
  for (const d of details) {
    const key = fieldOf(d.field);
    map.set(key, [...(map.get(key) ?? []), d.message]);
  }
  return map;
}

/** The errors of a field and of everything under it (actions[2].body is under actions). */
export const errorsUnder = (errors: FieldErrors, name: string): string[] =>
  [...errors].flatMap(([k, v]) =>
    k === name || k.startsWith(`${name}.`) || k.startsWith(`${name}[`)
      ? v.map((m) => (k === name ? m : `${k}: ${m}`))
      : [],
  );

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A labelled control with its hint and its errors, tied together for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  hint?: string | undefined;
  errors: string[];
  children: (attrs: {
    id: string;
    name: string;
    'aria-describedby'?: string;
    'aria-invalid'?: 'true';
  }) => ComponentChildren;
  class?: string;
}) {
  const id = idOf(props.name);
  const described = [props.hint ? `${id}-hint` : '', props.errors.length ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field ${props.class ?? ''}`.trim()}>
      <label for={id}>{props.label}</label>
      {props.children({
        id,
        name: props.name,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(props.errors.length ? { 'aria-invalid': 'true' as const } : {}),
      })}
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.errors.length ? (
        <p class="field-error" id={`${id}-error`}>
          {props.errors.join('; ')}
        </p>
      ) : null}
    </div>
  );
}

/** The top of a form that was refused: nothing saved, and which fields to fix (each links to its field). */
export function ErrorSummary(props: {
  locale: Locale;
  errors: FieldErrors;
  anchorOf?: (field: string) => string;
}) {
  if (props.errors.size === 0) return null;
  const fields = [...props.errors.keys()];
  return (
    <div class="notice error" role="alert">
      <p>{t(props.locale, 'fixFields', { fields: fields.join(', ') })}</p>
      <ul>
        {[...props.errors].map(([field, messages]) => (
          <li key={field}>
            <a href={`#${props.anchorOf ? props.anchorOf(field) : idOf(field)}`}>{field}</a>:{' '}
            {messages.join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Under a list of rows: the kind of the next row, and the button that adds it (a submit, so it works without JavaScript). */
const AddRow = (props: {
  locale: Locale;
  disabled: boolean;
  action: string;
  select: 'newAction' | 'newQuestion';
  op: string;
  label: 'addAction' | 'addQuestion';
  types: { value: string; label: string }[];
}) =>
  props.disabled ? null : (
    <div class="add-row">
      <Field name={props.select} label={t(props.locale, props.select)} errors={[]}>
        {(a) => (
          <select {...a}>
            {props.types.map((type) => (
              <option key={type.value} value={type.value}>
                {type.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <OpButton action={props.action} op={props.op} label={t(props.locale, props.label)} disabled={false} />
    </div>
  );

type RowsProps = {
  locale: Locale;
  draft: SurveyDraft;
  errors: FieldErrors;
  locales: string[];
  disabled: boolean;
  /** Where add and remove post the form: its preview, which comes back with the row added or removed. */
  opAction: string;
  isNew: boolean;
};

const textOf = (row: RowDraft, k: string) => {
  const v = row[k];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

/** A submit button that changes the rows (add, remove) without JavaScript. */
const OpButton = (props: {
  op: string;
  label: string;
  text?: string;
  disabled: boolean;
  danger?: boolean;
  action: string;
}) =>
  props.disabled ? null : (
    <button
      type="submit"
      name="op"
      value={props.op}
      formaction={props.action}
      formnovalidate
      class={props.danger ? 'secondary danger-text' : 'secondary'}
      aria-label={props.text ? props.label : undefined}
    >
      {props.text ?? props.label}
    </button>
  );

/** One text per language (`base.en`, `base.pl` …), a fieldset whose errors sit under its legend. */
function LocalizedGroup(props: {
  base: string;
  legend: string;
  hint?: string;
  row: RowDraft;
  prefix: string;
  locales: string[];
  errors: FieldErrors;
  disabled: boolean;
  multiline?: boolean;
  locale: Locale;
}) {
  const name = `${props.prefix}.${props.base}`;
  const own = props.errors.get(name) ?? [];
  return (
    <fieldset class="group" id={idOf(name)}>
      <legend>{props.legend}</legend>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      {own.length ? (
        <p class="field-error" id={`${idOf(name)}-error`}>
          {own.join('; ')}
        </p>
      ) : null}
      {props.locales.map((l) => (
        <Field
          key={l}
          name={`${name}.${l}`}
          label={`${localeName(props.locale, l)} (${l})`}
          errors={props.errors.get(`${name}.${l}`) ?? []}
        >
          {(a) =>
            props.multiline ? (
              <textarea {...a} rows={3} lang={l} disabled={props.disabled}>
                {textOf(props.row, `${props.base}.${l}`)}
              </textarea>
            ) : (
              <input
                type="text"
                {...a}
                value={textOf(props.row, `${props.base}.${l}`)}
                lang={l}
                disabled={props.disabled}
              />
            )
          }
        </Field>
      ))}
    </fieldset>
  );
}

/** Ticked boxes (`segments`, `roles`): one fieldset, its errors under the legend. */
function Boxes(props: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string }[];
  checked: readonly string[];
  errors: FieldErrors;
  disabled: boolean;
  hint?: string;
}) {
  const own = errorsUnder(props.errors, props.name);
  const id = idOf(props.name);
  return (
    <fieldset class="group boxes" id={id} aria-describedby={own.length ? `${id}-error` : undefined}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} class="check">
          <input
            type="checkbox"
            name={props.name}
            value={o.value}
            checked={props.checked.includes(o.value)}
            disabled={props.disabled}
          />{' '}
          {o.label}
        </label>
      ))}
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      {own.length ? (
        <p class="field-error" id={`${id}-error`}>
          {own.join('; ')}
        </p>
      ) : null}
    </fieldset>
  );
}

function TextField(props: {
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  disabled: boolean;
  hint?: string;
  type?: 'text' | 'number' | 'url' | 'email';
}) {
  return (
    <Field
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={errorsUnder(props.errors, props.name)}
    >
      {(a) => (
        // One input, its type as given (preact types each input type apart).
        <input type={(props.type ?? 'text') as 'text'} {...a} value={props.value} disabled={props.disabled} />
      )}
    </Field>
  );
}

function Choice(props: {
  name: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  errors: FieldErrors;
  disabled: boolean;
}) {
  return (
    <Field name={props.name} label={props.label} errors={errorsUnder(props.errors, props.name)}>
      {(a) => (
        <select {...a} disabled={props.disabled}>
          {props.options.map((o) => (
            <option key={o.value} value={o.value} selected={props.value === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

const segmentOptions = (locale: Locale) =>
  (['detractor', 'passive', 'promoter'] as const).map((s) => ({
    value: s,
    label: t(locale, `segment_${s}`),
  }));
const channelOptions = (locale: Locale) =>
  (['auto', 'email', 'sms'] as const).map((c) => ({ value: c, label: t(locale, `ch_${c}`) }));

/** The follow-up actions, one fieldset each with its kind's controls; add and remove work without JavaScript. */
function ActionRows(props: RowsProps) {
  const { locale, draft, errors, disabled } = props;
  const own = errors.get('actions') ?? [];
  return (
    <fieldset class="group rows" id="f-actions">
      <legend>{t(locale, 'actions')}</legend>
      <p class="hint">{t(locale, props.isNew ? 'actionsNewHint' : 'actionsHint')}</p>
      {own.length ? <p class="field-error">{own.join('; ')}</p> : null}
      {draft.actions.length === 0 ? <p class="muted">{t(locale, 'noActions')}</p> : null}
      {draft.actions.map((row, i) => {
        const prefix = `actions[${i}]`;
        const type = (actionTypes as string[]).includes(textOf(row, 'type'))
          ? (textOf(row, 'type') as ActionType)
          : 'alert';
        const fields = new Set<string>(actionFields[type]);
        const n = String(i + 1);
        const text = (k: string, label: string, hint?: string, kind?: 'number' | 'url' | 'email') => (
          <TextField
            name={`${prefix}.${k}`}
            label={label}
            value={textOf(row, k)}
            errors={errors}
            disabled={disabled}
            {...(hint ? { hint } : {})}
            {...(kind ? { type: kind } : {})}
          />
        );
        const localized = (k: string, label: string, hint?: string, multiline = true) => (
          <LocalizedGroup
            base={k}
            legend={label}
            {...(hint ? { hint } : {})}
            row={row}
            prefix={prefix}
            locales={props.locales}
            errors={errors}
            disabled={disabled}
            multiline={multiline}
            locale={locale}
          />
        );
        return (
          <fieldset key={`${i}-${type}`} class="row-card" id={idOf(prefix)}>
            <legend>{t(locale, 'actionN', { n, type: t(locale, `act_${type}`) })}</legend>
            {(errors.get(prefix) ?? []).length ? (
              <p class="field-error">{errors.get(prefix)?.join('; ')}</p>
            ) : null}
            <Choice
              name={`${prefix}.type`}
              label={t(locale, 'type')}
              value={type}
              options={actionTypes.map((a) => ({ value: a, label: t(locale, `act_${a}`) }))}
              errors={errors}
              disabled={disabled}
            />
            <Boxes
              name={`${prefix}.segments`}
              legend={t(locale, 'segments')}
              options={segmentOptions(locale)}
              checked={[row.segments ?? []].flat()}
              errors={errors}
              disabled={disabled}
              {...(type === 'review' ? { hint: t(locale, 'reviewAll') } : {})}
            />
            {fields.has('emails') ? text('emails', t(locale, 'emails'), t(locale, 'emailsHint')) : null}
            {fields.has('roles') ? (
              <Boxes
                name={`${prefix}.roles`}
                legend={t(locale, 'roles')}
                options={(['owner', 'admin', 'agent', 'viewer'] as const).map((r) => ({
                  value: r,
                  label: t(locale, `role_${r}`),
                }))}
                checked={[row.roles ?? []].flat()}
                errors={errors}
                disabled={disabled}
              />
            ) : null}
            {fields.has('slackWebhookUrl')
              ? text('slackWebhookUrl', t(locale, 'slackWebhookUrl'), undefined, 'url')
              : null}
            {fields.has('slaHours') ? text('slaHours', t(locale, 'slaHours'), undefined, 'number') : null}
            {fields.has('owner') ? text('owner', t(locale, 'owner')) : null}
            {fields.has('escalateTo')
              ? text('escalateTo', t(locale, 'escalateTo'), t(locale, 'escalateHint'), 'email')
              : null}
            {fields.has('acknowledge') ? (
              <div class="field check-field">
                <label class="check">
                  <input
                    type="checkbox"
                    name={`${prefix}.acknowledge`}
                    checked={textOf(row, 'acknowledge') === 'on'}
                    disabled={disabled}
                  />{' '}
                  {t(locale, 'acknowledge')}
                </label>
              </div>
            ) : null}
            {fields.has('acknowledgement')
              ? localized('acknowledgement', t(locale, 'acknowledgement'))
              : null}
            {fields.has('url') ? text('url', t(locale, 'url'), undefined, 'url') : null}
            {fields.has('channel') ? (
              <Choice
                name={`${prefix}.channel`}
                label={t(locale, 'channel')}
                value={textOf(row, 'channel') || 'auto'}
                options={channelOptions(locale)}
                errors={errors}
                disabled={disabled}
              />
            ) : null}
            {fields.has('subject') ? localized('subject', t(locale, 'emailSubject'), undefined, false) : null}
            {fields.has('body') ? localized('body', t(locale, 'body'), t(locale, 'bodyHint')) : null}
            {fields.has('connectorId') ? text('connectorId', t(locale, 'connectorId')) : null}
            {fields.has('tags') ? text('tags', t(locale, 'tags'), t(locale, 'tagsHint')) : null}
            {fields.has('priority') ? (
              <Choice
                name={`${prefix}.priority`}
                label={t(locale, 'priority')}
                value={textOf(row, 'priority')}
                options={(['', 'low', 'normal', 'high', 'urgent'] as const).map((p) => ({
                  value: p,
                  label: t(locale, p ? `pr_${p}` : 'pr_none'),
                }))}
                errors={errors}
                disabled={disabled}
              />
            ) : null}
            <OpButton
              action={props.opAction}
              op={`remove-action:${i}`}
              label={t(locale, 'removeAction', { n })}
              disabled={disabled}
              danger
            />
          </fieldset>
        );
      })}
      <AddRow
        locale={locale}
        disabled={disabled}
        action={props.opAction}
        select="newAction"
        op="add-action"
        label="addAction"
        types={actionTypes.map((type) => ({ value: type, label: t(locale, `act_${type}`) }))}
      />
    </fieldset>
  );
}

/** The extra questions: id, kind, label per language, and the kind's own controls (scale, importance, options). */
function QuestionRows(props: RowsProps) {
  const { locale, draft, errors, disabled } = props;
  const own = errors.get('questions') ?? [];
  return (
    <fieldset class="group rows" id="f-questions">
      <legend>{t(locale, 'extraQuestions')}</legend>
      <p class="hint">{t(locale, 'extraQuestionsHint')}</p>
      {own.length ? <p class="field-error">{own.join('; ')}</p> : null}
      {draft.questions.length === 0 ? <p class="muted">{t(locale, 'noQuestions')}</p> : null}
      {draft.questions.map((row, i) => {
        const prefix = `questions[${i}]`;
        const type = (questionTypes as string[]).includes(textOf(row, 'type'))
          ? (textOf(row, 'type') as QuestionType)
          : 'rating';
        const n = String(i + 1);
        const options = optionCount(row);
        return (
          <fieldset key={`${i}-${type}`} class="row-card" id={idOf(prefix)}>
            <legend>{t(locale, 'questionN', { n, type: t(locale, `q_${type}`) })}</legend>
            {(errors.get(prefix) ?? []).length ? (
              <p class="field-error">{errors.get(prefix)?.join('; ')}</p>
            ) : null}
            <TextField
              name={`${prefix}.id`}
              label={t(locale, 'questionId')}
              hint={t(locale, 'questionIdHint')}
              value={textOf(row, 'id')}
              errors={errors}
              disabled={disabled}
            />
            <Choice
              name={`${prefix}.type`}
              label={t(locale, 'type')}
              value={type}
              options={questionTypes.map((q) => ({ value: q, label: t(locale, `q_${q}`) }))}
              errors={errors}
              disabled={disabled}
            />
            <LocalizedGroup
              base="label"
              legend={t(locale, 'label')}
              row={row}
              prefix={prefix}
              locales={props.locales}
              errors={errors}
              disabled={disabled}
              locale={locale}
            />
            {type === 'rating' ? (
              <>
                <Choice
                  name={`${prefix}.scale`}
                  label={t(locale, 'scale')}
                  value={textOf(row, 'scale') || '1-5'}
                  options={(['1-5', 'survey'] as const).map((v) => ({
                    value: v,
                    label: t(locale, `sc_${v}`),
                  }))}
                  errors={errors}
                  disabled={disabled}
                />
                <TextField
                  name={`${prefix}.importance`}
                  label={t(locale, 'importance')}
                  hint={t(locale, 'importanceHint')}
                  value={textOf(row, 'importance')}
                  errors={errors}
                  disabled={disabled}
                  type="number"
                />
              </>
            ) : null}
            {type === 'choice' ? (
              <fieldset class="group" id={idOf(`${prefix}.options`)}>
                <legend>{t(locale, 'options')}</legend>
                {(errors.get(`${prefix}.options`) ?? []).length ? (
                  <p class="field-error">{errors.get(`${prefix}.options`)?.join('; ')}</p>
                ) : null}
                {Array.from({ length: options }, (_, j) => {
                  const m = String(j + 1);
                  return (
                    <fieldset key={j} class="row-card" id={idOf(`${prefix}.options[${j}]`)}>
                      <legend>{t(locale, 'optionN', { n: m })}</legend>
                      <TextField
                        name={`${prefix}.options[${j}].id`}
                        label={t(locale, 'optionId')}
                        value={textOf(row, `options[${j}].id`)}
                        errors={errors}
                        disabled={disabled}
                      />
                      <LocalizedGroup
                        base={`options[${j}].label`}
                        legend={t(locale, 'label')}
                        row={row}
                        prefix={prefix}
                        locales={props.locales}
                        errors={errors}
                        disabled={disabled}
                        locale={locale}
                      />
                      <OpButton
                        action={props.opAction}
                        op={`remove-option:${i}:${j}`}
                        label={t(locale, 'removeOption', { n, m })}
                        disabled={disabled}
                        danger
                      />
                    </fieldset>
                  );
                })}
                <OpButton
                  action={props.opAction}
                  op={`add-option:${i}`}
                  label={t(locale, 'addOption', { n })}
                  disabled={disabled}
                />
              </fieldset>
            ) : null}
            <OpButton
              action={props.opAction}
              op={`remove-question:${i}`}
              label={t(locale, 'removeQuestion', { n })}
              disabled={disabled}
              danger
            />
          </fieldset>
        );
      })}
      <AddRow
        locale={locale}
        disabled={disabled}
        action={props.opAction}
        select="newQuestion"
        op="add-question"
        label="addQuestion"
        types={questionTypes.map((type) => ({ value: type, label: t(locale, `q_${type}`) }))}
      />
    </fieldset>
  );
}

export type SurveyListItem = {
  id: string;
  name: string;
  kind: string;
  question: Record<string, string>;
  triggers: { id: string; name: string; enabled: boolean; eventTypes: string[] }[];
};

export function surveysPage(input: {
  locale: Locale;
  session: SignedIn;
  surveys: SurveyListItem[];
  canManage: boolean;
  notice?: string | undefined;
}): string {
  const { locale, session } = input;
  return document({
    locale,
    title: t(locale, 'surveys'),
    session,
    section: 'surveys',
    children: (
      <>
        <div class="page-head">
          <h1>{t(locale, 'surveys')}</h1>
          {input.canManage ? (
            <a class="button" href="/app/surveys/new">
              {t(locale, 'newSurvey')}
            </a>
          ) : null}
        </div>
        <p class="muted">{t(locale, 'surveysLead')}</p>
        <p>
          <a href="/app/surveys/locations">{locationWords(locale, 'locationsLink')}</a>
        </p>
        <Notice text={input.notice} />
        {input.canManage ? null : <p class="notice">{t(locale, 'readOnly')}</p>}
        <section class="card" aria-labelledby="survey-list">
          <h2 id="survey-list" class="sr-only">
            {t(locale, 'surveys')}
          </h2>
          {input.surveys.length === 0 ? (
            <Empty title={t(locale, 'noSurveys')}>
              <p>{t(locale, 'noSurveysNext')}</p>
              {input.canManage ? <a href="/app/surveys/new">{t(locale, 'newSurvey')}</a> : null}
            </Empty>
          ) : (
            <Table
              label={t(locale, 'surveys')}
              rows={input.surveys}
              rowKey={(s) => s.id}
              columns={[
                { header: t(locale, 'name'), cell: (s) => <a href={`/app/surveys/${s.id}`}>{s.name}</a> },
                { header: t(locale, 'kind'), cell: (s) => s.kind.toUpperCase() },
                { header: t(locale, 'locales'), cell: (s) => Object.keys(s.question).join(', ') },
                {
                  header: t(locale, 'triggers'),
                  cell: (s) => (
                    <>
                      {s.triggers.length === 0 ? <span class="muted">{t(locale, 'noTriggers')}</span> : null}
                      <ul class="triggers">
                        {s.triggers.map((tr) => (
                          <li key={tr.id}>
                            <a href={`/app/triggers/${tr.id}`}>{tr.name}</a>{' '}
                            <span class="muted">{tr.eventTypes.join(', ')}</span>
                            {tr.enabled ? null : <span class="tag">{t(locale, 'off')}</span>}
                          </li>
                        ))}
                      </ul>
                      {input.canManage ? (
                        <a href={`/app/triggers/new?survey=${s.id}`}>{t(locale, 'addTrigger')}</a>
                      ) : null}
                    </>
                  ),
                },
                {
                  header: t(locale, 'responses'),
                  cell: (s) => <a href={`/app/responses?survey=${s.id}`}>{t(locale, 'seeResponses')}</a>,
                },
              ]}
            />
          )}
        </section>
      </>
    ),
  });
}

const localeName = (ui: Locale, code: string) => {
  try {
    return new Intl.DisplayNames([ui], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
};

function Preview(props: {
  locale: Locale;
  preview: SegmentPreview[];
  unsaved: boolean;
  sample: { name: string; email: string; locale: string };
}) {
  const { locale } = props;
  const to = (addresses: string[]) =>
    addresses
      .map((a) =>
        a.startsWith('role:')
          ? t(locale, 'roleMembers', { role: say.role(locale, a.slice(5) as Parameters<typeof say.role>[1]) })
          : a === 'alert:none'
            ? t(locale, 'noAlertAddress')
            : a,
      )
      .join(', ');
  return (
    <section class="card preview" aria-labelledby="preview-title" id="preview">
      <h2 id="preview-title">{t(locale, 'previewTitle')}</h2>
      <p class="muted">
        {t(locale, 'previewLead', {
          name: props.sample.name,
          email: props.sample.email,
          locale: props.sample.locale,
        })}
      </p>
      {props.unsaved ? <p class="notice">{t(locale, 'previewUnsaved')}</p> : null}
      {props.preview.map((seg) => (
        <div class="segment" key={seg.segment}>
          <h3>
            {t(locale, `segment_${seg.segment}`)}{' '}
            <span class="muted">({t(locale, 'sampleScore', { score: seg.score })})</span>
          </h3>
          {seg.messages.length === 0 ? <p class="muted">{t(locale, 'noMessages')}</p> : null}
          {seg.unsent.map((u) => (
            <p class="notice" key={`unsent-${u.index}`}>
              {t(locale, 'noReferralPage', { n: u.index + 1 })}{' '}
              <a href="/app/settings">{say(locale, 'navSettings')}</a>
            </p>
          ))}
          {seg.messages.map((m, i) => (
            <article
              class="message"
              key={`${seg.segment}-${i}`}
              aria-label={`${t(locale, `segment_${seg.segment}`)}: ${m.subject || m.kinds.join(', ')}`}
            >
              <p class="message-head">
                <span class="tag">
                  {m.audience === 'team' ? t(locale, 'toTeam') : t(locale, 'toCustomer')}
                </span>{' '}
                {t(locale, `channel_${m.channel}`)} · {t(locale, 'to')}: {to(m.to)}
              </p>
              {m.subject ? (
                <p class="message-subject">
                  {t(locale, 'subject')}: <strong>{m.subject}</strong>
                </p>
              ) : null}
              <pre class="message-text">{m.text}</pre>
            </article>
          ))}
        </div>
      ))}
    </section>
  );
}

export function surveyPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  /** null: a new survey. */
  surveyId: string | null;
  draft: SurveyDraft;
  canManage: boolean;
  triggers: SurveyListItem['triggers'];
  errors: FieldErrors;
  preview: SegmentPreview[] | null;
  previewUnsaved: boolean;
  sample: { name: string; email: string; locale: string };
  notice?: string | undefined;
}): string {
  const { locale, session, draft, errors, surveyId } = input;
  const isNew = surveyId === null;
  const title = isNew ? t(locale, 'newSurvey') : draft.name || t(locale, 'surveys');
  const action = isNew ? '/app/surveys' : `/app/surveys/${surveyId}`;
  const locales = draftLocales(draft);
  const disabled = !input.canManage;
  const opAction = `${isNew ? '/app/surveys/new' : action}/preview`;
  const localized = (kind: 'question' | 'followupQuestion', legend: string) => (
    <fieldset class="group" id={idOf(kind)}>
      <legend>{legend}</legend>
      {kind === 'question' ? <p class="hint">{t(locale, 'questionHint')}</p> : null}
      {errorsUnder(errors, kind).length && !locales.some((l) => errors.has(`${kind}.${l}`)) ? (
        <p class="field-error">{errors.get(kind)?.join('; ')}</p>
      ) : null}
      {locales.map((l) => (
        <Field
          key={l}
          name={`${kind}.${l}`}
          label={`${localeName(locale, l)} (${l})`}
          errors={errors.get(`${kind}.${l}`) ?? []}
        >
          {(a) => (
            <input
              type="text"
              {...a}
              value={draft[kind][l] ?? ''}
              maxLength={500}
              lang={l}
              disabled={disabled}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
  const fields = (
    <>
      <Field name="name" label={t(locale, 'name')} errors={errors.get('name') ?? []}>
        {(a) => <input type="text" {...a} value={draft.name} required maxLength={200} disabled={disabled} />}
      </Field>
      <Field
        name="kind"
        label={t(locale, 'kind')}
        hint={isNew ? undefined : t(locale, 'kindFixed')}
        errors={errors.get('kind') ?? []}
      >
        {(a) => (
          <select {...a} disabled={disabled || !isNew}>
            {surveyKinds.map((k) => (
              <option key={k} value={k} selected={draft.kind === k}>
                {k.toUpperCase()}
              </option>
            ))}
          </select>
        )}
      </Field>
      {localized('question', t(locale, 'question'))}
      {localized('followupQuestion', t(locale, 'followup'))}
      <QuestionRows
        locale={locale}
        draft={draft}
        errors={errors}
        locales={locales}
        disabled={disabled}
        opAction={opAction}
        isNew={isNew}
      />
      <ActionRows
        locale={locale}
        draft={draft}
        errors={errors}
        locales={locales}
        disabled={disabled}
        opAction={opAction}
        isNew={isNew}
      />
      <Field
        name="rollupProperties"
        label={t(locale, 'rollupProperties')}
        hint={t(locale, 'rollupPropertiesHint')}
        errors={errorsUnder(errors, 'rollupProperties')}
      >
        {(a) => (
          <input
            type="text"
            {...a}
            value={draft.rollupProperties}
            maxLength={1000}
            placeholder="store, address.city"
            disabled={disabled}
          />
        )}
      </Field>
    </>
  );
  return document({
    locale,
    title,
    session,
    section: 'surveys',
    children: (
      <>
        <p>
          <a href="/app/surveys">← {t(locale, 'surveys')}</a>
        </p>
        <h1>{title}</h1>
        <Notice text={input.notice} />
        <ErrorSummary locale={locale} errors={errors} />
        {input.canManage ? null : <p class="notice">{t(locale, 'readOnly')}</p>}
        {isNew ? null : (
          <section class="card" aria-labelledby="survey-triggers">
            <h2 id="survey-triggers">{t(locale, 'triggers')}</h2>
            {input.triggers.length === 0 ? <p class="muted">{t(locale, 'noTriggers')}</p> : null}
            <ul class="plain">
              {input.triggers.map((tr) => (
                <li key={tr.id}>
                  <a href={`/app/triggers/${tr.id}`}>{tr.name}</a>
                  <span class="muted">
                    {tr.eventTypes.join(', ')}
                    {tr.enabled ? '' : ` · ${t(locale, 'off')}`}
                  </span>
                </li>
              ))}
            </ul>
            <p class="links">
              {input.canManage ? (
                <a href={`/app/triggers/new?survey=${surveyId}`}>{t(locale, 'addTrigger')}</a>
              ) : null}
              <a href={`/app/responses?survey=${surveyId}`}>{t(locale, 'seeResponses')}</a>
            </p>
          </section>
        )}
        <section class="card" aria-labelledby="survey-form">
          <h2 id="survey-form" class="sr-only">
            {title}
          </h2>
          {input.canManage ? (
            <form method="post" action={action} class="survey-form">
              <Csrf token={input.csrf} />
              {isNew ? null : <input type="hidden" name="kind" value={draft.kind} />}
              {fields}
              <div class="actions-row">
                <button type="submit">{isNew ? t(locale, 'create') : t(locale, 'save')}</button>
                <button
                  type="submit"
                  class="secondary"
                  formaction={`${isNew ? '/app/surveys/new' : action}/preview`}
                >
                  {t(locale, 'preview')}
                </button>
              </div>
            </form>
          ) : (
            <div class="survey-form">
              <fieldset disabled class="bare">
                <legend class="sr-only">{title}</legend>
                {fields}
              </fieldset>
            </div>
          )}
        </section>
        {input.preview ? (
          <Preview
            locale={locale}
            preview={input.preview}
            unsaved={input.previewUnsaved}
            sample={input.sample}
          />
        ) : null}
      </>
    ),
  });
}
