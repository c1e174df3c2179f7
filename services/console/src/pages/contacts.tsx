/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Contacts (/app/contacts): search by id, email or phone; a contact's details and opt-out state, events, invitations
// with why some were not sent, answers and cases; unsubscribe / resubscribe; erase behind a page that says what goes.
import type {
  ChannelName,
  contactAnswers,
  contactHistory,
  contactView,
  erasureScope,
  InvitationStatus,
  Locale,
  listEvents,
  SignedIn,
} from '@surveyflow/core';
import { segmentName } from './cases.tsx';
import { t, whyNotSent } from './contacts.words.ts';
import { Csrf, document } from './layout.tsx';
import { dateTime, Empty, Notice, Pager, Table, When, zoneOf } from './parts.tsx';

type Found = ReturnType<typeof contactView> & { createdAt: Date; erased: boolean };
type History = NonNullable<Awaited<ReturnType<typeof contactHistory>>>;
type EventRow = Awaited<ReturnType<typeof listEvents>>[number];
type AnswerRow = Awaited<ReturnType<typeof contactAnswers>>[number];

const contactHref = (id: string) => `/app/contacts/${encodeURIComponent(id)}`;

const statusWord: Record<InvitationStatus, Parameters<typeof t>[1]> = {
  scheduled: 'stScheduled',
  queued: 'stQueued',
  sending: 'stSending',
  sent: 'stSent',
  failed: 'stFailed',
  cancelled: 'stCancelled',
  interrupted: 'stInterrupted',
};
const caseWord = { open: 'caseOpen', acknowledged: 'caseAcknowledged', resolved: 'caseResolved' } as const;
const viaWord: Record<string, Parameters<typeof t>[1]> = {
  link: 'viaLink',
  mail: 'viaMail',
  api: 'viaApi',
  sms: 'viaSms',
  carrier: 'viaCarrier',
  console: 'viaConsole',
};

export function contactsPage(input: {
  locale: Locale;
  session: SignedIn;
  q: string | undefined;
  rows: readonly Found[];
  next: string | null;
  cursor: string | undefined;
  notice?: string | undefined;
  publicUrl: string;
}): string {
  const { locale, session, q } = input;
  const zone = zoneOf(session);
  return document({
    locale,
    title: t(locale, 'title'),
    session,
    section: 'contacts',
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <Notice text={input.notice} />
        <section class="card">
          <form method="get" action="/app/contacts" class="row">
            <div class="field">
              <label for="q">{t(locale, 'search')}</label>
              <p class="muted hint" id="q-hint">
                {t(locale, 'searchHint')}
              </p>
              <input
                type="search"
                id="q"
                name="q"
                value={q ?? ''}
                maxLength={200}
                autocomplete="off"
                aria-describedby="q-hint"
              />
            </div>
            <button type="submit">{t(locale, 'searchButton')}</button>
          </form>
        </section>
        <section class="card">
          {input.rows.length === 0 ? (
            q ? (
              <Empty title={t(locale, 'noMatch', { q })}>
                <p>{t(locale, 'noMatchNext')}</p>
              </Empty>
            ) : (
              <Empty title={t(locale, 'none')}>
                <p>{t(locale, 'noneNext')}</p>
                <pre>{`curl -s ${input.publicUrl}/v1/events -H "Authorization: Bearer $KEY" \\
  -H 'Content-Type: application/json' -d '{"id":"order-1001","type":"order.delivered",
  "contact":{"id":"cust-42","email":"jane@example.com"}}'`}</pre>
              </Empty>
            )
          ) : (
            <Table<Found>
              label={q ? t(locale, 'results') : t(locale, 'all')}
              rows={input.rows}
              rowKey={(c) => c.id}
              columns={[
                { header: t(locale, 'id'), cell: (c) => <a href={contactHref(c.id)}>{c.id}</a> },
                { header: t(locale, 'name'), cell: (c) => c.name ?? t(locale, 'unknown') },
                { header: t(locale, 'email'), cell: (c) => c.email ?? t(locale, 'unknown') },
                { header: t(locale, 'phone'), cell: (c) => c.phone ?? t(locale, 'unknown') },
                {
                  header: t(locale, 'state'),
                  cell: (c) =>
                    c.erased ? (
                      <span class="tag off">{t(locale, 'erased')}</span>
                    ) : c.optedOutAt ? (
                      <span class="tag off">{t(locale, 'optedOut')}</span>
                    ) : (
                      t(locale, 'subscribed')
                    ),
                },
                {
                  header: t(locale, 'added'),
                  cell: (c) => <When locale={locale} at={c.createdAt} zone={zone} />,
                },
              ]}
            />
          )}
          <Pager
            locale={locale}
            path="/app/contacts"
            query={{ q, cursor: input.cursor }}
            nextCursor={input.next}
          />
        </section>
      </>
    ),
  });
}

