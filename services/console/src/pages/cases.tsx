/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Cases (/app/cases): the inbox (mine, unassigned, overdue, all) with the SLA's time left, a case with its answer, event,
// history and the customer's other answers, the forms that work it, and the preview of a closing message before it goes.
import {
  type caseContext,
  type caseInboxDetails,
  type getCase,
  type Locale,
  type listCases,
  type Member,
  type SignedIn,
  type SurveyKind,
  segmentOf,
} from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { type CaseWords, t } from './cases.words.ts';
import { shortDuration } from './countdown.ts';
import { Csrf, document } from './layout.tsx';
import { dateTime, Empty, Notice, Pager, Table, When, zoneOf } from './parts.tsx';

export const caseViews = ['mine', 'unassigned', 'overdue', 'all'] as const;
export type CaseView = (typeof caseViews)[number];

type InboxRow = Awaited<ReturnType<typeof listCases>>[number];
type InboxDetail = NonNullable<ReturnType<Awaited<ReturnType<typeof caseInboxDetails>>['get']>>;
type CaseDetail = NonNullable<Awaited<ReturnType<typeof getCase>>>;
type CaseContext = NonNullable<Awaited<ReturnType<typeof caseContext>>>;

const viewWord: Record<CaseView, keyof CaseWords & string> = {
  mine: 'viewMine',
  unassigned: 'viewUnassigned',
  overdue: 'viewOverdue',
  all: 'viewAll',
};

const statusWord = {
  open: 'statusOpen',
  acknowledged: 'statusAcknowledged',
  resolved: 'statusResolved',
} as const;

const segmentWord = { detractor: 'segDetractor', passive: 'segPassive', promoter: 'segPromoter' } as const;

export const segmentName = (locale: Locale, kind: SurveyKind, score: number) =>
  t(locale, segmentWord[segmentOf(kind, score)]);

const units = (locale: Locale) => ({
  d: t(locale, 'unitD'),
  h: t(locale, 'unitH'),
  min: t(locale, 'unitMin'),
});

/**
 * The SLA's time left, as the server sees it now ("due in 3 h 20 min", "overdue by 2 h"), in a `<time>`
 * the countdown script keeps live; its data attributes carry the words so the script says it alike.
 */
export function SlaLeft(props: {
  locale: Locale;
  status: string;
  dueAt: Date;
  resolvedAt: Date | null;
  now: Date;
  zone: string;
}) {
  const { locale, now, dueAt } = props;
  if (props.status === 'resolved') {
    return (
      <span class="sla done">
        {t(locale, 'resolvedAt', {
          at: props.resolvedAt ? dateTime(locale, props.resolvedAt, props.zone) : '',
        })}
      </span>
    );
  }
  const overdue = dueAt.getTime() <= now.getTime();
  const u = units(locale);
  const text = t(locale, overdue ? 'overdueBy' : 'dueIn', {
    time: shortDuration(dueAt.getTime() - now.getTime(), u),
  });
  return (
    <time
      class={overdue ? 'sla overdue' : 'sla'}
      datetime={dueAt.toISOString()}
      title={dateTime(locale, dueAt, props.zone)}
      data-countdown=""
      data-due-in={t(locale, 'dueIn')}
      data-overdue-by={t(locale, 'overdueBy')}
      data-units={`${u.d}|${u.h}|${u.min}`}
    >
      {text}
    </time>
  );
}

const customerName = (locale: Locale, contact: { id: string; name: string | null } | null) =>
  contact ? (contact.name ? `${contact.name} (${contact.id})` : contact.id) : t(locale, 'anonymous');

