/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// A trigger (/app/triggers/new, /app/triggers/<id>): event types, filter rows, delay, send window, throttle, sampling,
// reminders, channels in order, cancel-on, dedupe key — and the dry run beside it: an event in, "would invite by
// email at …" or "would skip: …" out, for the form as it is now. The outcome is a fragment the script refreshes.
import { type Decision, type Locale, operators, type SignedIn, schema } from '@surveyflow/core';
import { render } from 'preact-render-to-string';
import { say } from '../i18n.ts';
import type { TriggerDraft } from '../routes/survey-forms.ts';
import { reasonText } from './events.tsx';
import { Csrf, document } from './layout.tsx';
import { dateTime, Notice } from './parts.tsx';
import { ErrorSummary, errorsUnder, Field, type FieldErrors } from './surveys.tsx';
import { t } from './surveys.words.ts';

/** What the dry run has to say: nothing yet, the decision, or why it could not run. */
export type DryRunResult =
  | { kind: 'none' }
  | { kind: 'decision'; decision: Decision }
  | { kind: 'form_errors'; fields: string[] }
  | { kind: 'bad_event'; fields: string[] }
  | { kind: 'event_gone' };

/** The outcome box's content: also what POST /app/triggers/<id>/try?fragment=1 answers, for the script to swap in. */
export function DryRunOutcome(props: { locale: Locale; result: DryRunResult; now: Date; zone: string }) {
  const { locale, result } = props;
  switch (result.kind) {
    case 'none':
      return <p class="muted">{t(locale, 'noEventYet')}</p>;
    case 'form_errors':
      return <p class="outcome-error">{t(locale, 'fixFirst', { fields: result.fields.join(', ') })}</p>;
    case 'bad_event':
      return <p class="outcome-error">{t(locale, 'badEvent', { fields: result.fields.join('; ') })}</p>;
    case 'event_gone':
      return <p class="outcome-error">{t(locale, 'eventGone')}</p>;
    case 'decision': {
      const d = result.decision;
      return d.outcome === 'invited' ? (
        <p class="outcome-invite" data-outcome="invite">
          {t(locale, 'wouldInvite', {
            channel: t(locale, `channel_${d.channel}`),
            at: dateTime(locale, d.sendAt, props.zone),
          })}
        </p>
      ) : (
        <p class="outcome-skip" data-outcome="skip" data-reason={d.reason}>
          {t(locale, 'wouldSkip', {
            why: reasonText(locale, d.reason, d.detail, { now: props.now, zone: props.zone }),
          })}
        </p>
      );
    }
  }
}

export const dryRunFragment = (props: Parameters<typeof DryRunOutcome>[0]) =>
  render(<DryRunOutcome {...props} />);

const dayNumbers = [1, 2, 3, 4, 5, 6, 7] as const;

