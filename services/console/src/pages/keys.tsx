/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// API keys (/app/keys): the workspace's keys with their scopes; create one (its key shown once, here), revoke one.

import { type ApiKeyRow, type Locale, type Scope, type SignedIn, scopes } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';
import { dateTime, Notice, type SettingsTab, SettingsTabs, Table, When } from './parts.tsx';

export function keysPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  keys: ApiKeyRow[];
  /** The key just created: its clear value, shown on this answer only. */
  created?: { name: string; key: string } | undefined;
  notice?: string | undefined;
  /** The settings tabs this operator may open. */
  tabs: readonly SettingsTab[];
}): string {
  const { locale, session, csrf } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  return document({
    locale,
    title: say(locale, 'apiKeys'),
    session,
    section: 'settings',
    children: (
      <>
        <h1>{say(locale, 'apiKeys')}</h1>
        <SettingsTabs locale={locale} current="keys" show={input.tabs} />
        <Notice text={input.notice} />
        {input.created ? (
          <section class="card" aria-labelledby="new-key">
            <h2 id="new-key">{say(locale, 'newKeyTitle', { name: input.created.name })}</h2>
            <p class="notice" role="status">
              {say(locale, 'newKeyOnce')}
            </p>
            <code class="secret" data-testid="new-key">
              {input.created.key}
            </code>
          </section>
        ) : null}
        <section class="card" aria-labelledby="keys">
          <h2 id="keys">{say(locale, 'keysList')}</h2>
          {input.keys.length === 0 ? <p class="muted">{say(locale, 'noKeys')}</p> : null}
          <Table
            label={say(locale, 'keysList')}
            rows={input.keys}
            rowKey={(k) => k.id}
            columns={[
              {
                header: say(locale, 'keyName'),
                cell: (k) => (
                  <>
                    {k.name} {k.revokedAt ? <span class="tag">{say(locale, 'revoked')}</span> : null}
                  </>
                ),
              },
              { header: say(locale, 'scopes'), cell: (k) => k.scopes.join(', ') },
              { header: say(locale, 'prefix'), cell: (k) => <code>{k.prefix}</code> },
              { header: say(locale, 'createdBy'), cell: (k) => k.createdBy?.label ?? '—' },
              {
                header: say(locale, 'lastUsed'),
                cell: (k) =>
                  k.lastUsedAt ? (
                    <When locale={locale} at={k.lastUsedAt} zone={zone} />
                  ) : (
                    say(locale, 'never')
                  ),
              },
              {
                header: say(locale, 'revoke'),
                hiddenHeader: true,
                cell: (k) =>
                  k.revokedAt ? (
                    <span class="muted">
                      {say(locale, 'revokedAt', { at: dateTime(locale, k.revokedAt, zone) })}
                    </span>
                  ) : (
                    <form method="post" action={`/app/keys/${k.id}/revoke`} class="inline">
                      <Csrf token={csrf} />
                      <button
                        type="submit"
                        class="danger"
                        aria-label={say(locale, 'revokeLabel', { name: k.name })}
                      >
                        {say(locale, 'revoke')}
                      </button>
                    </form>
                  ),
              },
            ]}
          />
        </section>
        <section class="card" aria-labelledby="create-key">
          <h2 id="create-key">{say(locale, 'createKey')}</h2>
          <form method="post" action="/app/keys">
            <Csrf token={csrf} />
            <div class="field">
              <label for="key-name">{say(locale, 'keyName')}</label>
              <input type="text" id="key-name" name="name" required maxLength={100} autocomplete="off" />
            </div>
            <fieldset class="scopes">
              <legend>{say(locale, 'scopes')}</legend>
              {scopes.map((s: Scope) => (
                <div class="check" key={s}>
                  <input type="checkbox" id={`scope-${s}`} name="scopes" value={s} />
                  <label for={`scope-${s}`}>
                    <code>{s}</code> — {say.scope(locale, s)}
                  </label>
                </div>
              ))}
            </fieldset>
            <button type="submit">{say(locale, 'createKeyButton')}</button>
          </form>
        </section>
      </>
    ),
  });
}
