/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// API keys (/app/keys): the workspace's keys with their scopes; create one (its key shown once, here), revoke one.

import {
  type ApiKeyRow,
  type Locale,
  type Scope,
  type SignedIn,
  type schema,
  scopes,
} from '@surveyflow/core';
import { say } from '../i18n.ts';
import { pk } from './keys-publishable.words.ts';
import { Csrf, document } from './layout.tsx';
import { dateTime, Notice, type SettingsTab, SettingsTabs, ShownOnce, Table, When } from './parts.tsx';

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
  publishable: PublishableKeysPart;
  /** A publishable key's identity secret just made: shown on this answer only. */
  identitySecret?: { name: string; secret: string } | undefined;
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
          <ShownOnce
            id="new-key"
            title={say(locale, 'newKeyTitle', { name: input.created.name })}
            note={say(locale, 'newKeyOnce')}
            value={input.created.key}
            testId="new-key"
          />
        ) : null}
        {input.identitySecret ? (
          <ShownOnce
            id="new-identity-secret"
            title={pk(locale, 'secretTitle', { name: input.identitySecret.name })}
            note={pk(locale, 'secretOnce')}
            value={input.identitySecret.secret}
            testId="identity-secret"
          />
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
        <PublishableKeys locale={locale} csrf={csrf} zone={zone} part={input.publishable} />
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

export type PublishableKeysPart = {
  keys: (typeof schema.publishableKeys.$inferSelect)[];
  surveys: { id: string; name: string }[];
  /** Where /w.js is served (PUBLIC_URL), for the script tag. */
  publicUrl: string;
};

/** The on-site widget's pk_ keys: listed with their script tag (a pk_ key is public), created, revoked. */
function PublishableKeys(props: { locale: Locale; csrf: string; zone: string; part: PublishableKeysPart }) {
  const { locale, csrf, part } = props;
  const surveyName = new Map(part.surveys.map((s) => [s.id, s.name]));
  const tag = (key: string) => `<script async src="${part.publicUrl}/w.js" data-key="${key}"></script>`;
  return (
    <>
      <section class="card" aria-labelledby="pk-keys">
        <h2 id="pk-keys">{pk(locale, 'title')}</h2>
        <p class="muted">{pk(locale, 'intro')}</p>
        {part.keys.length === 0 ? <p class="muted">{pk(locale, 'none')}</p> : null}
        <Table
          label={pk(locale, 'title')}
          rows={part.keys}
          rowKey={(k) => k.id}
          columns={[
            {
              header: pk(locale, 'name'),
              cell: (k) => (
                <>
                  {k.name} {k.revokedAt ? <span class="tag">{pk(locale, 'revoked')}</span> : null}
                </>
              ),
            },
            {
              header: pk(locale, 'snippet'),
              cell: (k) => <code class="secret">{k.revokedAt ? k.key : tag(k.key)}</code>,
            },
            {
              header: pk(locale, 'surveys'),
              cell: (k) => k.surveyIds.map((id) => surveyName.get(id) ?? id).join(', '),
            },
            { header: pk(locale, 'origins'), cell: (k) => k.allowedOrigins.join(' ') },
            {
              header: pk(locale, 'identity'),
              cell: (k) => (k.revokedAt ? '—' : <IdentityCell locale={locale} csrf={csrf} pkey={k} />),
            },
            {
              header: pk(locale, 'revoke'),
              hiddenHeader: true,
              cell: (k) =>
                k.revokedAt ? (
                  <span class="muted">{dateTime(locale, k.revokedAt, props.zone)}</span>
                ) : (
                  <form method="post" action={`/app/keys/publishable/${k.id}/revoke`} class="inline">
                    <Csrf token={csrf} />
                    <button
                      type="submit"
                      class="danger"
                      aria-label={pk(locale, 'revokeLabel', { name: k.name })}
                    >
                      {pk(locale, 'revoke')}
                    </button>
                  </form>
                ),
            },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="create-pk">
        <h2 id="create-pk">{pk(locale, 'create')}</h2>
        {part.surveys.length === 0 ? (
          <p class="muted">{pk(locale, 'noSurveys')}</p>
        ) : (
          <form method="post" action="/app/keys/publishable">
            <Csrf token={csrf} />
            <div class="field">
              <label for="pk-name">{pk(locale, 'name')}</label>
              <input type="text" id="pk-name" name="name" required maxLength={100} autocomplete="off" />
            </div>
            <fieldset class="scopes">
              <legend>{pk(locale, 'surveys')}</legend>
              {part.surveys.map((s) => (
                <div class="check" key={s.id}>
                  <input type="checkbox" id={`pk-survey-${s.id}`} name="surveyIds" value={s.id} />
                  <label for={`pk-survey-${s.id}`}>{s.name}</label>
                </div>
              ))}
            </fieldset>
            <div class="field">
              <label for="pk-origins">{pk(locale, 'origins')}</label>
              <textarea
                id="pk-origins"
                name="allowedOrigins"
                required
                rows={3}
                aria-describedby="pk-origins-hint"
              />
              <p class="muted" id="pk-origins-hint">
                {pk(locale, 'originsHint')}
              </p>
            </div>
            <button type="submit">{pk(locale, 'createButton')}</button>
          </form>
        )}
      </section>
    </>
  );
}

/** A key's identity verification: its state, a secret made or replaced (shown once), signatures required or not. */
function IdentityCell(props: {
  locale: Locale;
  csrf: string;
  pkey: typeof schema.publishableKeys.$inferSelect;
}) {
  const { locale, csrf, pkey: k } = props;
  const hasSecret = k.identitySecretSealed !== null;
  const base = `/app/keys/publishable/${k.id}`;
  const secretButton = pk(locale, hasSecret ? 'replaceSecret' : 'makeSecret');
  const requireButton = pk(locale, k.requireIdentity ? 'requireOff' : 'requireOn');
  return (
    <>
      <p class="muted">
        {pk(locale, !hasSecret ? 'identityNone' : k.requireIdentity ? 'identityRequired' : 'identityChecked')}
      </p>
      <form method="post" action={`${base}/identity-secret`} class="inline">
        <Csrf token={csrf} />
        <button type="submit" class="secondary" aria-label={`${secretButton}: ${k.name}`}>
          {secretButton}
        </button>
      </form>
      {hasSecret ? (
        <form method="post" action={`${base}/require-identity`} class="inline">
          <Csrf token={csrf} />
          <input type="hidden" name="require" value={k.requireIdentity ? 'off' : 'on'} />
          <button type="submit" class="secondary" aria-label={`${requireButton}: ${k.name}`}>
            {requireButton}
          </button>
        </form>
      ) : null}
    </>
  );
}