export function inboxPage(input: {
  locale: Locale;
  session: SignedIn;
  view: CaseView;
  rows: readonly InboxRow[];
  details: ReadonlyMap<string, InboxDetail>;
  next: string | null;
  cursor: string | undefined;
  now: Date;
}): string {
  const { locale, session, view, now } = input;
  const zone = zoneOf(session);
  const rows = input.rows.flatMap((c) => {
    const d = input.details.get(c.id);
    return d ? [{ ...c, ...d }] : [];
  });
  type Row = (typeof rows)[number];
  const empty: Record<CaseView, [keyof CaseWords & string, keyof CaseWords & string]> = {
    mine: ['emptyMine', 'emptyMineNext'],
    unassigned: ['emptyUnassigned', 'emptyUnassignedNext'],
    overdue: ['emptyOverdue', 'emptyOverdueNext'],
    all: ['emptyAll', 'emptyAllNext'],
  };
  return document({
    locale,
    title: `${t(locale, 'title')}: ${t(locale, viewWord[view])}`,
    session,
    section: 'cases',
    scripts: ['countdown'],
    children: (
      <>
        <h1>{t(locale, 'title')}</h1>
        <nav class="tabs" aria-label={t(locale, 'views')}>
          {caseViews.map((v) => (
            <a key={v} href={`/app/cases?view=${v}`} aria-current={v === view ? 'page' : undefined}>
              {t(locale, viewWord[v])}
            </a>
          ))}
        </nav>
        <section class="card">
          {rows.length === 0 ? (
            <Empty title={t(locale, empty[view][0])}>
              <p>{t(locale, empty[view][1])}</p>
            </Empty>
          ) : (
            <Table<Row>
              label={t(locale, 'listLabel', { view: t(locale, viewWord[view]) })}
              rows={rows}
              rowKey={(r) => r.id}
              columns={[
                {
                  header: t(locale, 'score'),
                  cell: (r) => (
                    <a
                      href={`/app/cases/${r.id}`}
                      class="score"
                      aria-label={t(locale, 'viewLabel', {
                        score: r.score,
                        customer: customerName(locale, r.contact),
                      })}
                    >
                      {r.score}
                    </a>
                  ),
                },
                { header: t(locale, 'segment'), cell: (r) => segmentName(locale, r.survey.kind, r.score) },
                { header: t(locale, 'customer'), cell: (r) => customerName(locale, r.contact) },
                { header: t(locale, 'survey'), cell: (r) => r.survey.name },
                {
                  header: t(locale, 'age'),
                  cell: (r) => (
                    <span title={dateTime(locale, r.createdAt, zone)}>
                      {shortDuration(now.getTime() - r.createdAt.getTime(), units(locale))}
                    </span>
                  ),
                },
                { header: t(locale, 'assignee'), cell: (r) => r.assignee ?? t(locale, 'unassigned') },
                {
                  header: t(locale, 'sla'),
                  cell: (r) => (
                    <>
                      <span class="tag">{t(locale, statusWord[r.status])}</span>{' '}
                      <SlaLeft
                        locale={locale}
                        status={r.status}
                        dueAt={r.dueAt}
                        resolvedAt={r.resolvedAt}
                        now={now}
                        zone={zone}
                      />
                    </>
                  ),
                },
              ]}
            />
          )}
          <Pager
            locale={locale}
            path="/app/cases"
            query={{ view, cursor: input.cursor }}
            nextCursor={input.next}
          />
        </section>
      </>
    ),
  });
}

/** Who did it, in words: a member's email, Surveyflow itself, or the API. */
const actorName = (locale: Locale, actor: string | null) =>
  actor === 'system' || actor === null
    ? t(locale, 'system')
    : actor === 'api'
      ? t(locale, 'api')
      : actor === 'customer'
        ? t(locale, 'customerActor')
        : actor;

function historyLine(
  locale: Locale,
  h: CaseDetail['history'][number],
  memberEmail: (id: unknown) => string,
): ComponentChildren {
  const d = (h.detail ?? {}) as Record<string, unknown>;
  const status = (s: unknown) =>
    typeof s === 'string' && s in statusWord
      ? t(locale, statusWord[s as keyof typeof statusWord])
      : String(s);
  switch (h.kind) {
    case 'created':
      return t(locale, 'hCreated');
    case 'status_changed':
      return (
        <>
          {t(locale, 'hStatus', { from: status(d.from), to: status(d.to) })}
          {typeof d.resolution === 'string' && d.resolution ? <q>{d.resolution}</q> : null}
        </>
      );
    case 'assignee_changed':
      return t(locale, 'hAssignee', { from: memberEmail(d.from), to: memberEmail(d.to) });
    case 'owner_changed':
      return t(locale, 'hOwner', {
        from: String(d.from ?? t(locale, 'unassigned')),
        to: String(d.to ?? t(locale, 'unassigned')),
      });
    case 'note':
      return (
        <>
          {t(locale, 'hNote')}: <span class="note-text">{String(d.note ?? '')}</span>
        </>
      );
    case 'comment_added':
      return (
        <>
          {t(locale, 'hComment')}: <q>{String(d.comment ?? '')}</q>
        </>
      );
    case 'escalated':
      return typeof d.notified === 'string'
        ? t(locale, 'hEscalated', { notified: d.notified })
        : t(locale, 'hEscalatedNobody');
    case 'rerouted':
      return t(locale, 'hRerouted', { score: String(d.score ?? ''), to: String(d.to ?? '') });
    default:
      // A kind this page does not know yet still shows, with what it recorded.
      return (
        <>
          {t(locale, 'hOther', { kind: h.kind })}
          {Object.keys(d).length > 0 ? <code class="detail">{JSON.stringify(d)}</code> : null}
        </>
      );
  }
}

