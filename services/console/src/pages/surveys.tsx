/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Surveys (/app/surveys, /app/surveys/new, /app/surveys/<id>): the list with each survey's triggers, and the survey form —
// kind, question and follow-up per language, extra questions, actions per segment — with a preview of every message
// those actions send, rendered by the code that sends them.
import type { ErrorDetail, Locale, SegmentPreview, SignedIn } from '@surveyflow/core';
import { surveyKinds } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { say } from '../i18n.ts';
import { draftLocales, type SurveyDraft } from '../routes/survey-forms.ts';
import { Csrf, document } from './layout.tsx';
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
      <Field
        name="questions"
        label={t(locale, 'extraQuestions')}
        hint={t(locale, 'extraQuestionsHint')}
        errors={errorsUnder(errors, 'questions')}
      >
        {(a) => (
          <textarea {...a} rows={6} spellcheck={false} class="code" disabled={disabled}>
            {draft.questions}
          </textarea>
        )}
      </Field>
      <Field
        name="actions"
        label={t(locale, 'actions')}
        hint={t(locale, 'actionsHint')}
        errors={errorsUnder(errors, 'actions')}
      >
        {(a) => (
          <textarea {...a} rows={16} spellcheck={false} class="code" disabled={disabled}>
            {draft.actions}
          </textarea>
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
