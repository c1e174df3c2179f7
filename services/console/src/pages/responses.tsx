/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// The responses feed (/app/responses): answers with score, segment, comment, contact, channel and event properties, newest first;
// filters in a GET form (a small script applies them without a reload), paging by the API's cursors, CSV export of what is filtered.
import type { ChannelName, Locale, Segment, SignedIn } from '@surveyflow/core';
import { document } from './layout.tsx';
import { Empty, Pager, Table, When } from './parts.tsx';
import { t } from './responses.words.ts';

export type FeedRow = {
  id: string;
  createdAt: Date;
  score: number;
  segment: Segment;
  comment: string | null;
  channel: ChannelName;
  surveyName: string;
  contact: { id: string; name: string | null; email: string | null } | null;
  location: string | null;
  event: { id: string; type: string | null } | null;
  properties: Record<string, unknown>;
};

/** The filters as they came in the query string (the form shows them back; links keep them). */
export type FeedQuery = {
  survey?: string | undefined;
  segment?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  channel?: string | undefined;
  property?: string | undefined;
  hasComment?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
};

const segments = ['detractor', 'passive', 'promoter'] as const;
const channelNames = ['email', 'sms', 'qr'] as const;

/** An event property as text: nested values as JSON. */
const shown = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));

export function responsesPage(input: {
  locale: Locale;
  session: SignedIn;
  surveys: { id: string; name: string }[];
  query: FeedQuery;
  rows: FeedRow[];
  next: string | null;
  canExport: boolean;
  publicUrl: string;
}): string {
  const { locale, session, query } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  const { cursor, limit, ...filters } = query;
  const filtered = Object.values(filters).some(Boolean);
  const exportQuery = new URLSearchParams(
    Object.entries(filters).filter((e): e is [string, string] => !!e[1]),
  ).toString();
  const pagerQuery = { ...filters, cursor, limit: limit === undefined ? undefined : String(limit) };
  const select = (id: string, name: keyof typeof filters, any: string, options: [string, string][]) => (
    <select id={id} name={name}>
      <option value="">{any}</option>
      {options.map(([value, label]) => (
        <option key={value} value={value} selected={filters[name] === value}>
          {label}
        </option>
      ))}
    </select>
  );
  return document({
    locale,
    title: t(locale, 'title'),
    session,
    section: 'responses',
    scripts: ['responses'],
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <form
          method="get"
          action="/app/responses"
          class="filters card"
          id="feed-filters"
          aria-label={t(locale, 'filters')}
        >
          <div class="field">
            <label for="f-survey">{t(locale, 'survey')}</label>
            {select(
              'f-survey',
              'survey',
              t(locale, 'anySurvey'),
              input.surveys.map((s) => [s.id, s.name]),
            )}
          </div>
          <div class="field">
            <label for="f-segment">{t(locale, 'segment')}</label>
            {select(
              'f-segment',
              'segment',
              t(locale, 'anySegment'),
              segments.map((s) => [s, t(locale, s)]),
            )}
          </div>
          <div class="field">
            <label for="f-channel">{t(locale, 'channel')}</label>
            {select(
              'f-channel',
              'channel',
              t(locale, 'anyChannel'),
              channelNames.map((c) => [c, t(locale, c)]),
            )}
          </div>
          <div class="field date">
            <label for="f-from">{t(locale, 'from')}</label>
            <input type="date" id="f-from" name="from" value={query.from ?? ''} />
          </div>
          <div class="field date">
            <label for="f-to">{t(locale, 'to')}</label>
            <input type="date" id="f-to" name="to" value={query.to ?? ''} />
          </div>
          <div class="field">
            <label for="f-property">{t(locale, 'property')}</label>
            <input
              type="text"
              id="f-property"
              name="property"
              value={query.property ?? ''}
              maxLength={300}
              aria-describedby="f-property-hint"
            />
            <span class="hint" id="f-property-hint">
              {t(locale, 'propertyHint')}
            </span>
          </div>
          <div class="field wide">
            <label for="f-q">{t(locale, 'q')}</label>
            <input
              type="search"
              id="f-q"
              name="q"
              value={query.q ?? ''}
              maxLength={200}
              aria-describedby="f-q-hint"
            />
            <span class="hint" id="f-q-hint">
              {t(locale, 'qHint')}
            </span>
          </div>
          <div class="check">
            <input
              type="checkbox"
              id="f-comment"
              name="hasComment"
              value="1"
              checked={query.hasComment === '1'}
            />
            <label for="f-comment">{t(locale, 'hasComment')}</label>
          </div>
          <div class="actions">
            <button type="submit" id="f-apply">
              {t(locale, 'apply')}
            </button>
            {filtered ? <a href="/app/responses">{t(locale, 'clear')}</a> : null}
          </div>
        </form>
        <section class="card" id="feed" aria-labelledby="feed-title" aria-live="polite">
          <div class="feed-head">
            <h2 id="feed-title">{t(locale, 'feed')}</h2>
            {input.canExport && input.rows.length > 0 ? (
              <a
                class="export"
                href={`/app/responses.csv${exportQuery ? `?${exportQuery}` : ''}`}
                download
                aria-describedby="export-note"
              >
                {t(locale, 'export')}
              </a>
            ) : null}
          </div>
          {input.canExport && input.rows.length > 0 ? (
            <p class="muted" id="export-note">
              {t(locale, 'exportNote')}
            </p>
          ) : null}
          {input.rows.length === 0 ? (
            filtered ? (
              <Empty title={t(locale, 'noMatch')}>
                <p>
                  {t(locale, 'noMatchLead')} <a href="/app/responses">{t(locale, 'clear')}</a>
                </p>
              </Empty>
            ) : (
              <Empty title={t(locale, 'noAnswers')}>
                <p>{t(locale, 'noAnswersLead')}</p>
                <pre>{`curl -s ${input.publicUrl}/v1/events -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{
  "id": "test-1", "type": "order.delivered",
  "contact": { "id": "test-customer", "email": "you@example.com" } }'`}</pre>
              </Empty>
            )
          ) : (
            <Table
              label={t(locale, 'feed')}
              rows={input.rows}
              rowKey={(r) => r.id}
              columns={[
                {
                  header: t(locale, 'when'),
                  cell: (r) => <When locale={locale} at={r.createdAt} zone={zone} />,
                },
                {
                  header: t(locale, 'score'),
                  cell: (r) => (
                    <span class="score-cell">
                      <strong>{r.score}</strong>{' '}
                      <span class={`tag seg-${r.segment}`}>{t(locale, r.segment)}</span>
                      <span class="muted survey-name"> {r.surveyName}</span>
                    </span>
                  ),
                },
                { header: t(locale, 'comment'), cell: (r) => r.comment ?? '' },
                {
                  header: t(locale, 'contact'),
                  cell: (r) =>
                    r.contact ? (
                      <a href={`/app/contacts/${encodeURIComponent(r.contact.id)}`}>
                        {r.contact.name ?? r.contact.email ?? r.contact.id}
                      </a>
                    ) : r.location ? (
                      t(locale, 'at', { place: r.location })
                    ) : (
                      t(locale, 'anonymous')
                    ),
                },
                { header: t(locale, 'channel'), cell: (r) => t(locale, r.channel) },
                {
                  header: t(locale, 'properties'),
                  cell: (r) => (
                    <>
                      {r.event ? (
                        <a href={`/app/events/${encodeURIComponent(r.event.id)}`}>
                          {r.event.type ?? t(locale, 'event', { id: r.event.id })}
                        </a>
                      ) : null}
                      {Object.keys(r.properties).length ? (
                        <ul class="props">
                          {Object.entries(r.properties)
                            .slice(0, 8)
                            .map(([k, v]) => (
                              <li key={k}>
                                <span class="muted">{k}:</span> {shown(v).slice(0, 80)}
                              </li>
                            ))}
                        </ul>
                      ) : null}
                    </>
                  ),
                },
              ]}
            />
          )}
          <Pager locale={locale} path="/app/responses" query={pagerQuery} nextCursor={input.next} />
        </section>
      </>
    ),
  });
}