export function triggerPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  /** null: a new trigger (saved before it can be tried). */
  triggerId: string | null;
  draft: TriggerDraft;
  surveys: { id: string; name: string }[];
  canManage: boolean;
  errors: FieldErrors;
  quietHours: { start: string; end: string; channels: string[] } | null;
  recentEvents: { id: string; type: string; contact: string; at: Date }[];
  picked: string;
  pasted: string;
  result: DryRunResult;
  now: Date;
  notice?: string | undefined;
}): string {
  const { locale, session, draft, errors, triggerId } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  const isNew = triggerId === null;
  const survey = input.surveys.find((s) => s.id === draft.surveyId);
  const title = isNew ? t(locale, 'newTrigger') : `${t(locale, 'trigger')}: ${draft.name}`;
  const disabled = !input.canManage;
  const err = (name: string) => errors.get(name) ?? [];
  // Rows: every condition, plus one blank to add another without a script.
  const rows = draft.filterJson === null ? [...draft.conditions, { field: '', op: 'eq', value: '' }] : [];
  const opWord = (op: string) => t(locale, `op_${op}` as Parameters<typeof t>[1]);

  const fields = (
    <>
      <fieldset class="group">
        <legend>{t(locale, 'trigger')}</legend>
        <Field name="name" label={t(locale, 'name')} errors={err('name')}>
          {(a) => <input type="text" {...a} value={draft.name} maxLength={200} disabled={disabled} />}
        </Field>
        <Field name="surveyId" label={t(locale, 'survey')} errors={err('surveyId')}>
          {(a) => (
            <select {...a} disabled={disabled}>
              {input.surveys.map((s) => (
                <option key={s.id} value={s.id} selected={s.id === draft.surveyId}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="check">
          <input type="checkbox" id="f-enabled" name="enabled" checked={draft.enabled} disabled={disabled} />
          <label for="f-enabled">{t(locale, 'enabled')}</label>
        </div>
        <Field
          name="eventTypes"
          label={t(locale, 'eventTypes')}
          hint={t(locale, 'eventTypesHint')}
          errors={errorsUnder(errors, 'eventTypes')}
        >
          {(a) => <input type="text" {...a} value={draft.eventTypes} required disabled={disabled} />}
        </Field>
      </fieldset>

      <fieldset class="group filter" id="f-filter">
        <legend>{t(locale, 'filter')}</legend>
        <p class="hint">{t(locale, 'filterHint')}</p>
        {draft.filterJson !== null ? (
          <Field
            name="filterJson"
            label={t(locale, 'filterJson')}
            hint={t(locale, 'filterJsonHint')}
            errors={errorsUnder(errors, 'filter')}
          >
            {(a) => (
              <textarea {...a} rows={8} spellcheck={false} class="code" disabled={disabled}>
                {draft.filterJson ?? ''}
              </textarea>
            )}
          </Field>
        ) : (
          <>
            {err('filter').length ? <p class="field-error">{err('filter').join('; ')}</p> : null}
            <Field name="filter.match" label={t(locale, 'match')} errors={[]}>
              {(a) => (
                <select {...a} disabled={disabled}>
                  <option value="all" selected={draft.match === 'all'}>
                    {t(locale, 'matchAll')}
                  </option>
                  <option value="any" selected={draft.match === 'any'}>
                    {t(locale, 'matchAny')}
                  </option>
                </select>
              )}
            </Field>
            {rows.map((c, i) => (
              <fieldset class="condition" key={`row-${i}`}>
                <legend>{t(locale, 'condition', { n: i + 1 })}</legend>
                <Field
                  name={`filter.${i}.field`}
                  label={t(locale, 'field')}
                  hint={i === 0 ? t(locale, 'fieldHint') : undefined}
                  errors={err(`filter.${i}.field`)}
                  class="cond-field"
                >
                  {(a) => (
                    <input
                      type="text"
                      {...a}
                      value={c.field}
                      placeholder={i === 0 ? 'properties.total' : undefined}
                      spellcheck={false}
                      disabled={disabled}
                    />
                  )}
                </Field>
                <Field
                  name={`filter.${i}.op`}
                  label={t(locale, 'op')}
                  errors={err(`filter.${i}.op`)}
                  class="cond-op"
                >
                  {(a) => (
                    <select {...a} disabled={disabled}>
                      {operators.map((op) => (
                        <option key={op} value={op} selected={c.op === op}>
                          {opWord(op)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field
                  name={`filter.${i}.value`}
                  label={t(locale, 'value')}
                  hint={i === 0 ? t(locale, 'valueHint') : undefined}
                  errors={err(`filter.${i}.value`)}
                  class="cond-value"
                >
                  {(a) => <input type="text" {...a} value={c.value} spellcheck={false} disabled={disabled} />}
                </Field>
              </fieldset>
            ))}
          </>
        )}
      </fieldset>

      <fieldset class="group">
        <legend>{t(locale, 'timing')}</legend>
        <div class="row">
          <Field name="delay" label={t(locale, 'delay')} hint={t(locale, 'delayHint')} errors={err('delay')}>
            {(a) => <input type="text" {...a} value={draft.delay} spellcheck={false} disabled={disabled} />}
          </Field>
          <Field
            name="expireAfter"
            label={t(locale, 'expireAfter')}
            hint={t(locale, 'expireAfterHint')}
            errors={err('expireAfter')}
          >
            {(a) => (
              <input type="text" {...a} value={draft.expireAfter} spellcheck={false} disabled={disabled} />
            )}
          </Field>
        </div>
        <fieldset class="window" id="f-sendWindow">
          <legend>{t(locale, 'sendWindow')}</legend>
          <p class="hint">{t(locale, 'sendWindowHint')}</p>
          {errorsUnder(errors, 'sendWindow').length ? (
            <p class="field-error">{errorsUnder(errors, 'sendWindow').join('; ')}</p>
          ) : null}
          <div class="days">
            {dayNumbers.map((d) => (
              <div class="check" key={d}>
                <input
                  type="checkbox"
                  id={`f-day-${d}`}
                  name="sendWindow.days"
                  value={String(d)}
                  checked={draft.days.includes(d)}
                  disabled={disabled}
                />
                <label for={`f-day-${d}`}>{t(locale, `day${d}`)}</label>
              </div>
            ))}
          </div>
          <div class="row">
            <Field name="sendWindow.start" label={t(locale, 'windowStart')} errors={[]}>
              {(a) => <input type="time" {...a} value={draft.start} disabled={disabled} />}
            </Field>
            <Field name="sendWindow.end" label={t(locale, 'windowEnd')} errors={[]}>
              {(a) => <input type="time" {...a} value={draft.end} disabled={disabled} />}
            </Field>
          </div>
        </fieldset>
        <p class="quiet">
          <strong>{t(locale, 'quietHours')}:</strong>{' '}
          {input.quietHours
            ? t(locale, 'quietHoursIs', {
                channels: input.quietHours.channels.join(', '),
                start: input.quietHours.start,
                end: input.quietHours.end,
              })
            : t(locale, 'quietHoursNone')}{' '}
          {t(locale, 'quietHoursWhere')} <a href="/app/settings">{say(locale, 'navSettings')}</a>
        </p>
      </fieldset>

      <fieldset class="group">
        <legend>{t(locale, 'howOften')}</legend>
        <div class="row">
          <Field
            name="throttleDays"
            label={t(locale, 'throttleDays')}
            hint={t(locale, 'throttleHint')}
            errors={err('throttleDays')}
          >
            {(a) => (
              <input
                type="number"
                {...a}
                value={draft.throttleDays}
                min={0}
                max={365}
                step={1}
                inputMode="numeric"
                disabled={disabled}
              />
            )}
          </Field>
          <Field
            name="sampleRate"
            label={t(locale, 'sampleRate')}
            hint={t(locale, 'sampleRateHint')}
            errors={err('sampleRate')}
          >
            {(a) => (
              <input
                type="number"
                {...a}
                value={draft.sampleRate}
                min={0}
                max={1}
                step="any"
                inputMode="decimal"
                disabled={disabled}
              />
            )}
          </Field>
        </div>
        <div class="row">
          <Field
            name="dedupeKey"
            label={t(locale, 'dedupeKey')}
            hint={t(locale, 'dedupeKeyHint')}
            errors={err('dedupeKey')}
          >
            {(a) => (
              <input
                type="text"
                {...a}
                value={draft.dedupeKey}
                spellcheck={false}
                placeholder="properties.orderId"
                disabled={disabled}
              />
            )}
          </Field>
          <Field
            name="cancelOn"
            label={t(locale, 'cancelOn')}
            hint={t(locale, 'cancelOnHint')}
            errors={errorsUnder(errors, 'cancelOn')}
          >
            {(a) => (
              <input type="text" {...a} value={draft.cancelOn} spellcheck={false} disabled={disabled} />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset class="group">
        <legend>{t(locale, 'reminders')}</legend>
        <div class="row">
          <Field name="reminderCount" label={t(locale, 'reminderCount')} errors={err('reminderCount')}>
            {(a) => (
              <select {...a} disabled={disabled}>
                {['0', '1', '2', '3'].map((n) => (
                  <option key={n} value={n} selected={draft.reminderCount === n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            name="reminderAfterDays"
            label={t(locale, 'reminderAfterDays')}
            errors={err('reminderAfterDays')}
          >
            {(a) => (
              <input
                type="number"
                {...a}
                value={draft.reminderAfterDays}
                min={1}
                max={30}
                step={1}
                inputMode="numeric"
                disabled={disabled}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset class="group" id="f-channels">
        <legend>{t(locale, 'channels')}</legend>
        <p class="hint">{t(locale, 'channelsHint')}</p>
        {errorsUnder(errors, 'channels').length ? (
          <p class="field-error">{errorsUnder(errors, 'channels').join('; ')}</p>
        ) : null}
        <div class="row">
          {[1, 2, 3].map((n) => (
            <Field key={n} name={`channels.${n}`} label={t(locale, 'choice', { n })} errors={[]}>
              {(a) => (
                <select {...a} disabled={disabled}>
                  {n > 1 ? <option value="">{t(locale, 'noChannel')}</option> : null}
                  {schema.triggerChannels.map((c) => (
                    <option key={c} value={c} selected={draft.channels[n - 1] === c}>
                      {t(locale, `channel_${c}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
        </div>
      </fieldset>
    </>
  );

  // A new trigger is tried as the form stands too: the same dry run, with the form as all of the trigger.
  const tryUrl = `/app/triggers/${isNew ? 'new' : triggerId}/try`;
  const dryRun = input.canManage ? (
    <aside class="card dry-run" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">{t(locale, 'dryRun')}</h2>
      <p class="muted">{t(locale, 'dryRunLead')}</p>
      <div class="field">
        <label for="f-event">{t(locale, 'pickEvent')}</label>
        <select id="f-event" name="event">
          <option value="">{t(locale, 'pickNone')}</option>
          {input.recentEvents.map((e) => (
            <option key={e.id} value={e.id} selected={input.picked === e.id}>
              {`${e.type} · ${e.contact} · ${dateTime(locale, e.at, zone)}`}
            </option>
          ))}
        </select>
        {input.recentEvents.length === 0 ? <p class="hint">{t(locale, 'noEvents')}</p> : null}
      </div>
      <div class="field">
        <label for="f-eventJson">{t(locale, 'pasteEvent')}</label>
        <textarea
          id="f-eventJson"
          name="eventJson"
          rows={6}
          spellcheck={false}
          class="code"
          aria-describedby="f-eventJson-hint"
        >
          {input.pasted}
        </textarea>
        <p class="hint" id="f-eventJson-hint">
          {t(locale, 'pasteHint')}
        </p>
      </div>
      <button type="submit" class="secondary" formaction={tryUrl} data-try="">
        {t(locale, 'tryIt')}
      </button>
      <h3 id="outcome-title">{t(locale, 'outcome')}</h3>
      <output id="dry-run-outcome" aria-live="polite" aria-labelledby="outcome-title" class="outcome">
        <DryRunOutcome locale={locale} result={input.result} now={input.now} zone={zone} />
      </output>
      <p class="hint live-hint" hidden>
        {t(locale, 'live')}
      </p>
    </aside>
  ) : null;

  return document({
    locale,
    title,
    session,
    section: 'surveys',
    scripts: input.canManage ? ['dry-run'] : [],
    children: (
      <>
        <p>
          <a href={survey ? `/app/surveys/${survey.id}` : '/app/surveys'}>
            ← {survey?.name ?? t(locale, 'surveys')}
          </a>
        </p>
        <h1>{title}</h1>
        {survey ? <p class="muted">{t(locale, 'triggerLead', { survey: survey.name })}</p> : null}
        <Notice text={input.notice} />
        <ErrorSummary locale={locale} errors={errors} />
        {input.canManage ? (
          <form
            method="post"
            action={isNew ? '/app/triggers' : `/app/triggers/${triggerId}`}
            class="trigger-form"
            data-dry-run={`${tryUrl}?fragment=1`}
          >
            <Csrf token={input.csrf} />
            <div class="card trigger-fields">
              {fields}
              <button type="submit" id="save-trigger">
                {isNew ? t(locale, 'createTrigger') : t(locale, 'saveTrigger')}
              </button>
            </div>
            {dryRun}
          </form>
        ) : (
          <>
            <p class="notice">{t(locale, 'readOnly')}</p>
            <div class="card trigger-fields">
              <fieldset disabled class="bare">
                <legend class="sr-only">{title}</legend>
                {fields}
              </fieldset>
            </div>
          </>
        )}
        {input.canManage && !isNew ? (
          <form method="post" action={`/app/triggers/${triggerId}/delete`} class="delete-trigger">
            <Csrf token={input.csrf} />
            <button type="submit" class="danger">
              {t(locale, 'deleteTrigger')}
            </button>
          </form>
        ) : null}
      </>
    ),
  });
}