const Field = (props: { id: string; label: string; hint?: string; children: ComponentChildren }) => (
  <div class="field">
    <label for={props.id}>{props.label}</label>
    {props.hint ? (
      <p class="muted hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
    ) : null}
    {props.children}
  </div>
);

export function casePage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  found: CaseDetail;
  context: CaseContext;
  members: readonly Member[];
  canWork: boolean;
  notice?: string | undefined;
  now: Date;
}): string {
  const { locale, session, csrf, found: c, context, now } = input;
  const zone = zoneOf(session);
  const customer = customerName(locale, c.contact);
  const byId = new Map(input.members.map((m) => [m.id, m.email]));
  const memberEmail = (id: unknown) =>
    typeof id === 'string' ? (byId.get(id) ?? id) : t(locale, 'unassigned');
  const properties = Object.entries(context.properties ?? {});
  const open = c.status !== 'resolved';
  return document({
    locale,
    title: t(locale, 'caseTitle', { score: String(c.response.score), customer }),
    session,
    section: 'cases',
    scripts: ['countdown'],
    children: (
      <>
        <p class="crumbs">
          <a href="/app/cases">{t(locale, 'title')}</a>
        </p>
        <h1>{t(locale, 'caseTitle', { score: String(c.response.score), customer })}</h1>
        <Notice text={input.notice} />
        <div class="case-layout">
          <div class="case-main">
            <section class="card" aria-labelledby="answer">
              <h2 id="answer">{t(locale, 'answer')}</h2>
              <p class="answer-score">
                <span class="big">{c.response.score}</span>{' '}
                <span class="tag">{segmentName(locale, context.survey.kind, c.response.score)}</span>
              </p>
              {c.response.comment ? (
                <blockquote class="comment">{c.response.comment}</blockquote>
              ) : (
                <p class="muted">{t(locale, 'noComment')}</p>
              )}
              {c.response.awaitingComment ? (
                <p class="muted">
                  {t(locale, 'awaitingComment', {
                    at: dateTime(locale, c.response.awaitingComment.until, zone),
                  })}
                </p>
              ) : null}
              {c.resolution ? (
                <p class="notice">
                  {t(locale, 'resolvedNote', {
                    at: c.resolvedAt ? dateTime(locale, c.resolvedAt, zone) : '',
                    resolution: c.resolution,
                  })}
                </p>
              ) : null}
            </section>
            <section class="card" aria-labelledby="facts">
              <h2 id="facts">{t(locale, 'facts')}</h2>
              <dl class="facts">
                <dt>{t(locale, 'status')}</dt>
                <dd>
                  <span class="tag">{t(locale, statusWord[c.status])}</span>{' '}
                  <SlaLeft
                    locale={locale}
                    status={c.status}
                    dueAt={c.dueAt}
                    resolvedAt={c.resolvedAt}
                    now={now}
                    zone={zone}
                  />
                </dd>
                <dt>{t(locale, 'due')}</dt>
                <dd>
                  <When locale={locale} at={c.dueAt} zone={zone} />
                </dd>
                <dt>{t(locale, 'assignee')}</dt>
                <dd>{context.assignee ?? t(locale, 'unassigned')}</dd>
                <dt>{t(locale, 'customer')}</dt>
                <dd>
                  {c.contact ? (
                    <a href={`/app/contacts/${encodeURIComponent(c.contact.id)}`}>{customer}</a>
                  ) : (
                    customer
                  )}
                  {c.contact?.email ? <span class="muted"> · {c.contact.email}</span> : null}
                  {c.contact?.phone ? <span class="muted"> · {c.contact.phone}</span> : null}
                </dd>
                <dt>{t(locale, 'survey')}</dt>
                <dd>
                  <a href={`/app/surveys/${context.survey.id}`}>{context.survey.name}</a>
                </dd>
                <dt>{t(locale, 'channel')}</dt>
                <dd>{c.response.channel}</dd>
                <dt>{t(locale, 'opened')}</dt>
                <dd>
                  <When locale={locale} at={c.createdAt} zone={zone} />
                </dd>
                {context.eventId ? (
                  <>
                    <dt>{t(locale, 'event')}</dt>
                    <dd>
                      <a href={`/app/events/${encodeURIComponent(context.eventId)}`}>
                        {context.eventType} · {context.eventId}
                      </a>
                    </dd>
                  </>
                ) : null}
              </dl>
            </section>
            <section class="card" aria-labelledby="props">
              <h2 id="props">{t(locale, 'properties')}</h2>
              {properties.length === 0 ? (
                <p class="muted">{t(locale, 'noProperties')}</p>
              ) : (
                <dl class="facts">
                  {properties.map(([k, v]) => (
                    <>
                      <dt key={`k-${k}`}>{k}</dt>
                      <dd key={`v-${k}`}>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                    </>
                  ))}
                </dl>
              )}
            </section>
            <section class="card" aria-labelledby="history">
              <h2 id="history">{t(locale, 'history')}</h2>
              <ol class="history">
                {c.history.map((h, i) => (
                  <li key={i}>
                    <When locale={locale} at={h.at} zone={zone} />{' '}
                    <span class="what">{historyLine(locale, h, memberEmail)}</span>{' '}
                    <span class="muted">{t(locale, 'by', { actor: actorName(locale, h.actor) })}</span>
                  </li>
                ))}
              </ol>
            </section>
            <section class="card" aria-labelledby="others">
              <h2 id="others">{t(locale, 'otherAnswers')}</h2>
              {context.otherAnswers.length === 0 ? (
                <p class="muted">{t(locale, 'noOtherAnswers')}</p>
              ) : (
                <Table
                  label={t(locale, 'otherAnswers')}
                  rows={context.otherAnswers}
                  rowKey={(a) => `${a.at.toISOString()}-${a.survey.id}`}
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
                    { header: t(locale, 'comment'), cell: (a) => a.comment ?? '—' },
                    {
                      header: t(locale, 'case'),
                      cell: (a) =>
                        a.caseId ? <a href={`/app/cases/${a.caseId}`}>{t(locale, 'view')}</a> : '—',
                    },
                  ]}
                />
              )}
              {c.contact ? (
                <p>
                  <a href={`/app/contacts/${encodeURIComponent(c.contact.id)}`}>
                    {t(locale, 'allOfContact')}
                  </a>
                </p>
              ) : null}
            </section>
          </div>
          <div class="case-side">
            <section class="card" aria-labelledby="work">
              <h2 id="work">{t(locale, 'work')}</h2>
              {!input.canWork ? (
                <p class="muted">{t(locale, 'readOnly')}</p>
              ) : (
                <>
                  <form method="post" action={`/app/cases/${c.id}/assign`} class="stack">
                    <Csrf token={csrf} />
                    <Field id="assignee" label={t(locale, 'assignTo')}>
                      <select id="assignee" name="assigneeId">
                        <option value="" selected={c.assigneeId === null}>
                          {t(locale, 'nobody')}
                        </option>
                        {input.members
                          .filter((m) => m.role !== 'viewer')
                          .map((m) => (
                            <option key={m.id} value={m.id} selected={m.id === c.assigneeId}>
                              {m.email}
                            </option>
                          ))}
                      </select>
                    </Field>
                    <button type="submit" class="secondary">
                      {t(locale, 'assign')}
                    </button>
                  </form>
                  {c.status === 'open' ? (
                    <form method="post" action={`/app/cases/${c.id}/acknowledge`} class="stack">
                      <Csrf token={csrf} />
                      <p class="muted" id="ack-hint">
                        {t(locale, 'acknowledgeHint')}
                      </p>
                      <button type="submit" class="secondary" aria-describedby="ack-hint">
                        {t(locale, 'acknowledge')}
                      </button>
                    </form>
                  ) : null}
                  <form method="post" action={`/app/cases/${c.id}/note`} class="stack">
                    <Csrf token={csrf} />
                    <Field id="note" label={t(locale, 'note')}>
                      <textarea id="note" name="note" rows={3} maxLength={5000} required />
                    </Field>
                    <button type="submit" class="secondary">
                      {t(locale, 'saveNote')}
                    </button>
                  </form>
                  {open ? (
                    <ResolveForm locale={locale} csrf={csrf} caseId={c.id} resolution="" closing="" />
                  ) : null}
                </>
              )}
            </section>
          </div>
        </div>
      </>
    ),
  });
}

