/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// The overview of one survey and period (/app): the score with its interval and n, marked when it is too thin to read; its change and
// whether it is significant; the trend (an echarts SVG drawn on the server, its figures in a table); segments; breakdowns by channel
// and event property; the referral funnel; overdue cases.
import type {
  Granularity,
  Locale,
  OverdueCase,
  OverviewRange,
  ReliabilitySettings,
  SurveyKind,
  SurveyOverview,
} from '@surveyflow/core';
import { t } from './overview.words.ts';
import { dateTime, Empty, Table } from './parts.tsx';

export type OverviewSurvey = { id: string; name: string; kind: SurveyKind };

export type OverviewInput = {
  locale: Locale;
  zone: string;
  publicUrl: string;
  surveys: OverviewSurvey[];
  survey: OverviewSurvey | null;
  query: {
    range: OverviewRange;
    from?: string | undefined;
    to?: string | undefined;
    granularity: Granularity;
  };
  data: SurveyOverview | null;
  /** The trend as inline SVG, wide (desktop) and narrow (phone); the page shows the one that fits. */
  charts: { wide: string; narrow: string } | null;
  overdue: { count: number; cases: OverdueCase[] };
};

type Readable = SurveyOverview['summary'];
type Group = SurveyOverview['channels']['groups'][number];

const number = (locale: Locale, x: number, digits = 1) =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(x);
const signed = (locale: Locale, x: number, digits = 1) =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(x);
const digitsOf = (kind: SurveyKind) => (kind === 'ces' ? 2 : 1);
const dash = '–';

/** Why a summary cannot be read, in the operator's language (the API's reason is English). */
function unreadableReason(locale: Locale, s: Readable, settings: ReliabilitySettings): string {
  if (s.n === 0) return t(locale, 'noAnswersReason');
  if (s.n < settings.minAnswers) return t(locale, 'fewAnswers', { n: s.n, min: settings.minAnswers });
  const width = s.ci ? s.ci.high - s.ci.low : 0;
  return t(locale, 'wideInterval', {
    width: number(locale, width, 2),
    max: number(locale, settings.maxIntervalWidth[s.kind], 2),
  });
}

function ReadMark(props: { locale: Locale; summary: Readable; settings: ReliabilitySettings }) {
  if (props.summary.reliable) return null;
  return (
    <p class="unreadable">
      <span class="tag warn">{t(props.locale, 'unreadable')}</span>{' '}
      {unreadableReason(props.locale, props.summary, props.settings)}
    </p>
  );
}

const scoreText = (locale: Locale, s: { kind: SurveyKind; score: number | null }) =>
  s.score === null ? dash : number(locale, s.score, digitsOf(s.kind));

const intervalText = (locale: Locale, s: Readable) =>
  s.ci
    ? t(locale, 'interval', {
        low: number(locale, s.ci.low, digitsOf(s.kind)),
        high: number(locale, s.ci.high, digitsOf(s.kind)),
      })
    : '';

