/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Events (/app/events, /app/events/<id>): recent events with what became of each, and one event's payload, decisions and
// invitations. Also the operator's words for every planning decision, which the trigger dry run speaks too.
import type { eventView, Locale, SignedIn } from '@surveyflow/core';
import { t } from './events.words.ts';
import { document } from './layout.tsx';
import { dateTime, Empty, Pager, Table, When } from './parts.tsx';

const DAY_MS = 86_400_000;

/** "3 days ago", "in 2 days", "today", in the operator's language. */
function relativeDays(locale: Locale, at: Date, now: Date): string {
  const days = Math.round((at.getTime() - now.getTime()) / DAY_MS);
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(days, 'day');
}

/** Why a trigger made no invitation, in the operator's words, with the facts of the decision's detail. */
export function reasonText(
  locale: Locale,
  reason: string,
  detail: Record<string, unknown>,
  opts: { now: Date; zone: string },
): string {
  const str = (k: string) => (detail[k] === undefined ? '' : String(detail[k]));
  const at = (k: string) => {
    const d = new Date(str(k));
    return Number.isNaN(d.getTime()) ? str(k) : dateTime(locale, d, opts.zone);
  };
  switch (reason) {
    case 'no_trigger':
      return detail.eventTypes
        ? t(locale, 'reason_no_trigger_for', { eventTypes: str('eventTypes') })
        : t(locale, 'reason_no_trigger');
    case 'filtered_out':
      return t(locale, 'reason_filtered_out', { failed: str('failed') });
    case 'opted_out':
      return t(locale, 'reason_opted_out', { at: at('optedOutAt') });
    case 'sampled_out':
      return t(locale, 'reason_sampled_out', {
        percent: Math.round(Number(detail.sampleRate ?? 0) * 1000) / 10,
      });
    case 'duplicate_key':
      return t(locale, 'reason_duplicate_key', { dedupeKey: str('dedupeKey'), value: str('value') });
    case 'no_channel':
      return t(locale, 'reason_no_channel', { channels: str('channels').split(',').join(', ') });
    case 'expired':
      return t(locale, 'reason_expired', { at: at('sendAt'), expireAfter: str('expireAfter') });
    case 'global_rule':
    case 'throttled': {
      const previous = new Date(str('previousSendAt'));
      const days = str(reason === 'global_rule' ? 'globalContactDays' : 'throttleDays');
      const ahead = previous.getTime() > opts.now.getTime();
      const key =
        reason === 'global_rule'
          ? ahead
            ? 'reason_global_rule_ahead'
            : 'reason_global_rule'
          : ahead
            ? 'reason_throttled_ahead'
            : 'reason_throttled';
      return t(locale, key, {
        days,
        ago: relativeDays(locale, previous, opts.now),
        at: dateTime(locale, previous, opts.zone),
      });
    }
    case 'cancelled_by_event':
      return t(locale, 'reason_cancelled_by_event', { eventType: str('eventType'), byEvent: str('byEvent') });
    default:
      return t(locale, 'reason_other', { reason });
  }
}

const shortReason = (locale: Locale, reason: string) => {
  const key = `short_${reason}` as Parameters<typeof t>[1];
  const said = t(locale, key);
  return said === key ? reason : said;
};

export type EventRow = {
  externalId: string;
  type: string;
  occurredAt: Date;
  receivedAt: Date;
  contactExternalId: string;
  status: 'pending' | 'planned';
  invited: number;
  skipped: string[];
};

/** The outcome of one event in a few words: invited / skipped with reason / no trigger matched / cancelled. */
function summary(locale: Locale, e: EventRow): string {
  if (e.status === 'pending') return t(locale, 'pending');
  const parts: string[] = [];
  if (e.invited > 0)
    parts.push(e.invited === 1 ? t(locale, 'invited') : t(locale, 'invitedN', { n: e.invited }));
  const reasons = e.skipped.filter((r) => r !== 'no_trigger' && r !== 'cancelled_by_event');
  if (e.skipped.includes('cancelled_by_event')) parts.push(t(locale, 'cancelled'));
  if (reasons.length > 0)
    parts.push(t(locale, 'skipped', { why: reasons.map((r) => shortReason(locale, r)).join(', ') }));
  if (e.skipped.includes('no_trigger') && parts.length === 0) parts.push(t(locale, 'noTrigger'));
  return parts.length > 0 ? parts.join('; ') : t(locale, 'nothing');
}

