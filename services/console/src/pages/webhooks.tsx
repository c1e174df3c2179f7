/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Settings → Webhooks (/app/settings/webhooks) and one endpoint (/app/settings/webhooks/<id>): its state, edit, disable or
// enable, "Send test", and its delivery log, paged with the log's cursors.

import { type Locale, type SignedIn, schema, type Webhook, type WebhookDeliveryLog } from '@surveyflow/core';
import { Csrf, document } from './layout.tsx';
import {
  dateTime,
  Empty,
  Notice,
  Pager,
  type SettingsTab,
  SettingsTabs,
  ShownOnce,
  Table,
  When,
  zoneOf,
} from './parts.tsx';
import type { FieldErrors } from './settings.tsx';
import { t } from './webhooks.words.ts';

type Frame = { locale: Locale; session: SignedIn; csrf: string; tabs: readonly SettingsTab[] };

/** URL and events, for a new endpoint or an existing one. */
function EndpointFields(props: {
  locale: Locale;
  prefix: string;
  url: string;
  events: readonly string[];
  errors: FieldErrors;
}) {
  const { locale, prefix, errors } = props;
  return (
    <>
      <div class={errors.url ? 'field invalid' : 'field'}>
        <label for={`${prefix}-url`}>{t(locale, 'url')}</label>
        <p class="hint" id={`${prefix}-url-hint`}>
          {t(locale, 'urlHint')}
        </p>
        <input
          type="url"
          id={`${prefix}-url`}
          name="url"
          value={props.url}
          required
          maxLength={2000}
          placeholder="https://shop.example.com/hooks/surveyflow"
          aria-describedby={errors.url ? `${prefix}-url-hint ${prefix}-url-error` : `${prefix}-url-hint`}
          aria-invalid={errors.url ? 'true' : undefined}
        />
        {errors.url ? (
          <p class="field-error" id={`${prefix}-url-error`}>
            {errors.url}
          </p>
        ) : null}
      </div>
      <fieldset class="scopes">
        <legend>{t(locale, 'events')}</legend>
        {schema.webhookEventTypes.map((e) => (
          <div class="check" key={e}>
            <input
              type="checkbox"
              id={`${prefix}-event-${e}`}
              name="eventTypes"
              value={e}
              checked={props.events.includes(e)}
            />
            <label for={`${prefix}-event-${e}`}>
              <code>{e}</code>
            </label>
          </div>
        ))}
        {errors.eventTypes ? <p class="field-error">{errors.eventTypes}</p> : null}
      </fieldset>
    </>
  );
}

function StatusTag({ locale, webhook, zone }: { locale: Locale; webhook: Webhook; zone: string }) {
  return webhook.disabledAt ? (
    <>
      <span class="tag off">{t(locale, 'disabled')}</span>{' '}
      <span class="muted">
        {t(locale, 'disabledWhy', {
          at: dateTime(locale, webhook.disabledAt, zone),
          why: webhook.disabledReason ?? '—',
        })}
      </span>
    </>
  ) : (
    <span class="tag">{t(locale, 'enabled')}</span>
  );
}

export function webhooksPage(
  input: Frame & {
    webhooks: Webhook[];
    created?: { url: string; secret: string } | undefined;
    form?: { url: string; events: string[] };
    errors?: FieldErrors;
    notice?: string | undefined;
  },
): string {
  const { locale, session, csrf } = input;
  const zone = zoneOf(session);
  const errors = input.errors ?? {};
  return document({
    locale,
    title: t(locale, 'title'),
    session,
    section: 'settings',
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <SettingsTabs locale={locale} current="webhooks" show={input.tabs} />
        <Notice text={input.notice} />
        <Notice text={Object.keys(errors).length ? t(locale, 'fixErrors') : undefined} error />
        <p>{t(locale, 'lead')}</p>
        {input.created ? (
          <ShownOnce
            id="new-secret"
            title={t(locale, 'secretTitle', { url: input.created.url })}
            note={t(locale, 'secretOnce')}
            value={input.created.secret}
            testId="webhook-secret"
          />
        ) : null}
        <section class="card" aria-labelledby="endpoints">
          <h2 id="endpoints">{t(locale, 'endpoints')}</h2>
          {input.webhooks.length === 0 ? (
            <Empty title={t(locale, 'none')}>
              <p>{t(locale, 'noneNext')}</p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'endpoints')}
              rows={input.webhooks}
              rowKey={(w) => w.id}
              columns={[
                { header: t(locale, 'url'), cell: (w) => <span class="url">{w.url}</span> },
                { header: t(locale, 'events'), cell: (w) => w.eventTypes.join(', ') },
                {
                  header: t(locale, 'status'),
                  cell: (w) => <StatusTag locale={locale} webhook={w} zone={zone} />,
                },
                {
                  header: t(locale, 'open'),
                  hiddenHeader: true,
                  cell: (w) => (
                    <a
                      href={`/app/settings/webhooks/${w.id}`}
                      aria-label={t(locale, 'openLabel', { url: w.url })}
                    >
                      {t(locale, 'open')}
                    </a>
                  ),
                },
              ]}
            />
          )}
        </section>
        <section class="card" aria-labelledby="add-webhook">
          <h2 id="add-webhook">{t(locale, 'add')}</h2>
          <form method="post" action="/app/settings/webhooks" novalidate>
            <Csrf token={csrf} />
            <EndpointFields
              locale={locale}
              prefix="new"
              url={input.form?.url ?? ''}
              events={input.form?.events ?? ['response.created']}
              errors={errors}
            />
            <button type="submit">{t(locale, 'create')}</button>
          </form>
        </section>
      </>
    ),
  });
}

