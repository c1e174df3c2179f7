// The kiosk page (/k/:code): a tablet in a shop answered by one customer after another. Full-screen, large score
// buttons, an optional comment, a thank-you, back to the start. Plain forms without JavaScript; with it, the page
// keeps answers through a network loss (widget/kiosk.js).
import { readFileSync } from 'node:fs';
import {
  html,
  type Locale,
  raw,
  type SafeHtml,
  type SurveyKind,
  scoreRange,
  strings,
} from '@surveyflow/core';

const kioskScript = readFileSync(new URL('../widget/kiosk.js', import.meta.url), 'utf8');

/** Seconds the thank-you stays before the page is back at the start; the comment step waits longer. */
export const THANKS_SECONDS = 5;
const COMMENT_SECONDS = 60;

const offlineNote: Record<Locale, string> = {
  en: 'No network: answers are kept on this tablet and sent when it is back.',
  ru: 'Нет сети: ответы сохранены на планшете и будут отправлены, когда она появится.',
  pl: 'Brak sieci: odpowiedzi są zapisane na tablecie i zostaną wysłane, gdy wróci.',
};

const CSS = `
*{box-sizing:border-box}
html,body{height:100%}
body{margin:0;background:#f4f5f7;color:#1f2430;font:18px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;-webkit-user-select:none;user-select:none}
main{min-height:100%;display:flex;flex-direction:column;justify-content:center;align-items:center;padding:24px 16px;text-align:center}
.brand{margin:0 0 12px;font-size:14px;font-weight:600;letter-spacing:.05em;text-transform:uppercase;color:#4b5563}
h1{margin:0 auto 28px;font-size:clamp(22px,4.2vw,40px);line-height:1.25;max-width:30ch}
section{width:100%;max-width:1100px}
.scores{display:grid;grid-template-columns:repeat(var(--n),1fr);gap:clamp(6px,1.2vw,14px)}
.scores button{min-height:clamp(64px,13vw,120px);border:2px solid #c9ced6;border-radius:16px;background:#fff;color:#1f2430;font:inherit;font-size:clamp(22px,3.6vw,40px);font-weight:800;cursor:pointer;touch-action:manipulation}
.scores button:active{background:#4f46e5;border-color:#4f46e5;color:#fff}
.anchors{display:flex;justify-content:space-between;gap:16px;margin:12px 0 0;font-size:15px;color:#4b5563}
h1 label{display:block}
textarea{width:100%;max-width:760px;min-height:160px;padding:16px;border:2px solid #c9ced6;border-radius:14px;font:inherit;resize:vertical;-webkit-user-select:text;user-select:text}
.actions{display:flex;flex-wrap:wrap;gap:16px;justify-content:center;margin-top:20px}
.actions button,.actions a{display:inline-flex;align-items:center;justify-content:center;min-height:64px;min-width:180px;padding:0 32px;border:0;border-radius:14px;background:#4f46e5;color:#fff;font:inherit;font-weight:700;text-decoration:none;cursor:pointer}
.actions .secondary{background:#fff;color:#3730a3;border:2px solid #c7d2fe}
button:focus-visible,a:focus-visible,textarea:focus-visible{outline:4px solid #818cf8;outline-offset:3px}
.check{width:96px;height:96px;margin:0 auto 16px;display:block}
.note{margin:24px 0 0;font-size:15px;color:#92400e;background:#fef3c7;border-radius:10px;padding:10px 14px}
[hidden]{display:none!important}
@media (max-width:640px){.scores.wrap{grid-template-columns:repeat(6,1fr)}}
@media (prefers-reduced-motion:no-preference){.scores button{transition:background .1s,border-color .1s}}`;

type Frame = {
  locale: Locale;
  title: string;
  brand: string;
  body: SafeHtml;
  refresh?: { seconds: number; url: string };
};