function ResolveForm(props: {
  locale: Locale;
  csrf: string;
  caseId: string;
  resolution: string;
  closing: string;
  again?: boolean;
}) {
  const { locale } = props;
  return (
    <form method="post" action={`/app/cases/${props.caseId}/resolve/preview`} class="stack resolve">
      <Csrf token={props.csrf} />
      {props.again ? null : <h3>{t(locale, 'resolve')}</h3>}
      <Field id="resolution" label={t(locale, 'resolution')}>
        <textarea id="resolution" name="resolution" rows={3} maxLength={5000} required>
          {props.resolution}
        </textarea>
      </Field>
      <Field id="closing" label={t(locale, 'closingMessage')} hint={t(locale, 'closingHint')}>
        <textarea
          id="closing"
          name="closingMessage"
          rows={4}
          maxLength={1000}
          aria-describedby="closing-hint"
        >
          {props.closing}
        </textarea>
      </Field>
      <button type="submit">{t(locale, props.again ? 'previewAgain' : 'preview')}</button>
    </form>
  );
}

export type ClosingPreview = {
  channel: 'email' | 'sms';
  to: string;
  subject: string;
  html: string;
  text: string;
} | null;

/**
 * The confirmation before resolving: the resolution, and exactly the message the customer will get
 * (the email as rendered by the template that sends it, shown sandboxed; or the SMS text). Nothing is
 * sent until "Resolve and send".
 */