export function contactPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  contact: History & { optedOutVia: string | null; emailBouncedAt: Date | null; erasedAt: Date | null };
  surveys: ReadonlyMap<string, string>;
  events: readonly EventRow[];
  eventsNext: string | null;
  cursor: string | undefined;
  answers: readonly AnswerRow[];
  canWrite: boolean;
  canErase: boolean;
  notice?: string | undefined;
}): string {
  const { locale, session, csrf, contact: c } = input;
  const zone = zoneOf(session);
  const dash = t(locale, 'unknown');
  const surveyName = (id: string) => input.surveys.get(id) ?? id;
  const withCase = input.answers.filter((a) => a.case?.id);
  const channel = (ch: ChannelName) => ch;
  const viaName = (via: string | null) => {
    const key = via ? viaWord[via] : undefined;
    return key ? t(locale, key) : (via ?? dash);
  };
  return document({
    locale,
    title: `${t(locale, 'title')}: ${c.id}`,
    session,
    section: 'contacts',
    children: (
      <>
        <p class="crumbs">
          <a href="/app/contacts">{t(locale, 'title')}</a>
        </p>
        <h1>{c.name ? `${c.name} (${c.id})` : c.id}</h1>
        <Notice text={input.notice} />
        <div class="contact-top">
          <section class="card" aria-labelledby="details">
            <h2 id="details">{t(locale, 'details')}</h2>
            <dl class="facts">
              <dt>{t(locale, 'id')}</dt>
              <dd>{c.id}</dd>
              <dt>{t(locale, 'name')}</dt>
              <dd>{c.name ?? dash}</dd>
              <dt>{t(locale, 'email')}</dt>
              <dd>{c.email ?? dash}</dd>
              <dt>{t(locale, 'phone')}</dt>
              <dd>{c.phone ?? dash}</dd>
              <dt>{t(locale, 'locale')}</dt>
              <dd>{c.locale ?? dash}</dd>
              <dt>{t(locale, 'timezone')}</dt>
              <dd>{c.timezone ?? dash}</dd>
              <dt>{t(locale, 'optOutState')}</dt>
              <dd data-testid="opt-out">
                {c.optedOutAt ? (
                  <span class="off">
                    {t(locale, 'optedOutAt', {
                      at: dateTime(locale, c.optedOutAt, zone),
                      via: viaName(c.optedOutVia),
                    })}
                  </span>
                ) : (
                  t(locale, 'receives')
                )}
              </dd>
            </dl>
            {c.erasedAt ? (
              <p class="notice">{t(locale, 'erasedAt', { at: dateTime(locale, c.erasedAt, zone) })}</p>
            ) : null}
            {c.emailBouncedAt ? (
              <p class="notice">{t(locale, 'bounced', { at: dateTime(locale, c.emailBouncedAt, zone) })}</p>
            ) : null}
          </section>
          {input.canWrite && !c.erasedAt ? (
            <section class="card" aria-labelledby="actions">
              <h2 id="actions">{t(locale, 'actions')}</h2>
              {c.optedOutAt ? (
                <form method="post" action={`${contactHref(c.id)}/resubscribe`} class="stack">
                  <Csrf token={csrf} />
                  <p class="muted" id="resub-hint">
                    {t(locale, 'resubscribeHint')}
                  </p>
                  <button type="submit" class="secondary" aria-describedby="resub-hint">
                    {t(locale, 'resubscribe')}
                  </button>
                </form>
              ) : (
                <form method="post" action={`${contactHref(c.id)}/unsubscribe`} class="stack">
                  <Csrf token={csrf} />
                  <p class="muted" id="unsub-hint">
                    {t(locale, 'unsubscribeHint')}
                  </p>
                  <button type="submit" class="secondary" aria-describedby="unsub-hint">
                    {t(locale, 'unsubscribe')}
                  </button>
                </form>
              )}
              {input.canErase ? (
                <div class="stack">
                  <p class="muted" id="erase-hint">
                    {t(locale, 'eraseHint')}
                  </p>
                  <a class="button danger" href={`${contactHref(c.id)}/erase`} aria-describedby="erase-hint">
                    {t(locale, 'erase')}
                  </a>
                </div>
              ) : null}
            </section>
          ) : null}
        </div>
        <section class="card" aria-labelledby="invitations">
          <h2 id="invitations">{t(locale, 'invitations')}</h2>
          {c.invitations.length === 0 ? (
            <p class="muted">{t(locale, 'noInvitations')}</p>
          ) : (
            <Table<History['invitations'][number]>
              label={t(locale, 'invitations')}
              rows={c.invitations}
              rowKey={(i) => i.id}
              columns={[
                { header: t(locale, 'survey'), cell: (i) => surveyName(i.surveyId) },
                { header: t(locale, 'channel'), cell: (i) => channel(i.channel) },
                { header: t(locale, 'status'), cell: (i) => t(locale, statusWord[i.status]) },
                {
                  header: t(locale, 'sendAt'),
                  cell: (i) => <When locale={locale} at={i.sentAt ?? i.sendAt} zone={zone} />,
                },
                { header: t(locale, 'whyNot'), cell: (i) => whyNotSent(locale, i.failureReason) ?? dash },
                {
                  header: t(locale, 'answer'),
                  cell: (i) => (i.response ? String(i.response.score) : dash),
                },
              ]}
            />
          )}
        </section>
        <section class="card" aria-labelledby="events">
          <h2 id="events">{t(locale, 'events')}</h2>
          {input.events.length === 0 ? (
            <p class="muted">{t(locale, 'noEvents')}</p>
          ) : (
            <Table<EventRow>
              label={t(locale, 'events')}
              rows={input.events}
              rowKey={(e) => e.rowId}
              columns={[
                {
                  header: t(locale, 'event'),
                  cell: (e) => <a href={`/app/events/${encodeURIComponent(e.externalId)}`}>{e.externalId}</a>,
                },
                { header: t(locale, 'type'), cell: (e) => e.type },
                {
                  header: t(locale, 'received'),
                  cell: (e) => <When locale={locale} at={e.receivedAt} zone={zone} />,
                },
                {
                  header: t(locale, 'outcome'),
                  cell: (e) =>
                    e.status === 'pending' ? (
                      t(locale, 'pending')
                    ) : (
                      <>
                        {e.invited > 0 ? (
                          <span class="tag">{t(locale, 'invitedN', { n: e.invited })}</span>
                        ) : null}
                        {e.skipped.length > 0 ? (
                          <ul class="reasons">
                            {e.skipped.map((r) => (
                              <li key={r}>{whyNotSent(locale, r)}</li>
                            ))}
                          </ul>
                        ) : e.invited === 0 ? (
                          t(locale, 'nothing')
                        ) : null}
                      </>
                    ),
                },
              ]}
            />
          )}
          <Pager
            locale={locale}
            path={contactHref(c.id)}
            query={{ cursor: input.cursor }}
            nextCursor={input.eventsNext}
          />
        </section>
        <section class="card" aria-labelledby="answers">
          <h2 id="answers">{t(locale, 'answers')}</h2>
          {input.answers.length === 0 ? (
            <p class="muted">{t(locale, 'noAnswers')}</p>
          ) : (
            <Table<AnswerRow>
              label={t(locale, 'answers')}
              rows={input.answers}
              rowKey={(a) => a.id}
              columns={[
                {
                  header: t(locale, 'answered'),
                  cell: (a) => <When locale={locale} at={a.at} zone={zone} />,
                },
                { header: t(locale, 'survey'), cell: (a) => a.survey.name },
                {
                  header: t(locale, 'score'),
                  cell: (a) => `${a.score} · ${segmentName(locale, a.survey.kind, a.score)}`,
                },
                { header: t(locale, 'comment'), cell: (a) => a.comment ?? dash },
              ]}
            />
          )}
        </section>
        <section class="card" aria-labelledby="cases">
          <h2 id="cases">{t(locale, 'cases')}</h2>
          {withCase.length === 0 ? (
            <p class="muted">{t(locale, 'noCases')}</p>
          ) : (
            <ul class="plain">
              {withCase.map((a) => (
                <li key={a.case?.id}>
                  <a href={`/app/cases/${a.case?.id}`}>
                    {t(locale, 'caseOf', { score: String(a.score), survey: a.survey.name })}
                  </a>
                  <span class="tag">{a.case ? t(locale, caseWord[a.case.status]) : ''}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </>
    ),
  });
}

export function erasePage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  contact: ReturnType<typeof contactView>;
  scope: Awaited<ReturnType<typeof erasureScope>>;
}): string {
  const { locale, csrf, contact: c, scope } = input;
  const fields = [
    c.name ? `${t(locale, 'name')} ${c.name}` : null,
    c.email ? `${t(locale, 'email')} ${c.email}` : null,
    c.phone ? `${t(locale, 'phone')} ${c.phone}` : null,
    c.locale ? `${t(locale, 'locale')} ${c.locale}` : null,
    c.timezone ? `${t(locale, 'timezone')} ${c.timezone}` : null,
  ].filter((f): f is string => f !== null);
  return document({
    locale,
    title: t(locale, 'eraseTitle', { id: c.id }),
    session: input.session,
    section: 'contacts',
    children: (
      <>
        <p class="crumbs">
          <a href={contactHref(c.id)}>{c.id}</a>
        </p>
        <h1>{t(locale, 'eraseTitle', { id: c.id })}</h1>
        <section class="card" aria-labelledby="goes">
          <h2 id="goes">{t(locale, 'eraseLead')}</h2>
          <ul class="erase-list" data-testid="erase-list">
            <li>
              {fields.length > 0
                ? t(locale, 'eraseFields', { fields: fields.join(', ') })
                : t(locale, 'eraseNoFields')}
            </li>
            <li>{t(locale, 'eraseEvents', { n: scope.events })}</li>
            <li>{t(locale, 'eraseAnswers', { n: scope.answers, comments: scope.comments })}</li>
            <li>{t(locale, 'eraseMessages', { n: scope.messages })}</li>
          </ul>
          <p class="muted">{t(locale, 'eraseStays', { id: c.id })}</p>
          <form method="post" action={`${contactHref(c.id)}/erase`} class="stack">
            <Csrf token={csrf} />
            <div class="field">
              <label for="confirm">{t(locale, 'eraseConfirm', { id: c.id })}</label>
              <input type="text" id="confirm" name="confirm" required autocomplete="off" maxLength={200} />
            </div>
            <div class="row">
              <button type="submit" class="danger">
                {t(locale, 'eraseButton')}
              </button>
              <a href={contactHref(c.id)}>{t(locale, 'cancel')}</a>
            </div>
          </form>
        </section>
      </>
    ),
  });
}