/** The command that sends a test event to this instance (the empty state's next step). */
export function testEventCommand(publicUrl: string, type = 'order.delivered'): string {
  const body = {
    id: 'test-1',
    type,
    contact: { id: 'cust-1', email: 'you@example.com', name: 'Test', locale: 'en' },
    properties: { orderId: '1001', total: 129.9 },
  };
  return `curl -s ${publicUrl}/v1/events \\\n  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(body)}'`;
}

export function eventsPage(input: {
  locale: Locale;
  session: SignedIn;
  events: EventRow[];
  next: string | null;
  query: { type?: string | undefined; cursor?: string | undefined };
  publicUrl: string;
  typeError?: string | undefined;
}): string {
  const { locale, session } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  const type = input.query.type;
  return document({
    locale,
    title: t(locale, 'events'),
    session,
    section: 'events',
    children: (
      <>
        <h1>{t(locale, 'events')}</h1>
        <p class="muted">{t(locale, 'eventsLead')}</p>
        <form method="get" action="/app/events" class="row filter-bar">
          <div class="field">
            <label for="event-type">{t(locale, 'filterType')}</label>
            <input
              type="text"
              id="event-type"
              name="type"
              value={type ?? ''}
              placeholder="order.delivered"
              maxLength={100}
              aria-invalid={input.typeError ? 'true' : undefined}
              aria-describedby={input.typeError ? 'event-type-error' : undefined}
            />
            {input.typeError ? (
              <p class="field-error" id="event-type-error">
                {input.typeError}
              </p>
            ) : null}
          </div>
          <button type="submit">{t(locale, 'filterApply')}</button>
          {type ? <a href="/app/events">{t(locale, 'filterClear')}</a> : null}
        </form>
        <section class="card" aria-labelledby="events-list">
          <h2 id="events-list" class="sr-only">
            {t(locale, 'events')}
          </h2>
          {input.events.length === 0 ? (
            <Empty title={type ? t(locale, 'noEventsOfType', { type }) : t(locale, 'noEvents')}>
              <p>{t(locale, 'noEventsNext')}</p>
              <pre>
                <code>{testEventCommand(input.publicUrl, type)}</code>
              </pre>
              <p>
                {t(locale, 'keyWhere')} <a href="/app/keys">/app/keys</a>
              </p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'events')}
              rows={input.events}
              rowKey={(e) => e.externalId}
              columns={[
                {
                  header: t(locale, 'received'),
                  cell: (e) => <When locale={locale} at={e.receivedAt} zone={zone} />,
                },
                {
                  header: t(locale, 'type'),
                  cell: (e) => <a href={`/app/events/${encodeURIComponent(e.externalId)}`}>{e.type}</a>,
                },
                {
                  header: t(locale, 'contact'),
                  cell: (e) => (
                    <a href={`/app/contacts/${encodeURIComponent(e.contactExternalId)}`}>
                      {e.contactExternalId}
                    </a>
                  ),
                },
                { header: t(locale, 'outcome'), cell: (e) => summary(locale, e) },
              ]}
            />
          )}
          <Pager locale={locale} path="/app/events" query={input.query} nextCursor={input.next} />
        </section>
      </>
    ),
  });
}

type EventDetail = NonNullable<Awaited<ReturnType<typeof eventView>>>;

