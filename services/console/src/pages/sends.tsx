/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// List sends (/app/sends): the workspace's sends with their progress, a form to start one from a CSV, and a
// send's own page with its counts by reason, its bad rows by line, and pause, resume and cancel.

import type { Locale, SendView, SignedIn } from '@surveyflow/core';
import { Csrf, document } from './layout.tsx';
import { Empty, Notice, Pager, Table, When } from './parts.tsx';
import { sendsWords as w } from './sends.words.ts';

const fileOf = (s: SendView) => s.fileName ?? s.id.slice(0, 8);

function Progress({ locale, send }: { locale: Locale; send: SendView }) {
  const { read, planned } = send.progress;
  const text = w(locale, 'planned', { planned, read });
  return (
    <span class="send-progress">
      <progress max={Math.max(read, 1)} value={planned} aria-label={text}>
        {text}
      </progress>
      <span>{text}</span>
    </span>
  );
}

const StateTag = ({ locale, send }: { locale: Locale; send: SendView }) => (
  <span class={`tag state-${send.state}`}>
    {w(locale, `state.${send.state}`)}
    {send.dryRun ? ` · ${w(locale, 'dry')}` : ''}
  </span>
);

export function sendsPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  sends: SendView[];
  next: string | null;
  cursor?: string | undefined;
  surveys: { id: string; name: string }[];
  canManage: boolean;
  notice?: string | undefined;
}): string {
  const { locale, session, csrf } = input;
  const zone = session.workspace?.timezone ?? 'UTC';
  return document({
    locale,
    title: w(locale, 'title'),
    session,
    section: 'sends',
    scripts: ['sends'],
    children: (
      <>
        <h1>{w(locale, 'title')}</h1>
        <Notice text={input.notice} />
        <section
          class="card"
          aria-labelledby="sends-list"
          id="live"
          data-state={input.sends.some((s) => s.state === 'running') ? 'running' : 'still'}
        >
          <h2 id="sends-list">{w(locale, 'list')}</h2>
          {input.sends.length === 0 ? (
            <Empty title={w(locale, 'empty')}>
              <p class="muted">{w(locale, 'emptyHint')}</p>
            </Empty>
          ) : (
            <Table
              label={w(locale, 'list')}
              rows={input.sends}
              rowKey={(s) => s.id}
              columns={[
                {
                  header: w(locale, 'file'),
                  cell: (s) => (
                    <a href={`/app/sends/${s.id}`} aria-label={w(locale, 'openLabel', { file: fileOf(s) })}>
                      {fileOf(s)}
                    </a>
                  ),
                },
                { header: w(locale, 'state'), cell: (s) => <StateTag locale={locale} send={s} /> },
                { header: w(locale, 'progress'), cell: (s) => <Progress locale={locale} send={s} /> },
                { header: w(locale, 'invited'), numeric: true, cell: (s) => s.progress.invited },
                {
                  header: w(locale, 'started'),
                  cell: (s) => <When locale={locale} at={s.createdAt} zone={zone} />,
                },
              ]}
            />
          )}
          <Pager locale={locale} path="/app/sends" query={{ cursor: input.cursor }} nextCursor={input.next} />
        </section>
        {input.canManage ? (
          <section class="card" aria-labelledby="new-send">
            <h2 id="new-send">{w(locale, 'newSend')}</h2>
            {input.surveys.length === 0 ? (
              <p class="muted">{w(locale, 'noSurveys')}</p>
            ) : (
              <form method="post" action="/app/sends" enctype="multipart/form-data" class="new-send">
                <Csrf token={csrf} />
                <div class="field">
                  <label for="send-survey">{w(locale, 'survey')}</label>
                  <select id="send-survey" name="surveyId" required>
                    {input.surveys.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                </div>
                <fieldset class="channels">
                  <legend>{w(locale, 'channels')}</legend>
                  <div class="field">
                    <label for="send-channel-1">{w(locale, 'first')}</label>
                    <select id="send-channel-1" name="channel" required>
                      <option value="email">{w(locale, 'email')}</option>
                      <option value="sms">{w(locale, 'sms')}</option>
                    </select>
                  </div>
                  <div class="field">
                    <label for="send-channel-2">{w(locale, 'second')}</label>
                    <select id="send-channel-2" name="channel">
                      <option value="">{w(locale, 'none')}</option>
                      <option value="sms">{w(locale, 'sms')}</option>
                      <option value="email">{w(locale, 'email')}</option>
                    </select>
                  </div>
                </fieldset>
                <div class="field">
                  <label for="send-at">{w(locale, 'at')}</label>
                  <input type="datetime-local" id="send-at" name="at" aria-describedby="send-at-hint" />
                  <p class="muted" id="send-at-hint">
                    {w(locale, 'atHint', { zone })}
                  </p>
                </div>
                <div class="check">
                  <input type="checkbox" id="send-dry" name="dryRun" value="true" />
                  <label for="send-dry">{w(locale, 'dryRun')}</label>
                </div>
                {/* The file last: the fields before it arrive first, so the upload streams straight into staging. */}
                <div class="field">
                  <label for="send-file">{w(locale, 'csv')}</label>
                  <input
                    type="file"
                    id="send-file"
                    name="file"
                    accept=".csv,text/csv"
                    required
                    aria-describedby="send-file-hint"
                  />
                  <p class="muted" id="send-file-hint">
                    {w(locale, 'csvHint')}
                  </p>
                </div>
                <button type="submit">{w(locale, 'start')}</button>
              </form>
            )}
          </section>
        ) : (
          <p class="muted">{w(locale, 'readOnly')}</p>
        )}
      </>
    ),
  });
}

export function sendPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  send: SendView;
  canManage: boolean;
  notice?: string | undefined;
}): string {
  const { locale, session, csrf, send } = input;
  const p = send.progress;
  const firstBad = send.firstBad ?? [];
  const zone = session.workspace?.timezone ?? 'UTC';
  const action = (name: 'pause' | 'resume' | 'cancel') => (
    <form method="post" action={`/app/sends/${send.id}/${name}`} class="inline">
      <Csrf token={csrf} />
      <button type="submit" class={name === 'cancel' ? 'danger' : undefined}>
        {w(locale, name)}
      </button>
    </form>
  );
  const counts: [string, number][] = [
    [w(locale, 'read'), p.read],
    [w(locale, 'invited'), p.invited],
    [w(locale, 'skipped'), p.skipped],
    [w(locale, 'bad'), p.bad],
    [w(locale, 'pending'), p.pending],
    [w(locale, 'sent'), p.sent],
    [w(locale, 'answered'), p.answered],
  ];
  const reasons = Object.entries(p.skippedByReason).map(([reason, n]) => ({ reason, n }));
  return document({
    locale,
    title: w(locale, 'sendTitle', { file: fileOf(send) }),
    session,
    section: 'sends',
    scripts: ['sends'],
    children: (
      <>
        <p>
          <a href="/app/sends">{w(locale, 'back')}</a>
        </p>
        <h1>{w(locale, 'sendTitle', { file: fileOf(send) })}</h1>
        <Notice text={input.notice} />
        <section class="card" aria-labelledby="send-progress" id="live" data-state={send.state}>
          <h2 id="send-progress">{w(locale, 'progress')}</h2>
          <p>
            <StateTag locale={locale} send={send} /> <When locale={locale} at={send.createdAt} zone={zone} />
          </p>
          <Progress locale={locale} send={send} />
          <dl class="send-counts">
            {counts.map(([label, n]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{n}</dd>
              </div>
            ))}
          </dl>
          {reasons.length ? (
            <Table
              label={w(locale, 'byReason')}
              rows={reasons}
              rowKey={(r) => r.reason}
              columns={[
                { header: w(locale, 'reason'), cell: (r) => <code>{r.reason}</code> },
                { header: w(locale, 'rows'), numeric: true, cell: (r) => r.n },
              ]}
            />
          ) : null}
          {input.canManage && (send.state === 'running' || send.state === 'paused') ? (
            <div class="send-actions">
              {send.state === 'running' ? action('pause') : action('resume')}
              {action('cancel')}
            </div>
          ) : null}
        </section>
        <section class="card" aria-labelledby="bad-rows">
          <h2 id="bad-rows">{w(locale, 'badRows')}</h2>
          {firstBad.length === 0 ? (
            <p class="muted">{w(locale, 'noBad')}</p>
          ) : (
            <>
              <Table
                label={w(locale, 'badRows')}
                rows={firstBad}
                rowKey={(b) => String(b.line)}
                columns={[
                  { header: w(locale, 'line'), numeric: true, cell: (b) => b.line },
                  { header: w(locale, 'contact'), cell: (b) => b.contactId ?? '—' },
                  { header: w(locale, 'reason'), cell: (b) => b.reason },
                ]}
              />
              {p.bad > firstBad.length ? (
                <p class="muted">{w(locale, 'moreBad', { n: firstBad.length, id: send.id })}</p>
              ) : null}
            </>
          )}
        </section>
      </>
    ),
  });
}