function Filters(props: OverviewInput) {
  const { locale, query } = props;
  const ranges: [OverviewRange, string][] = [
    ['7d', t(locale, 'last7')],
    ['30d', t(locale, 'last30')],
    ['90d', t(locale, 'last90')],
    ['custom', t(locale, 'custom')],
  ];
  const grains: [Granularity, string][] = [
    ['day', t(locale, 'day')],
    ['week', t(locale, 'week')],
    ['month', t(locale, 'month')],
  ];
  return (
    <form method="get" action="/app" class="filters card" aria-label={t(locale, 'filters')}>
      <div class="field">
        <label for="ov-survey">{t(locale, 'survey')}</label>
        <select id="ov-survey" name="survey">
          {props.surveys.map((s) => (
            <option key={s.id} value={s.id} selected={s.id === props.survey?.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="ov-range">{t(locale, 'period')}</label>
        <select id="ov-range" name="range">
          {ranges.map(([value, label]) => (
            <option key={value} value={value} selected={value === query.range}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field date">
        <label for="ov-from">{t(locale, 'from')}</label>
        <input type="date" id="ov-from" name="from" value={query.from ?? ''} />
      </div>
      <div class="field date">
        <label for="ov-to">{t(locale, 'to')}</label>
        <input type="date" id="ov-to" name="to" value={query.to ?? ''} />
      </div>
      <div class="field">
        <label for="ov-granularity">{t(locale, 'granularity')}</label>
        <select id="ov-granularity" name="granularity">
          {grains.map(([value, label]) => (
            <option key={value} value={value} selected={value === query.granularity}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">{t(locale, 'apply')}</button>
    </form>
  );
}

function ScoreCard(props: { input: OverviewInput; data: SurveyOverview; survey: OverviewSurvey }) {
  const { locale, zone } = props.input;
  const { summary, comparison, settings } = props.data;
  const kind = props.survey.kind;
  const day = (d: Date) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: zone }).format(d);
  const changeDigits = digitsOf(kind);
  return (
    <section class="card score" aria-labelledby="ov-score">
      <h2 id="ov-score">
        {t(locale, 'scoreOf', { kind: t(locale, `kind_${kind}`), survey: props.survey.name })}
      </h2>
      <p class="figure">
        <strong data-testid="score">{scoreText(locale, summary)}</strong>
        <span class="muted" data-testid="interval">
          {intervalText(locale, summary)}
        </span>
        <span class="muted" data-testid="n">
          {t(locale, 'answers', { n: summary.n })}
        </span>
      </p>
      <ReadMark locale={locale} summary={summary} settings={settings} />
      <h3>{t(locale, 'change', { from: day(comparison.from), to: day(comparison.to) })}</h3>
      {comparison.change === null ? (
        <p data-testid="change">{t(locale, 'noChange')}</p>
      ) : (
        <p data-testid="change">
          {t(locale, kind === 'ces' ? 'changeCes' : 'changeBy', {
            change: signed(locale, comparison.change, changeDigits),
            low: comparison.ci ? number(locale, comparison.ci.low, changeDigits) : dash,
            high: comparison.ci ? number(locale, comparison.ci.high, changeDigits) : dash,
            p: comparison.p === null ? dash : number(locale, comparison.p, 3),
          })}{' '}
          <span class={comparison.significant ? 'tag' : 'tag quiet'}>
            {t(locale, comparison.significant ? 'significant' : 'notSignificant')}
          </span>
        </p>
      )}
      <p class="muted">
        {t(locale, 'previousWas', {
          score: scoreText(locale, comparison.summary),
          n: comparison.summary.n,
        })}
      </p>
    </section>
  );
}

function Trend(props: { input: OverviewInput; data: SurveyOverview; kind: SurveyKind }) {
  const { locale, query, charts } = props.input;
  const label = (key: string) =>
    new Intl.DateTimeFormat(locale, {
      dateStyle: query.granularity === 'month' ? undefined : 'medium',
      ...(query.granularity === 'month' ? { year: 'numeric', month: 'long' } : {}),
      timeZone: 'UTC',
    }).format(new Date(`${key}T00:00:00Z`));
  const digits = digitsOf(props.kind);
  const cell = (x: number | null | undefined) =>
    x === null || x === undefined ? dash : number(locale, x, digits);
  const alt = t(locale, 'trendAlt', {
    kind: t(locale, `kind_${props.kind}`),
    granularity: t(locale, query.granularity).toLowerCase(),
  });
  return (
    <section class="card" aria-labelledby="ov-trend">
      <h2 id="ov-trend">{t(locale, 'trend')}</h2>
      {charts ? (
        <figure class="chart">
          <div
            class="chart-wide"
            role="img"
            aria-label={alt}
            dangerouslySetInnerHTML={{ __html: charts.wide }}
          />
          <div
            class="chart-narrow"
            role="img"
            aria-label={alt}
            dangerouslySetInnerHTML={{ __html: charts.narrow }}
          />
          <figcaption class="muted">{alt}</figcaption>
        </figure>
      ) : null}
      <details>
        <summary>{t(locale, 'trendTable')}</summary>
        <Table
          label={t(locale, 'trendTable')}
          rows={props.data.trend}
          rowKey={(p) => p.key ?? ''}
          columns={[
            { header: t(locale, 'bucket'), cell: (p) => label(p.key ?? '') },
            { header: t(locale, 'score'), numeric: true, cell: (p) => cell(p.score) },
            { header: t(locale, 'low'), numeric: true, cell: (p) => cell(p.ci?.low) },
            { header: t(locale, 'high'), numeric: true, cell: (p) => cell(p.ci?.high) },
            { header: t(locale, 'n'), numeric: true, cell: (p) => String(p.n) },
          ]}
        />
      </details>
    </section>
  );
}

function Segments(props: { locale: Locale; data: SurveyOverview; surveyId: string }) {
  const { locale } = props;
  const total = props.data.summary.n;
  const share = (n: number) => (total ? `${number(locale, (n / total) * 100, 1)} %` : dash);
  const order = ['detractor', 'passive', 'promoter'] as const;
  return (
    <section class="card" aria-labelledby="ov-segments">
      <h2 id="ov-segments">{t(locale, 'segments')}</h2>
      <ul class="segments">
        {order.map((s) => (
          <li key={s} class={`seg-${s}`}>
            <a href={`/app/responses?survey=${props.surveyId}&segment=${s}`}>{t(locale, s)}</a>
            <strong data-testid={`segment-${s}`}>{props.data.segments[s]}</strong>
            <span class="muted">{share(props.data.segments[s])}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Breakdown(props: {
  locale: Locale;
  label: string;
  keyHeader: string;
  groups: Group[];
  hasMore: boolean;
  settings: ReliabilitySettings;
  keyText?: (key: string | null) => string;
}) {
  const { locale } = props;
  return (
    <>
      <Table
        label={props.label}
        rows={props.groups}
        rowKey={(g) => g.key ?? ''}
        columns={[
          {
            header: props.keyHeader,
            cell: (g) => (props.keyText ? props.keyText(g.key) : (g.key ?? t(locale, 'none'))),
          },
          { header: t(locale, 'score'), numeric: true, cell: (g) => scoreText(locale, g) },
          {
            header: t(locale, 'low'),
            numeric: true,
            cell: (g) => (g.ci ? number(locale, g.ci.low, digitsOf(g.kind)) : dash),
          },
          {
            header: t(locale, 'high'),
            numeric: true,
            cell: (g) => (g.ci ? number(locale, g.ci.high, digitsOf(g.kind)) : dash),
          },
          {
            header: t(locale, 'n'),
            numeric: true,
            cell: (g) => (
              <>
                {g.n}
                {g.reliable ? null : (
                  <span class="tag warn" title={unreadableReason(locale, g, props.settings)}>
                    {t(locale, 'unreadable')}
                  </span>
                )}
              </>
            ),
          },
        ]}
      />
      {props.hasMore ? <p class="muted">{t(locale, 'moreGroups', { n: props.groups.length })}</p> : null}
    </>
  );
}

function Breakdowns(props: { input: OverviewInput; data: SurveyOverview; survey: OverviewSurvey }) {
  const { locale, query } = props.input;
  const { data } = props;
  return (
    <>
      <section class="card" aria-labelledby="ov-channel">
        <h2 id="ov-channel">{t(locale, 'byChannel')}</h2>
        <Breakdown
          locale={locale}
          label={t(locale, 'byChannel')}
          keyHeader={t(locale, 'channel')}
          groups={data.channels.groups}
          hasMore={data.channels.hasMore}
          settings={data.settings}
        />
      </section>
      <section class="card" aria-labelledby="ov-property">
        <h2 id="ov-property">{t(locale, 'byProperty')}</h2>
        {data.propertyNames.length === 0 ? (
          <p class="muted">{t(locale, 'noProperties')}</p>
        ) : (
          <form method="get" action="/app#ov-property" class="row">
            <input type="hidden" name="survey" value={props.survey.id} />
            <input type="hidden" name="range" value={query.range} />
            {query.from ? <input type="hidden" name="from" value={query.from} /> : null}
            {query.to ? <input type="hidden" name="to" value={query.to} /> : null}
            <input type="hidden" name="granularity" value={query.granularity} />
            <div class="field">
              <label for="ov-property-name">{t(locale, 'property')}</label>
              <select id="ov-property-name" name="property">
                <option value="">{t(locale, 'chooseProperty')}</option>
                {data.propertyNames.map((name) => (
                  <option key={name} value={name} selected={name === data.property?.name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="secondary">
              {t(locale, 'apply')}
            </button>
          </form>
        )}
        {data.property ? (
          <Breakdown
            locale={locale}
            label={`${t(locale, 'byProperty')}: ${data.property.name}`}
            keyHeader={data.property.name}
            groups={data.property.groups}
            hasMore={data.property.hasMore}
            settings={data.settings}
          />
        ) : null}
      </section>
    </>
  );
}

function Funnel(props: { locale: Locale; data: SurveyOverview }) {
  const { locale } = props;
  const r = props.data.referrals;
  const steps = [
    ['promoters', r.promoters],
    ['links', r.links],
    ['clicks', r.clicks],
    ['conversions', r.conversions],
  ] as const;
  return (
    <section class="card" aria-labelledby="ov-funnel">
      <h2 id="ov-funnel">{t(locale, 'referrals')}</h2>
      <p class="muted">{t(locale, 'referralsLead')}</p>
      <ol class="funnel">
        {steps.map(([key, n], i) => {
          const prior = i > 0 ? steps[i - 1]?.[1] : undefined;
          return (
            <li key={key}>
              <span>{t(locale, key)}</span>
              <strong data-testid={`funnel-${key}`}>{n}</strong>
              {prior ? (
                <span class="muted">
                  {t(locale, 'ofBefore', { share: `${number(locale, (n / prior) * 100, 1)} %` })}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Overdue(props: { locale: Locale; zone: string; overdue: OverviewInput['overdue'] }) {
  const { locale, zone, overdue } = props;
  return (
    <section class="card" aria-labelledby="ov-overdue">
      <h2 id="ov-overdue">{t(locale, 'overdue')}</h2>
      {overdue.count === 0 ? (
        <p class="muted">{t(locale, 'noOverdue')}</p>
      ) : (
        <>
          <p data-testid="overdue-count">{t(locale, 'overdueCount', { n: overdue.count })}</p>
          <ul class="plain overdue">
            {overdue.cases.map((c) => (
              <li key={c.id}>
                <a href={`/app/cases/${c.id}`}>
                  {c.contact ? (c.contact.name ?? c.contact.email ?? c.contact.id) : t(locale, 'anonymous')}
                  {' · '}
                  {t(locale, 'scored', { n: c.score })}
                </a>
                <span class="muted">
                  {t(locale, 'due', { at: dateTime(locale, c.dueAt, zone) })}
                  {c.comment ? ` · ${c.comment.slice(0, 80)}` : ''}
                </span>
              </li>
            ))}
          </ul>
          <p>
            <a href="/app/cases?view=overdue">{t(locale, 'allOverdue')}</a>
          </p>
        </>
      )}
    </section>
  );
}

/** The command an empty overview suggests: a test event for the default trigger. */
const testEvent = (publicUrl: string) =>
  `curl -s ${publicUrl}/v1/events -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{
  "id": "test-1", "type": "order.delivered",
  "contact": { "id": "test-customer", "email": "you@example.com" } }'`;

const newSurvey = (publicUrl: string) =>
  `curl -s ${publicUrl}/v1/surveys -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{
  "kind": "nps", "name": "After delivery",
  "question": { "en": "How likely are you to recommend {company} to a friend?" } }'`;

export function Overview(props: OverviewInput) {
  const { locale, data, survey } = props;
  if (!survey) {
    return (
      <Empty title={t(locale, 'noSurveys')}>
        <p>{t(locale, 'noSurveysLead')}</p>
        <pre>{newSurvey(props.publicUrl)}</pre>
      </Empty>
    );
  }
  return (
    <>
      <Filters {...props} />
      {data && data.summary.n > 0 ? (
        <>
          <ScoreCard input={props} data={data} survey={survey} />
          <Trend input={props} data={data} kind={survey.kind} />
          <div class="columns">
            <Segments locale={locale} data={data} surveyId={survey.id} />
            <Funnel locale={locale} data={data} />
          </div>
          <Breakdowns input={props} data={data} survey={survey} />
          <p>
            <a href={`/app/responses?survey=${survey.id}`}>{t(locale, 'responsesLink')}</a>
          </p>
        </>
      ) : (
        <Empty title={t(locale, 'noAnswers')}>
          <p>{t(locale, 'noAnswersLead')}</p>
          <pre>{testEvent(props.publicUrl)}</pre>
        </Empty>
      )}
      <Overdue locale={locale} zone={props.zone} overdue={props.overdue} />
    </>
  );
}