export function eventPage(input: {
  locale: Locale;
  session: SignedIn;
  event: EventDetail;
  now: Date;
}): string {
  const { locale, session, event, now } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  const payload = {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    contact: Object.fromEntries(
      Object.entries({
        id: event.contact.id,
        email: event.contact.email,
        phone: event.contact.phone,
        name: event.contact.name,
        locale: event.contact.locale,
        timezone: event.contact.timezone,
      }).filter(([, v]) => v !== null),
    ),
    properties: event.properties,
  };
  const outcomeWord = (o: string) =>
    o === 'invited'
      ? t(locale, 'outcome_invited')
      : o === 'cancelled'
        ? t(locale, 'outcome_cancelled')
        : t(locale, 'outcome_skipped');
  return document({
    locale,
    title: `${event.type} · ${event.id}`,
    session,
    section: 'events',
    children: (
      <>
        <p>
          <a href="/app/events">← {t(locale, 'back')}</a>
        </p>
        <h1>
          {event.type} <code class="event-id">{event.id}</code>
        </h1>
        <section class="card" aria-labelledby="event-facts">
          <h2 id="event-facts" class="sr-only">
            {t(locale, 'eventId')}
          </h2>
          <dl class="facts">
            <dt>{t(locale, 'contact')}</dt>
            <dd>
              <a href={`/app/contacts/${encodeURIComponent(event.contact.id)}`}>{event.contact.id}</a>
              {event.contact.email ? ` · ${event.contact.email}` : ''}
              {event.contact.phone ? ` · ${event.contact.phone}` : ''}
            </dd>
            <dt>{t(locale, 'occurred')}</dt>
            <dd>
              <When locale={locale} at={event.occurredAt} zone={zone} />
            </dd>
            <dt>{t(locale, 'received')}</dt>
            <dd>
              <When locale={locale} at={event.receivedAt} zone={zone} />
            </dd>
            <dt>{t(locale, 'planned')}</dt>
            <dd>
              {event.plannedAt ? (
                <When locale={locale} at={event.plannedAt} zone={zone} />
              ) : (
                t(locale, 'pending')
              )}
            </dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="decisions">
          <h2 id="decisions">{t(locale, 'decisions')}</h2>
          {event.decisions.length === 0 ? <p class="muted">{t(locale, 'noDecisions')}</p> : null}
          <ul class="plain decisions">
            {event.decisions.map((d, i) => (
              <li key={`${d.trigger?.id ?? 'none'}-${i}`} class="decision">
                <div>
                  <span class={`tag outcome-${d.outcome}`}>{outcomeWord(d.outcome)}</span>{' '}
                  {d.trigger ? (
                    <a href={`/app/triggers/${d.trigger.id}`}>{d.trigger.name ?? d.trigger.id}</a>
                  ) : d.reason === 'no_trigger' ? null : (
                    <span class="muted">{t(locale, 'deletedTrigger')}</span>
                  )}
                  {d.reason ? (
                    <p class="why">{reasonText(locale, d.reason, d.detail, { now, zone })}</p>
                  ) : null}
                  {d.invitation ? (
                    <dl class="facts invitation">
                      <dt>{t(locale, 'channel')}</dt>
                      <dd>{d.invitation.channel}</dd>
                      <dt>{t(locale, 'status')}</dt>
                      <dd>{t(locale, `status_${d.invitation.status}` as Parameters<typeof t>[1])}</dd>
                      <dt>{t(locale, 'sendAt')}</dt>
                      <dd>
                        <When locale={locale} at={d.invitation.sendAt} zone={zone} />
                      </dd>
                      {d.invitation.sentAt ? (
                        <>
                          <dt>{t(locale, 'sentAt')}</dt>
                          <dd>
                            <When locale={locale} at={d.invitation.sentAt} zone={zone} />
                          </dd>
                        </>
                      ) : null}
                      {d.invitation.failureReason ? (
                        <>
                          <dt>{t(locale, 'failure')}</dt>
                          <dd>{d.invitation.failureReason}</dd>
                        </>
                      ) : null}
                      {d.invitation.response ? (
                        <>
                          <dt>{t(locale, 'answer')}</dt>
                          <dd>
                            {t(locale, 'score', { score: d.invitation.response.score })}
                            {d.invitation.response.comment ? ` — “${d.invitation.response.comment}”` : ''}
                            {d.surveyId ? (
                              <>
                                {' · '}
                                <a href={`/app/responses?survey=${d.surveyId}`}>
                                  {t(locale, 'viewResponses')}
                                </a>
                              </>
                            ) : null}
                          </dd>
                        </>
                      ) : null}
                    </dl>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="payload">
          <h2 id="payload">{t(locale, 'payload')}</h2>
          <pre class="json">
            <code>{JSON.stringify(payload, null, 2)}</code>
          </pre>
        </section>
      </>
    ),
  });
}
