// The weekly digest email: each survey's score with its interval, the change against the week before and whether it is significant, drivers, themes, overdue cases, and the trend as an inline PNG.
import type { SurveyKind } from '../kinds.ts';
import type { Interval } from '../scoring.ts';
import type { ScoreChange } from '../statistics/compare.ts';
import { svgToPng, type TrendPoint, trendChartSvg } from './chart.ts';
import { type RenderedEmail, textFromHtml } from './emails.ts';
import { html } from './html.ts';

export type DigestSurvey = {
  id: string;
  name: string;
  kind: SurveyKind;
  current: { n: number; score: number | null; ci: Interval | null };
  previous: { n: number; score: number | null; ci: Interval | null };
  change: ScoreChange;
  trend: TrendPoint[];
  /** Event property values whose score differs significantly from the rest (Benjamini–Hochberg), largest impact first. */
  drivers: {
    property: string;
    value: string;
    n: number;
    score: number | null;
    gap: number;
    significant: boolean;
  }[];
  themes: { term: string; mentions: number; detractorShare: number; rising: boolean }[];
};

export type DigestData = {
  workspaceName: string;
  /** The local dates the week began and ended (inclusive), e.g. 2026-11-23 and 2026-11-29. */
  week: { from: string; to: string };
  surveys: DigestSurvey[];
  overdue: {
    count: number;
    oldest: { surveyName: string; score: number; owner: string | null; dueAt: Date }[];
  };
  consoleUrl: string;
};

const CHART_WIDTH = 560;
const CHART_HEIGHT = 220;

const unit: Record<SurveyKind, string> = {
  nps: 'NPS',
  csat: '% satisfied (4–5 of 5)',
  ces: 'mean effort (1–7)',
};
const points: Record<SurveyKind, string> = { nps: 'points', csat: 'points', ces: 'scale points' };

/** 12.5 → "12.5", −3 → "−3.0" (a real minus sign); CES keeps two decimals. */
export function formatScore(kind: SurveyKind, x: number): string {
  return x.toFixed(kind === 'ces' ? 2 : 1).replace('-', '−');
}
const signed = (kind: SurveyKind, x: number) => (x > 0 ? `+${formatScore(kind, x)}` : formatScore(kind, x));
const formatP = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** "NPS 32.0 (95 % CI 12.1 to 48.3), n = 45" — the words the email and its tests share. */
export function scoreLine(kind: SurveyKind, s: DigestSurvey['current']): string {
  if (s.score === null) return `no answers (n = ${s.n})`;
  const ci = s.ci ? ` (95 % CI ${formatScore(kind, s.ci.low)} to ${formatScore(kind, s.ci.high)})` : '';
  return `${unit[kind]} ${formatScore(kind, s.score)}${ci}, n = ${s.n}`;
}

/** "−8.0 points against the week before (95 % CI −15.2 to −0.8, p = 0.031): significant". */
export function changeLine(kind: SurveyKind, c: ScoreChange): string {
  if (c.change === null) return 'no change to report: one of the two weeks has no answers';
  const ci = c.ci ? `95 % CI ${formatScore(kind, c.ci.low)} to ${formatScore(kind, c.ci.high)}, ` : '';
  const p = c.p === null ? 'no test possible' : formatP(c.p);
  const verdict = c.significant ? 'significant' : 'not significant';
  return `${signed(kind, c.change)} ${points[kind]} against the week before (${ci}${p}): ${verdict}`;
}

/** The chart's content id for survey i; the HTML shows it as <img src="cid:…">. */
export const chartCid = (i: number) => `trend-${i}@surveyflow`;

export async function digestEmail(data: DigestData): Promise<
  RenderedEmail & {
    attachments: { filename: string; contentType: string; cid: string; contentBase64: string }[];
  }
