/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Connectors (/app/connectors): the list, creating one (its address, where to paste it, the secret shown once), and one connector's deliveries, mapping and "test this payload".

import {
  type Connector,
  type ConnectorDelivery,
  type ConnectorTestResult,
  type ConnectorView,
  type Locale,
  type SignedIn,
  schema,
} from '@surveyflow/core';
import { t } from './connectors.words.ts';
import { Csrf, document } from './layout.tsx';
import { Empty, Notice, Table, When } from './parts.tsx';

type Kind = Connector['kind'];
const kindName = (locale: Locale, kind: Kind) => t(locale, `kind_${kind}`);

/** The address and where it goes; with the secret when it was just made. */
function Setup({
  locale,
  c,
  secret,
}: {
  locale: Locale;
  c: ConnectorView;
  secret?: string | null | undefined;
}) {
  return (
    <>
      <p class="label-line">{t(locale, 'endpoint')}</p>
      <code class="secret" data-testid="endpoint">
        {c.endpoint}
      </code>
      {secret ? (
        <>
          <p class="notice" role="status">
            {t(locale, 'secretOnce')}
          </p>
          <code class="secret" data-testid="secret">
            {secret}
          </code>
        </>
      ) : null}
      <h3>{t(locale, 'whereTitle')}</h3>
      <p class="setup">{c.setup}</p>
    </>
  );
}

