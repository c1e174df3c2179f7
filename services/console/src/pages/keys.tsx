/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// API keys (/app/keys): the workspace's keys with their scopes; create one (its key shown once, here), revoke one.

import { type ApiKeyRow, type Locale, type Scope, type SignedIn, scopes } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';

/** A date in the workspace's time zone, named, so a team across zones reads it alike. */
const dateTime = (locale: Locale, d: Date, timeZone: string) =>
  new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(d);

export function keysPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  keys: ApiKeyRow[];
  /** The key just created: its clear value, shown on this answer only. */
  created?: { name: string; key: string } | undefined;
  notice?: string | undefined;
}): string {
  const { locale, session, csrf } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  return document({
    locale,
    title: say(locale, 'apiKeys'),
    session,
    section: 'keys',
    children: (
      <>
        <h1>{say(locale, 'apiKeys')}</h1>
        {input.notice ? (
          <p class="notice" role="status">
            {input.notice}
          </p>
        ) : null}
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
          <table class="members">
            <thead>
              <tr>
                <th scope="col">{say(locale, 'keyName')}</th>
                <th scope="col">{say(locale, 'scopes')}</th>
                <th scope="col">{say(locale, 'prefix')}</th>
                <th scope="col">{say(locale, 'createdBy')}</th>
                <th scope="col">{say(locale, 'lastUsed')}</th>
                <th scope="col">
                  <span class="sr-only">{say(locale, 'revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {input.keys.map((k) => (
                <tr key={k.id}>
                  <td>
                    {k.name} {k.revokedAt ? <span class="tag">{say(locale, 'revoked')}</span> : null}
                  </td>
                  <td>
                    <span class="label">{say(locale, 'scopes')}: </span>
                    {k.scopes.join(', ')}
                  </td>
                  <td>
                    <span class="label">{say(locale, 'prefix')}: </span>
                    <code>{k.prefix}</code>
                  </td>
                  <td>
                    <span class="label">{say(locale, 'createdBy')}: </span>
                    {k.createdBy?.label ?? '—'}
                  </td>
                  <td>
                    <span class="label">{say(locale, 'lastUsed')}: </span>
                    {k.lastUsedAt ? dateTime(locale, k.lastUsedAt, zone) : say(locale, 'never')}
                  </td>
                  <td>
                    {k.revokedAt ? (
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
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