> {
  const attachments = [];
  for (const [i, s] of data.surveys.entries()) {
    const { png } = await svgToPng(
      await trendChartSvg(s.kind, s.trend, CHART_WIDTH, CHART_HEIGHT),
      CHART_WIDTH,
    );
    attachments.push({
      filename: `trend-${i + 1}.png`,
      contentType: 'image/png',
      cid: chartCid(i),
      contentBase64: png.toString('base64'),
    });
  }
  const section = (s: DigestSurvey, i: number) => html`
<h2 style="margin:24px 0 4px 0;font-size:18px;line-height:26px;">${s.name} <span style="color:#6b7280;font-weight:400;">(${s.kind.toUpperCase()})</span></h2>
<p style="margin:0 0 4px 0;font-size:15px;line-height:22px;"><strong>${scoreLine(s.kind, s.current)}</strong></p>
<p style="margin:0 0 4px 0;font-size:14px;line-height:20px;color:${s.change.significant && (s.change.change ?? 0) < 0 ? '#b91c1c' : '#1f2430'};">${changeLine(s.kind, s.change)}</p>
<p style="margin:0 0 8px 0;font-size:13px;line-height:18px;color:#6b7280;">The week before: ${scoreLine(s.kind, s.previous)}</p>
<img src="cid:${chartCid(i)}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" alt="${`${s.name}: the score week by week, with its 95 % interval as a band`}" style="display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto;border:0;">
<h3 style="margin:12px 0 4px 0;font-size:14px;">Drivers</h3>
${
  s.drivers.length
    ? html`<ul style="margin:0;padding-left:20px;font-size:14px;line-height:20px;">${s.drivers.map(
        (d) =>
          html`<li>${d.property} = ${d.value}: ${d.score === null ? '—' : formatScore(s.kind, d.score)} (${signed(s.kind, d.gap)} against the rest, n = ${d.n})</li>`,
      )}</ul>`
    : html`<p style="margin:0;font-size:14px;color:#6b7280;">No event property value differs significantly from the rest this week.</p>`
}
<h3 style="margin:12px 0 4px 0;font-size:14px;">What comments talk about</h3>
${
  s.themes.length
    ? html`<ul style="margin:0;padding-left:20px;font-size:14px;line-height:20px;">${s.themes.map(
        (t) =>
          html`<li>“${t.term}”: ${t.mentions} comments, ${Math.round(t.detractorShare * 100)} % of them from detractors${t.rising ? ' — rising sharply' : ''}</li>`,
      )}</ul>`
    : html`<p style="margin:0;font-size:14px;color:#6b7280;">Too few comments this week for themes to stand out.</p>`
}`;
  const overdue = data.overdue.count
    ? html`<p style="margin:0 0 8px 0;font-size:14px;"><strong>${data.overdue.count} overdue</strong> (past their SLA, not resolved). Oldest:</p>
<ul style="margin:0;padding-left:20px;font-size:14px;line-height:20px;">${data.overdue.oldest.map(
        (c) =>
          html`<li>${c.surveyName}, score ${c.score}, ${c.owner ? `owner ${c.owner}` : 'no owner'}, due ${c.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</li>`,
      )}</ul>`
    : html`<p style="margin:0;font-size:14px;">No overdue cases.</p>`;
  const title = `Weekly digest ${data.week.from} – ${data.week.to}`;
  const markup = String(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:608px;background:#ffffff;border-radius:12px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2430;">
<tr><td style="padding:28px 24px 8px 24px;">
<p style="margin:0 0 4px 0;font-size:13px;color:#4f46e5;font-weight:700;text-transform:uppercase;letter-spacing:.04em;">${data.workspaceName}</p>
<h1 style="margin:0 0 8px 0;font-size:22px;line-height:30px;">${title}</h1>
${data.surveys.length ? data.surveys.map(section) : html`<p style="font-size:14px;">No surveys yet.</p>`}
<h2 style="margin:24px 0 8px 0;font-size:18px;">Cases</h2>
${overdue}
<p style="margin:24px 0 0 0;font-size:14px;"><a href="${data.consoleUrl}" style="color:#4f46e5;">Open the console</a></p>
</td></tr>
<tr><td style="padding:8px 24px 24px 24px;font-size:12px;line-height:18px;color:#6b7280;">Intervals are 95 %. A change is significant when its two-sided p-value is below 0.05 (NPS: difference of two NPS values; CSAT: two proportions; CES: Welch's t-test). You get this digest because you turned it on for ${data.workspaceName}.</td></tr>
</table></td></tr></table></body></html>`);
  return {
    subject: `${title} — ${data.workspaceName}`,
    html: markup,
    text: textFromHtml(markup),
    attachments,
  };
}
