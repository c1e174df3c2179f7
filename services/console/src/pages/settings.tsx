/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Settings → Workspace (/app/settings) and Branding (/app/settings/branding): forms for who may change them, read-only values for the rest.

import { type Locale, RETENTION_MONTHS, type SignedIn, tokens } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { Csrf, document } from './layout.tsx';
import { Notice, type SettingsTab, SettingsTabs } from './parts.tsx';
import { t } from './settings.words.ts';

/** The form's fields as the browser sends them (text), so a refused form comes back as it was typed. */
export type SettingsForm = {
  name: string;
  alertEmail: string;
  timezone: string;
  globalContactDays: string;
  quietStart: string;
  quietEnd: string;
  quietHoursChannels: string[];
  emailRatePerSecond: string;
  referralUrl: string;
  auditRetentionDays: string;
  retentionMonths: string;
};

/** Field errors by form field name. */
export type FieldErrors = Partial<Record<string, string>>;

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (aria: Record<string, string | undefined>) => ComponentChildren;
}) {
  const described = [props.hint ? `${props.id}-hint` : null, props.error ? `${props.id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.children({
        'aria-describedby': described || undefined,
        'aria-invalid': props.error ? 'true' : undefined,
      })}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function workspaceSettingsPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  form: SettingsForm;
  canEdit: boolean;
  timezones: readonly string[];
  errors?: FieldErrors;
  notice?: string | undefined;
  tabs: readonly SettingsTab[];
}): string {
  const { locale, form } = input;
  const errors = input.errors ?? {};
  const failed = Object.keys(errors).length > 0;
  const text = (
    id: keyof SettingsForm,
    label: string,
    hint?: string,
    type: 'text' | 'email' | 'url' | 'number' | 'time' = 'text',
    extra = {},
  ) => (
    <Field id={`ws-${id}`} label={label} hint={hint} error={errors[id]}>
      {(aria) => (
        // One helper for several input types: preact types each type's attributes apart.
        <input
          {...({ type, id: `ws-${id}`, name: id, value: form[id] as string, ...aria, ...extra } as object)}
        />
      )}
    </Field>
  );
  const readOnly = (
    <section class="card" aria-labelledby="ws-values">
      <h2 id="ws-values">{t(locale, 'general')}</h2>
      <p class="muted">{t(locale, 'readOnly')}</p>
      <dl class="settings">
        {(
          [
            ['name', form.name],
            ['alertEmail', form.alertEmail || t(locale, 'none')],
            ['timezone', form.timezone],
            ['globalContactDays', form.globalContactDays === '0' ? t(locale, 'off') : form.globalContactDays],
            [
              'quietHours',
              form.quietStart
                ? `${form.quietStart}–${form.quietEnd} (${form.quietHoursChannels.join(', ')})`
                : t(locale, 'none'),
            ],
            ['emailRate', form.emailRatePerSecond || t(locale, 'none')],
            ['referralUrl', form.referralUrl || t(locale, 'none')],
            ['auditRetentionDays', form.auditRetentionDays],
            ['retentionMonths', form.retentionMonths || t(locale, 'forever')],
          ] as const
        ).map(([key, value]) => (
          <div key={key}>
            <dt>{t(locale, key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
  const editable = (
    <form method="post" action="/app/settings" novalidate>
      <Csrf token={input.csrf} />
      <section class="card" aria-labelledby="ws-general">
        <h2 id="ws-general">{t(locale, 'general')}</h2>
        {text('name', t(locale, 'name'), undefined, 'text', { required: true, maxLength: 200 })}
        {text('alertEmail', t(locale, 'alertEmail'), t(locale, 'alertEmailHint'), 'email')}
        <Field
          id="ws-timezone"
          label={t(locale, 'timezone')}
          hint={t(locale, 'timezoneHint')}
          error={errors.timezone}
        >
          {(aria) => (
            <select id="ws-timezone" name="timezone" {...aria}>
              {(input.timezones.includes(form.timezone)
                ? input.timezones
                : [form.timezone, ...input.timezones]
              ).map((z) => (
                <option key={z} value={z} selected={z === form.timezone}>
                  {z}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('referralUrl', t(locale, 'referralUrl'), t(locale, 'referralUrlHint'), 'url')}
        {text('auditRetentionDays', t(locale, 'auditRetentionDays'), undefined, 'number', {
          min: 1,
          max: 3650,
        })}
        {text('retentionMonths', t(locale, 'retentionMonths'), t(locale, 'retentionMonthsHint'), 'number', {
          min: RETENTION_MONTHS.min,
          max: RETENTION_MONTHS.max,
        })}
      </section>
      <section class="card" aria-labelledby="ws-contact">
        <h2 id="ws-contact">{t(locale, 'contactRules')}</h2>
        {text(
          'globalContactDays',
          t(locale, 'globalContactDays'),
          t(locale, 'globalContactDaysHint'),
          'number',
          {
            min: 0,
            max: 365,
          },
        )}
        {text('emailRatePerSecond', t(locale, 'emailRate'), t(locale, 'emailRateHint'), 'number', {
          min: 1,
          max: 10000,
        })}
        <fieldset class="quiet">
          <legend>{t(locale, 'quietHours')}</legend>
          <p class="hint" id="ws-quiet-hint">
            {t(locale, 'quietHoursHint')}
          </p>
          <div class="row">
            {text('quietStart', t(locale, 'quietStart'), undefined, 'time')}
            {text('quietEnd', t(locale, 'quietEnd'), undefined, 'time')}
          </div>
          <fieldset class="scopes">
            <legend>{t(locale, 'quietChannels')}</legend>
            {(['email', 'sms'] as const).map((c) => (
              <div class="check" key={c}>
                <input
                  type="checkbox"
                  id={`ws-quiet-${c}`}
                  name="quietHoursChannels"
                  value={c}
                  checked={form.quietHoursChannels.includes(c)}
                />
                <label for={`ws-quiet-${c}`}>
                  {t(locale, c === 'email' ? 'channelEmail' : 'channelSms')}
                </label>
              </div>
            ))}
            {errors.quietHoursChannels ? <p class="field-error">{errors.quietHoursChannels}</p> : null}
          </fieldset>
        </fieldset>
      </section>
      <button type="submit">{t(locale, 'save')}</button>
    </form>
  );
  return document({
    locale,
    title: t(locale, 'title'),
    session: input.session,
    section: 'settings',
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <SettingsTabs locale={locale} current="workspace" show={input.tabs} />
        <Notice text={input.notice} />
        <Notice text={failed ? t(locale, 'fixErrors') : undefined} error />
        {input.canEdit ? editable : readOnly}
      </>
    ),
  });
}

export function brandingPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  workspaceName: string;
  accent: string | null;
  /** What was typed, when it was refused. */
  accentInput?: string | undefined;
  logoPath: string | null;
  errors?: FieldErrors;
  notice?: string | undefined;
  tabs: readonly SettingsTab[];
}): string {
  const { locale, csrf } = input;
  const errors = input.errors ?? {};
  return document({
    locale,
    title: t(locale, 'brandingTitle'),
    session: input.session,
    section: 'settings',
    children: (
      <>
        <h1>{t(locale, 'brandingTitle')}</h1>
        <SettingsTabs locale={locale} current="branding" show={input.tabs} />
        <Notice text={input.notice} />
        <p>{t(locale, 'brandingLead')}</p>
        <section class="card" aria-labelledby="brand-accent">
          <h2 id="brand-accent">{t(locale, 'accent')}</h2>
          <p class="muted">
            {input.accent
              ? t(locale, 'accentCurrent', { colour: input.accent })
              : t(locale, 'accentDefault', { colour: tokens.accent })}
          </p>
          <p class="sample">
            <span class="swatch" aria-hidden="true" />
            <a href="#brand-accent">{t(locale, 'accent')}</a>
          </p>
          <form method="post" action="/app/settings/branding" novalidate>
            <Csrf token={csrf} />
            <Field
              id="brand-accent-input"
              label={t(locale, 'accent')}
              hint={t(locale, 'accentHint')}
              error={errors.accentColor}
            >
              {(aria) => (
                <input
                  type="text"
                  id="brand-accent-input"
                  name="accentColor"
                  value={input.accentInput ?? input.accent ?? ''}
                  placeholder={tokens.accent}
                  maxLength={7}
                  autocomplete="off"
                  spellcheck={false}
                  {...aria}
                />
              )}
            </Field>
            <div class="actions">
              <button type="submit">{t(locale, 'saveAccent')}</button>
              {input.accent ? (
                <button type="submit" class="secondary" name="reset" value="1">
                  {t(locale, 'resetAccent')}
                </button>
              ) : null}
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="brand-logo">
          <h2 id="brand-logo">{t(locale, 'logo')}</h2>
          {input.logoPath ? (
            <p class="logo-preview">
              <img
                src={input.logoPath}
                alt={t(locale, 'currentLogo', { name: input.workspaceName })}
                height={40}
              />
            </p>
          ) : (
            <p class="muted">{t(locale, 'noLogo')}</p>
          )}
          <form method="post" action="/app/settings/branding/logo" enctype="multipart/form-data">
            <Csrf token={csrf} />
            <Field
              id="brand-logo-file"
              label={t(locale, 'logoFile')}
              hint={t(locale, 'logoHint')}
              error={errors.logo}
            >
              {(aria) => (
                <input
                  type="file"
                  id="brand-logo-file"
                  name="logo"
                  accept="image/png,image/jpeg"
                  required
                  {...aria}
                />
              )}
            </Field>
            <button type="submit">{t(locale, 'upload')}</button>
          </form>
          {input.logoPath ? (
            <form method="post" action="/app/settings/branding/logo/remove" class="remove-logo">
              <Csrf token={csrf} />
              <button type="submit" class="danger">
                {t(locale, 'removeLogo')}
              </button>
            </form>
          ) : null}
        </section>
      </>
    ),
  });
}