export function webhookPage(
  input: Frame & {
    webhook: Webhook;
    deliveries: WebhookDeliveryLog[];
    next: string | null;
    cursor?: string | undefined;
    form?: { url: string; events: string[] };
    errors?: FieldErrors;
    notice?: string | undefined;
    error?: string | undefined;
  },
): string {
  const { locale, session, csrf, webhook } = input;
  const zone = zoneOf(session);
  const errors = input.errors ?? {};
  const action = (path: string, label: string, cls?: string) => (
    <form method="post" action={`/app/settings/webhooks/${webhook.id}/${path}`} class="inline">
      <Csrf token={csrf} />
      <button type="submit" class={cls}>
        {label}
      </button>
    </form>
  );
  const outcome = (a: WebhookDeliveryLog['log'][number]) =>
    a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? '—');
  return document({
    locale,
    title: `${t(locale, 'endpoint')} · ${webhook.url}`,
    session,
    section: 'settings',
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <SettingsTabs locale={locale} current="webhooks" show={input.tabs} />
        <p>
          <a href="/app/settings/webhooks">{t(locale, 'back')}</a>
        </p>
        <Notice text={input.notice} />
        <Notice text={input.error} error />
        <Notice text={Object.keys(errors).length ? t(locale, 'fixErrors') : undefined} error />
        <section class="card" aria-labelledby="endpoint">
          <h2 id="endpoint" class="url">
            {webhook.url}
          </h2>
          <p>
            <StatusTag locale={locale} webhook={webhook} zone={zone} />
          </p>
          <p class="muted">
            {t(locale, 'events')}: {webhook.eventTypes.join(', ')} ·{' '}
            {t(locale, 'failures', { n: webhook.consecutiveFailures })}
          </p>
          <div class="actions">
            {webhook.disabledAt ? null : action('test', t(locale, 'sendTest'))}
            {webhook.disabledAt
              ? action('enable', t(locale, 'enable'))
              : action('disable', t(locale, 'disable'), 'secondary')}
          </div>
          {webhook.disabledAt ? null : <p class="hint">{t(locale, 'sendTestHint')}</p>}
        </section>
        <section class="card" aria-labelledby="log">
          <h2 id="log">{t(locale, 'log')}</h2>
          {input.deliveries.length === 0 ? (
            <Empty title={t(locale, 'noDeliveries')}>
              <p>{t(locale, 'noDeliveriesNext')}</p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'log')}
              rows={input.deliveries}
              rowKey={(d) => d.id}
              columns={[
                { header: t(locale, 'event'), cell: (d) => <code>{d.eventType}</code> },
                {
                  header: t(locale, 'created'),
                  cell: (d) => <When locale={locale} at={d.createdAt} zone={zone} />,
                },
                {
                  header: t(locale, 'status'),
                  cell: (d) => (
                    <>
                      <span class={`tag ${d.status}`}>{t(locale, d.status)}</span>
                      {d.status === 'pending' ? (
                        <span class="muted">
                          {' '}
                          {t(locale, 'nextAttempt', { at: dateTime(locale, d.nextAttemptAt, zone) })}
                        </span>
                      ) : null}
                    </>
                  ),
                },
                {
                  header: t(locale, 'attempts'),
                  cell: (d) => (
                    <ul class="attempts">
                      {d.log.map((a) => (
                        <li key={a.attempt}>
                          {t(locale, 'attempt', {
                            n: a.attempt,
                            outcome: outcome(a),
                            ms: a.durationMs,
                            at: dateTime(locale, a.createdAt, zone),
                          })}
                        </li>
                      ))}
                    </ul>
                  ),
                },
              ]}
            />
          )}
          <Pager
            locale={locale}
            path={`/app/settings/webhooks/${webhook.id}`}
            query={{ cursor: input.cursor }}
            nextCursor={input.next}
          />
        </section>
        <section class="card" aria-labelledby="edit-webhook">
          <h2 id="edit-webhook">{t(locale, 'edit')}</h2>
          <form method="post" action={`/app/settings/webhooks/${webhook.id}`} novalidate>
            <Csrf token={csrf} />
            <EndpointFields
              locale={locale}
              prefix="edit"
              url={input.form?.url ?? webhook.url}
              events={input.form?.events ?? webhook.eventTypes}
              errors={errors}
            />
            <div class="actions">
              <button type="submit">{t(locale, 'save')}</button>
            </div>
          </form>
          <form method="post" action={`/app/settings/webhooks/${webhook.id}/remove`} class="remove">
            <Csrf token={csrf} />
            <button type="submit" class="danger">
              {t(locale, 'remove')}
            </button>
          </form>
        </section>
      </>
    ),
  });
}
