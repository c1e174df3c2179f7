/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Locations (/app/surveys/locations): each place's permanent QR code, its answer and kiosk links, and kiosk mode on or
// off — the same locations as /v1/locations, beside the surveys they ask.
import type { Locale, SignedIn } from '@surveyflow/core';
import { Csrf, document } from './layout.tsx';
import { t } from './locations.words.ts';
import { Empty, Notice, Table } from './parts.tsx';

export type LocationRow = {
  id: string;
  name: string;
  survey: { id: string; name: string } | null;
  deviceLimitHours: number;
  kiosk: boolean;
  url: string;
  kioskUrl: string | null;
};

export function locationsPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  rows: readonly LocationRow[];
  canManage: boolean;
  notice?: string | undefined;
}): string {
  const { locale } = input;
  return document({
    locale,
    title: t(locale, 'title'),
    session: input.session,
    section: 'surveys',
    children: (
      <>
        <p>
          <a href="/app/surveys">{t(locale, 'back')}</a>
        </p>
        <h1>{t(locale, 'title')}</h1>
        <p class="muted">{t(locale, 'lead')}</p>
        <Notice text={input.notice} />
        {input.canManage ? null : <p class="notice">{t(locale, 'readOnly')}</p>}
        <section class="card" aria-labelledby="location-list">
          <h2 id="location-list" class="sr-only">
            {t(locale, 'title')}
          </h2>
          {input.rows.length === 0 ? (
            <Empty title={t(locale, 'none')}>
              <p>{t(locale, 'noneNext')}</p>
            </Empty>
          ) : (
            <Table
              label={t(locale, 'title')}
              rows={input.rows}
              rowKey={(l) => l.id}
              columns={[
                {
                  header: t(locale, 'name'),
                  cell: (l) => (
                    <>
                      <strong>{l.name}</strong>
                      <br />
                      <span class="muted">{t(locale, 'deviceLimit', { hours: l.deviceLimitHours })}</span>
                    </>
                  ),
                },
                {
                  header: t(locale, 'survey'),
                  cell: (l) => (l.survey ? <a href={`/app/surveys/${l.survey.id}`}>{l.survey.name}</a> : '—'),
                },
                {
                  header: t(locale, 'code'),
                  cell: (l) => (
                    <span class="qr">
                      <img
                        src={`/app/locations/${l.id}/qr.svg`}
                        alt={t(locale, 'qrAlt', { name: l.name })}
                        width={96}
                        height={96}
                      />
                      <a href={`/app/locations/${l.id}/qr.svg`} download={`${l.name}.svg`}>
                        {t(locale, 'svg')}
                      </a>{' '}
                      <a href={`/app/locations/${l.id}/qr.png`} download={`${l.name}.png`}>
                        {t(locale, 'png')}
                      </a>
                    </span>
                  ),
                },
                {
                  header: t(locale, 'links'),
                  cell: (l) => (
                    <ul class="location-links">
                      <li>
                        {t(locale, 'link')}: <a href={l.url}>{l.url}</a>
                      </li>
                      {l.kioskUrl ? (
                        <li>
                          {t(locale, 'kioskLink')}: <a href={l.kioskUrl}>{l.kioskUrl}</a>
                        </li>
                      ) : null}
                    </ul>
                  ),
                },
                {
                  header: t(locale, 'kiosk'),
                  cell: (l) => (
                    <>
                      <p class="kiosk-state" data-kiosk={l.kiosk ? 'on' : 'off'}>
                        {l.kiosk ? t(locale, 'kioskOn') : t(locale, 'kioskOff')}
                      </p>
                      {input.canManage ? (
                        <form method="post" action={`/app/locations/${l.id}/kiosk`}>
                          <Csrf token={input.csrf} />
                          <input type="hidden" name="kiosk" value={l.kiosk ? 'off' : 'on'} />
                          <button
                            type="submit"
                            class="secondary"
                            aria-label={t(locale, l.kiosk ? 'turnOffFor' : 'turnOnFor', { name: l.name })}
                          >
                            {t(locale, l.kiosk ? 'turnOff' : 'turnOn')}
                          </button>
                        </form>
                      ) : null}
                    </>
                  ),
                },
              ]}
            />
          )}
        </section>
        <p class="hint">{t(locale, 'kioskHint')}</p>
      </>
    ),
  });
}