export function previewPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  caseId: string;
  resolution: string;
  closingMessage: string | undefined;
  message: ClosingPreview;
  /** Where the frame showing the email loads it from (its own page, with a policy for its inline styles). */
  frameSrc: string;
}): string {
  const { locale, csrf, message } = input;
  const sending = input.closingMessage !== undefined && message !== null;
  return document({
    locale,
    title: t(locale, 'previewTitle'),
    session: input.session,
    section: 'cases',
    children: (
      <>
        <p class="crumbs">
          <a href={`/app/cases/${input.caseId}`}>{t(locale, 'backToCase')}</a>
        </p>
        <h1>{t(locale, 'previewTitle')}</h1>
        <p class="notice" role="status">
          {t(locale, 'previewLead')}
        </p>
        <section class="card" aria-labelledby="p-resolution">
          <h2 id="p-resolution">{t(locale, 'previewResolution')}</h2>
          <blockquote class="comment">{input.resolution}</blockquote>
        </section>
        <section class="card" aria-labelledby="p-message">
          {input.closingMessage === undefined ? (
            <h2 id="p-message">{t(locale, 'previewNoMessage')}</h2>
          ) : message === null ? (
            <h2 id="p-message">{t(locale, 'previewUnreachable')}</h2>
          ) : (
            <>
              <h2 id="p-message">
                {t(locale, 'previewMessage', {
                  channel: t(locale, message.channel === 'email' ? 'previewEmail' : 'previewSms'),
                  to: message.to,
                })}
              </h2>
              {message.channel === 'email' ? (
                <>
                  <p>
                    <strong>{t(locale, 'subject')}:</strong>{' '}
                    <span data-testid="preview-subject">{message.subject}</span>
                  </p>
                  <iframe
                    class="mail-preview"
                    title={message.subject}
                    sandbox=""
                    src={input.frameSrc}
                    data-testid="preview-html"
                  />
                  <pre class="mail-text" data-testid="preview-text">
                    {message.text}
                  </pre>
                </>
              ) : (
                <pre class="mail-text sms" data-testid="preview-text">
                  {message.text}
                </pre>
              )}
            </>
          )}
        </section>
        <section class="card">
          <form method="post" action={`/app/cases/${input.caseId}/resolve`} class="stack">
            <Csrf token={csrf} />
            <input type="hidden" name="resolution" value={input.resolution} />
            {input.closingMessage !== undefined ? (
              <input type="hidden" name="closingMessage" value={input.closingMessage} />
            ) : null}
            <button type="submit">{t(locale, sending ? 'confirmResolveSend' : 'confirmResolve')}</button>
          </form>
        </section>
        <section class="card" aria-labelledby="edit">
          <h2 id="edit">{t(locale, 'editAgain')}</h2>
          <ResolveForm
            locale={locale}
            csrf={csrf}
            caseId={input.caseId}
            resolution={input.resolution}
            closing={input.closingMessage ?? ''}
            again
          />
        </section>
      </>
    ),
  });
}