export function connectorsPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  connectors: ConnectorView[];
  created?: { connector: ConnectorView; secret: string | null } | undefined;
  notice?: string | undefined;
}): string {
  const { locale, session, csrf } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  return document({
    locale,
    title: t(locale, 'title'),
    session,
    section: 'connectors',
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <p class="muted">{t(locale, 'intro')}</p>
        <Notice text={input.notice} />
        {input.created ? (
          <section class="card" aria-labelledby="created">
            <h2 id="created">{t(locale, 'created', { name: input.created.connector.name })}</h2>
            <Setup locale={locale} c={input.created.connector} secret={input.created.secret} />
          </section>
        ) : null}
        <section class="card" aria-labelledby="list">
          <h2 id="list">{t(locale, 'list')}</h2>
          {input.connectors.length === 0 ? (
            <Empty title={t(locale, 'none')}>
              <p>{t(locale, 'noneNext')}</p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'list')}
              rows={input.connectors}
              rowKey={(c) => c.id}
              columns={[
                {
                  header: t(locale, 'name'),
                  cell: (c) => (
                    <a href={`/app/connectors/${c.id}`} aria-label={t(locale, 'open', { name: c.name })}>
                      {c.name}
                    </a>
                  ),
                },
                { header: t(locale, 'kind'), cell: (c) => kindName(locale, c.kind) },
                { header: t(locale, 'endpoint'), cell: (c) => <code class="wrap">{c.endpoint}</code> },
                {
                  header: t(locale, 'secretHint'),
                  cell: (c) => (c.secretHint ? <code>{c.secretHint}</code> : '—'),
                },
                {
                  header: t(locale, 'status'),
                  cell: (c) => (c.enabled ? t(locale, 'on') : t(locale, 'off')),
                },
                {
                  header: t(locale, 'createdAt'),
                  cell: (c) => <When locale={locale} at={c.createdAt} zone={zone} />,
                },
              ]}
            />
          )}
        </section>
        <section class="card" aria-labelledby="create">
          <h2 id="create">{t(locale, 'create')}</h2>
          <form method="post" action="/app/connectors">
            <Csrf token={csrf} />
            <div class="row spaced">
              <div class="field">
                <label for="c-kind">{t(locale, 'kind')}</label>
                <select id="c-kind" name="kind">
                  {schema.connectorKinds.map((k) => (
                    <option value={k} key={k}>
                      {kindName(locale, k)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="c-name">{t(locale, 'name')}</label>
                <input type="text" id="c-name" name="name" required maxLength={100} autocomplete="off" />
              </div>
            </div>
            <div class="field">
              <label for="c-secret">{t(locale, 'secretField')}</label>
              <input
                type="text"
                id="c-secret"
                name="secret"
                maxLength={500}
                autocomplete="off"
                aria-describedby="c-secret-help"
              />
              <p class="help" id="c-secret-help">
                {t(locale, 'secretHelp')}
              </p>
            </div>
            <fieldset class="json-only">
              <legend>{t(locale, 'jsonOnly')}</legend>
              <MappingFields locale={locale} />
            </fieldset>
            <button type="submit">{t(locale, 'createButton')}</button>
          </form>
        </section>
      </>
    ),
  });
}

/** The JSON connector's fields: the JSONata mapping, an optional HMAC check and delivery id header. */
function MappingFields({ locale, json }: { locale: Locale; json?: Connector['json'] }) {
  return (
    <>
      <div class="field">
        <label for="c-expression">{t(locale, 'expression')}</label>
        <textarea
          id="c-expression"
          name="expression"
          rows={6}
          maxLength={5000}
          spellcheck={false}
          aria-describedby="c-expression-help"
        >
          {json?.expression ?? ''}
        </textarea>
        <p class="help" id="c-expression-help">
          {t(locale, 'expressionHelp')}
        </p>
      </div>
      <div class="row spaced">
        <div class="field">
          <label for="c-sig-header">{t(locale, 'sigHeader')}</label>
          <input
            type="text"
            id="c-sig-header"
            name="signatureHeader"
            maxLength={100}
            value={json?.signature?.header ?? ''}
            autocomplete="off"
          />
        </div>
        <div class="field">
          <label for="c-sig-alg">{t(locale, 'sigAlgorithm')}</label>
          <select id="c-sig-alg" name="signatureAlgorithm">
            {(['sha256', 'sha1', 'sha512'] as const).map((a) => (
              <option value={a} key={a} selected={json?.signature?.algorithm === a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="c-sig-enc">{t(locale, 'sigEncoding')}</label>
          <select id="c-sig-enc" name="signatureEncoding">
            {(['hex', 'base64'] as const).map((e) => (
              <option value={e} key={e} selected={json?.signature?.encoding === e}>
                {e}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="c-sig-prefix">{t(locale, 'sigPrefix')}</label>
          <input
            type="text"
            id="c-sig-prefix"
            name="signaturePrefix"
            maxLength={20}
            value={json?.signature?.prefix ?? ''}
            autocomplete="off"
          />
        </div>
      </div>
      <div class="field">
        <label for="c-delivery">{t(locale, 'deliveryHeader')}</label>
        <input
          type="text"
          id="c-delivery"
          name="deliveryIdHeader"
          maxLength={100}
          value={json?.deliveryIdHeader ?? ''}
          autocomplete="off"
        />
      </div>
    </>
  );
}

/** What "test this payload" found, or that the text was not JSON. */
export type TestOutcome = ConnectorTestResult | { outcome: 'bad_json'; reason: string };

export function connectorPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  connector: ConnectorView;
  deliveries: ConnectorDelivery[];
  notice?: string | undefined;
  test?: { payload: string; topic: string; result: TestOutcome } | undefined;
}): string {
  const { locale, session, csrf, connector: c } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  const result = input.test?.result;
  return document({
    locale,
    title: `${c.name} · ${t(locale, 'title')}`,
    session,
    section: 'connectors',
    children: (
      <>
        <p>
          <a href="/app/connectors">← {t(locale, 'back')}</a>
        </p>
        <h1>
          {c.name} <span class="tag">{kindName(locale, c.kind)}</span>
        </h1>
        <Notice text={input.notice} />
        <section class="card" aria-labelledby="setup">
          <h2 id="setup">{t(locale, 'connect')}</h2>
          <Setup locale={locale} c={c} />
        </section>
        <section class="card" aria-labelledby="deliveries">
          <h2 id="deliveries">{t(locale, 'deliveries')}</h2>
          {input.deliveries.length === 0 ? (
            <Empty title={t(locale, 'noDeliveries')}>
              <p>{t(locale, 'noDeliveriesNext')}</p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'deliveries')}
              rows={input.deliveries}
              rowKey={(d) => String(d.id)}
              columns={[
                {
                  header: t(locale, 'received'),
                  cell: (d) => <When locale={locale} at={d.receivedAt} zone={zone} />,
                },
                { header: t(locale, 'topic'), cell: (d) => d.topic ?? '—' },
                {
                  header: t(locale, 'outcome'),
                  cell: (d) => (
                    <span class={`tag outcome-${d.outcome}`}>{t(locale, `outcome_${d.outcome}`)}</span>
                  ),
                },
                {
                  header: t(locale, 'event'),
                  cell: (d) =>
                    d.eventId ? (
                      <a href={`/app/events?q=${encodeURIComponent(d.eventId)}`}>
                        <code class="wrap">{d.eventId}</code>
                      </a>
                    ) : (
                      '—'
                    ),
                },
                { header: t(locale, 'reason'), cell: (d) => d.reason ?? '—' },
              ]}
            />
          )}
        </section>
        {c.kind === 'json' ? (
          <section class="card" aria-labelledby="mapping">
            <h2 id="mapping">{t(locale, 'mapping')}</h2>
            <form method="post" action={`/app/connectors/${c.id}/mapping`}>
              <Csrf token={csrf} />
              <MappingFields locale={locale} json={c.json} />
              <button type="submit">{t(locale, 'saveMapping')}</button>
            </form>
          </section>
        ) : null}
        <section class="card" aria-labelledby="test">
          <h2 id="test">{t(locale, 'test')}</h2>
          <p class="muted">{t(locale, 'testHelp')}</p>
          <form method="post" action={`/app/connectors/${c.id}/test`}>
            <Csrf token={csrf} />
            {c.kind === 'shopify' || c.kind === 'woocommerce' ? (
              <div class="field">
                <label for="t-topic">{t(locale, 'topicField')}</label>
                <input
                  type="text"
                  id="t-topic"
                  name="topic"
                  maxLength={100}
                  value={input.test?.topic || (c.kind === 'shopify' ? 'orders/paid' : 'order.updated')}
                  autocomplete="off"
                />
              </div>
            ) : null}
            <div class="field">
              <label for="t-payload">{t(locale, 'payload')}</label>
              <textarea
                id="t-payload"
                name="payload"
                rows={10}
                required
                maxLength={200_000}
                spellcheck={false}
              >
                {input.test?.payload ?? ''}
              </textarea>
            </div>
            <button type="submit">{t(locale, 'testButton')}</button>
          </form>
          {result ? (
            <div class="test-result" role="status" data-testid="test-result">
              {result.outcome === 'event' ? (
                <>
                  <p>{t(locale, 'wouldMake')}</p>
                  <pre class="json">{JSON.stringify(result.event, null, 2)}</pre>
                </>
              ) : result.outcome === 'ignored' ? (
                <p>{t(locale, 'wouldIgnore', { reason: result.reason })}</p>
              ) : result.outcome === 'rejected' ? (
                <p class="error">{t(locale, 'wouldReject', { reason: result.reason })}</p>
              ) : (
                <p class="error">{t(locale, 'badJson', { reason: result.reason })}</p>
              )}
            </div>
          ) : null}
        </section>
      </>
    ),
  });
}