function frame(f: Frame): string {
  return String(html`<!doctype html>
<html lang="${f.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
${f.refresh ? html`<meta http-equiv="refresh" content="${f.refresh.seconds};url=${f.refresh.url}">` : ''}
<title>${f.title}</title>
<style>${raw(CSS)}</style>
</head><body><main><p class="brand">${f.brand}</p>${f.body}</main></body></html>`);
}

const thanksBody = (locale: Locale, company: string) => {
  const t = strings[locale];
  return html`<svg class="check" viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="24" fill="#e0e7ff"/><path d="M15 24.5l6 6 12-13" fill="none" stroke="#4338ca" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>
<h1 tabindex="-1">${t.thanksTitle}</h1><p>${t.thanksMessage.replaceAll('{company}', company)}</p>`;
};

export type KioskPage = {
  locale: Locale;
  kind: SurveyKind;
  question: string;
  followup: string;
  company: string;
  brand: string;
  actionUrl: string;
  /** This answer's id: the same answer sent twice is recorded once. */
  answerKey: string;
  nonce: string;
};

/** The start: the question and one large button per score; with the page's script, the comment and thanks steps too. */
export function kioskStartPage(p: KioskPage): string {
  const t = strings[p.locale];
  const { min, max } = scoreRange[p.kind];
  const scores = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  return frame({
    locale: p.locale,
    title: p.question,
    brand: p.brand,
    body: html`<section id="start">
<form method="post" action="${p.actionUrl}">
<input type="hidden" name="key" value="${p.answerKey}">
<h1 id="q">${p.question}</h1>
<div class="scores${scores.length > 7 ? ' wrap' : ''}" role="group" aria-labelledby="q" style="--n:${scores.length}">
${scores.map((s) => html`<button type="submit" name="score" value="${s}">${s}</button>`)}
</div>
<div class="anchors" aria-hidden="true"><span>${min} · ${t.scaleLow[p.kind]}</span><span>${max} · ${t.scaleHigh[p.kind]}</span></div>
</form></section>
<section id="why" hidden><form>
<h1><label for="kiosk-comment">${p.followup}</label></h1>
<textarea id="kiosk-comment" name="comment" maxlength="5000"></textarea>
<div class="actions"><button type="submit">${t.submit}</button><button type="button" class="secondary" data-skip>${t.skip}</button></div>
</form></section>
<section id="thanks" hidden>${thanksBody(p.locale, p.company)}</section>
<p class="note" id="offline" role="status" hidden>${offlineNote[p.locale]}</p>
<script nonce="${p.nonce}" data-thanks-seconds="${THANKS_SECONDS}" data-comment-seconds="${COMMENT_SECONDS}">${raw(kioskScript)}</script>`,
  });
}

/** Without JavaScript, after the score: the "why?" (optional), back to the start on its own after a minute. */
export function kioskCommentPage(p: Omit<KioskPage, 'nonce'> & { score: number }): string {
  const t = strings[p.locale];
  return frame({
    locale: p.locale,
    title: p.followup,
    brand: p.brand,
    refresh: { seconds: COMMENT_SECONDS, url: p.actionUrl },
    body: html`<section><form method="post" action="${p.actionUrl}">
<input type="hidden" name="key" value="${p.answerKey}">
<input type="hidden" name="score" value="${p.score}">
<h1><label for="kiosk-comment">${p.followup}</label></h1>
<textarea id="kiosk-comment" name="comment" maxlength="5000"></textarea>
<div class="actions"><button type="submit">${t.submit}</button><a class="secondary" href="${p.actionUrl}">${t.skip}</a></div>
</form></section>`,
  });
}

/** The thank-you, back to the start after a few seconds (a meta refresh: no script needed). */
export function kioskThanksPage(p: {
  locale: Locale;
  company: string;
  brand: string;
  actionUrl: string;
}): string {
  return frame({
    locale: p.locale,
    title: strings[p.locale].thanksTitle,
    brand: p.brand,
    refresh: { seconds: THANKS_SECONDS, url: p.actionUrl },
    body: html`<section>${thanksBody(p.locale, p.company)}</section>`,
  });
}
