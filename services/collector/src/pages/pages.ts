// The pages respondents see: plain HTML forms that work without JavaScript, mobile first, no external assets.
import {
  type Brand,
  type ExtraAnswers,
  html,
  type Locale,
  localized,
  ratingRange,
  raw,
  type SafeHtml,
  type SurveyKind,
  type SurveyQuestion,
  scoreRange,
  strings,
  tokensCss,
  uiText,
} from '@surveyflow/core';

// The shared tokens (core's design-tokens.ts, with the workspace's accent) come first; these rules use only var(--…).
const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:16px/1.5 var(--font);display:flex;align-items:flex-start;justify-content:center;padding:24px 12px}
main{width:100%;max-width:620px;background:var(--surface);border-radius:var(--radius-card);box-shadow:var(--shadow);padding:28px 22px}
.brand{display:flex;align-items:center;gap:12px;margin:0 0 18px;font-size:13px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--muted)}
.brand img{display:block;height:40px;width:auto;max-width:180px;object-fit:contain}
h1{margin:0 0 20px;font-size:22px;line-height:1.35}
p{margin:0 0 16px}
a{color:var(--accent)}
.notice{background:var(--notice-bg);border-radius:var(--radius);padding:10px 14px;font-size:14px;color:var(--notice-text)}
fieldset{border:0;margin:0 0 8px;padding:0}
legend{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.scale{display:grid;grid-template-columns:repeat(var(--n),1fr);gap:6px}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale label{display:flex;align-items:center;justify-content:center;min-height:48px;border:1.5px solid var(--line);border-radius:var(--radius);background:var(--field);font-weight:700;font-size:17px;cursor:pointer;user-select:none;transition:background .1s,border-color .1s}
.scale label:hover{border-color:var(--accent)}
.scale input:checked+label{background:var(--accent);border-color:var(--accent);color:var(--on-accent)}
.scale input:focus-visible+label{outline:3px solid var(--focus);outline-offset:2px}
.anchors{display:flex;justify-content:space-between;gap:12px;margin:8px 0 22px;font-size:13px;color:var(--muted)}
.anchors span:last-child{text-align:right}
label.field{display:block;font-weight:600;margin:0 0 6px;font-size:15px}
textarea{width:100%;min-height:110px;padding:12px;border:1.5px solid var(--line);border-radius:var(--radius);font:inherit;resize:vertical}
textarea:focus{outline:3px solid var(--focus);border-color:var(--accent)}
.actions{display:flex;gap:12px;align-items:center;margin-top:18px}
button{appearance:none;border:0;border-radius:var(--radius);background:var(--accent);color:var(--on-accent);font:inherit;font-weight:700;padding:13px 26px;min-height:48px;cursor:pointer}
button:hover{background:var(--accent-dark)}
button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
button.secondary{background:transparent;color:var(--accent);padding:13px 10px}
.check{display:block;width:48px;height:48px;margin:4px 0 14px}
.check circle{fill:var(--notice-bg)}
.check path{stroke:var(--accent)}
.muted{color:var(--muted);font-size:14px}
.extra{margin:26px 0 0;padding:18px 0 0;border-top:1px solid var(--line)}
.extra h2{margin:0 0 14px;font-size:17px}
.extra fieldset{margin:0 0 18px}
.extra legend{position:static;width:auto;height:auto;overflow:visible;clip:auto;font-weight:600;font-size:15px;margin:0 0 8px;padding:0}
.extra .scale label{min-height:44px;font-size:16px}
.choices label{display:flex;align-items:center;gap:10px;min-height:44px;padding:0 4px;cursor:pointer}
.choices input{width:20px;height:20px;accent-color:var(--accent)}
@media (max-width:520px){
  main{padding:22px 16px}
  h1{font-size:20px}
  .scale.wrap{grid-template-columns:repeat(6,1fr)}
}`;

/** The page's header: the workspace's logo (when it has one) and name. */
function brandLine(name: string, brand: Brand | undefined): SafeHtml {
  // The name follows as text, so the logo itself is decorative (alt="" keeps screen readers from saying it twice).
  return brand?.logoUrl
    ? html`<p class="brand"><img src="${brand.logoUrl}" alt="" height="40"><span>${name}</span></p>`
    : html`<p class="brand">${name}</p>`;
}

/** Every respondent's page: the shared tokens with the workspace's accent, then the pages' own rules. */
function page(opts: { locale: Locale; title: string; body: SafeHtml; brand?: Brand | undefined }): string {
  return String(html`<!doctype html>
<html lang="${opts.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${opts.title}</title>
<style>${raw(tokensCss(opts.brand?.accent))}${raw(CSS)}</style>
</head><body><main>${opts.body}</main></body></html>`);
}

function scale(kind: SurveyKind, selected: number | null, locale: Locale): SafeHtml {
  const { min, max } = scoreRange[kind];
  const scores = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const t = strings[locale];
  // Eleven NPS buttons do not fit one row on a phone: they wrap to 6 + 5.
  return html`<fieldset><legend>${t.scaleLow[kind]} – ${t.scaleHigh[kind]}</legend>
<div class="scale${scores.length > 7 ? ' wrap' : ''}" style="--n:${scores.length}">
${scores.map(
  (s) =>
    html`<input type="radio" id="score-${s}" name="score" value="${s}" required${s === selected ? html` checked` : ''}><label for="score-${s}">${s}</label>`,
)}
</div>
<div class="anchors" aria-hidden="true"><span>${min} · ${t.scaleLow[kind]}</span><span>${max} · ${t.scaleHigh[kind]}</span></div>
</fieldset>`;
}

/** "A few more questions" in each language we speak; the questions' own labels come from the survey. */
const moreQuestions: Record<Locale, string> = {
  en: 'A few more questions (optional)',
  ru: 'Ещё несколько вопросов (по желанию)',
  pl: 'Kilka dodatkowych pytań (opcjonalnie)',
};

/**
 * The survey's extra questions after the main score: none is required, so they never block the
 * answer. Each is a fieldset with a visible legend (ratings, the choice) or a labelled text area;
 * the fields are `answers.<id>`.
 */
function extraQuestions(
  kind: SurveyKind,
  questions: readonly SurveyQuestion[],
  answers: ExtraAnswers,
  locale: Locale,
): SafeHtml | string {
  if (!questions.length) return '';
  const item = (q: SurveyQuestion) => {
    const label = localized(q.label, locale);
    const name = `answers.${q.id}`;
    if (q.type === 'text') {
      return html`<label class="field" for="q-${q.id}">${label}</label>
<textarea id="q-${q.id}" name="${name}" maxlength="2000">${typeof answers[q.id] === 'string' ? answers[q.id] : ''}</textarea>`;
    }
    if (q.type === 'choice') {
      return html`<fieldset><legend>${label}</legend><div class="choices">
${q.options.map(
  (o) =>
    html`<label><input type="radio" name="${name}" value="${o.id}"${answers[q.id] === o.id ? html` checked` : ''}> ${localized(o.label, locale)}</label>`,
)}
</div></fieldset>`;
    }
    const { min, max } = ratingRange(kind, q);
    const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    return html`<fieldset><legend>${label} <span class="muted">(${min}–${max})</span></legend>
<div class="scale${values.length > 7 ? ' wrap' : ''}" style="--n:${values.length}">
${values.map(
  (v) =>
    html`<input type="radio" id="q-${q.id}-${v}" name="${name}" value="${v}"${answers[q.id] === v ? html` checked` : ''}><label for="q-${q.id}-${v}">${v}</label>`,
)}
</div></fieldset>`;
  };
  return html`<section class="extra" aria-labelledby="more"><h2 id="more">${moreQuestions[locale]}</h2>
${questions.map(item)}</section>`;
}

export function surveyPage(input: {
  locale: Locale;
  kind: SurveyKind;
  question: string;
  workspaceName: string;
  actionUrl: string;
  selected: number | null;
  comment: string | null;
  notice: string | null;
  /** Set when the score came from the email's one-click link: the page then records it by itself. */
  autoSubmitNonce?: string | undefined;
  questions?: readonly SurveyQuestion[];
  answers?: ExtraAnswers;
  /** The workspace's logo and accent. */
  brand?: Brand | undefined;
}): string {
  const t = strings[input.locale];
  return page({
    locale: input.locale,
    brand: input.brand,
    title: input.question,
    body: html`${brandLine(input.workspaceName, input.brand)}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
<form method="post" action="${input.actionUrl}">
<h1 id="q">${input.question}</h1>
${scale(input.kind, input.selected, input.locale)}
<label class="field" for="comment">${t.commentLabel}</label>
<textarea id="comment" name="comment" maxlength="5000">${input.comment ?? ''}</textarea>
${extraQuestions(input.kind, input.questions ?? [], input.answers ?? {}, input.locale)}
<div class="actions"><button type="submit">${t.submit}</button></div>
</form>${input.autoSubmitNonce ? autoSubmit(input.autoSubmitNonce) : ''}`,
  });
}

/**
 * One click in the email should be the whole answer, but a link scanner's GET must record nothing.
 * So the page itself posts the preselected score, only once it is on a screen a person looks at
 * (visible, and a moment later), and not if the person starts changing the answer or typing. Scanners
 * that run scripts open every score of the email at once: the server sees that and records nothing
 * (the page then asks to confirm). Without JavaScript the Send button does the same.
 */
function autoSubmit(nonce: string): SafeHtml {
  return html`<script nonce="${nonce}">${raw(`(function () {
  var form = document.querySelector('form');
  var timer = null;
  function send() {
    var auto = document.createElement('input');
    auto.type = 'hidden';
    auto.name = 'auto';
    auto.value = '1';
    form.appendChild(auto);
    form.submit();
  }
  function arm() {
    if (document.visibilityState !== 'visible' || timer) return;
    timer = setTimeout(send, 2500);
  }
  function cancel() { clearTimeout(timer); timer = 'cancelled'; }
  form.addEventListener('input', cancel);
  form.addEventListener('focusin', cancel);
  document.addEventListener('visibilitychange', arm);
  arm();
})();`)}</script>`;
}

export function followupPage(input: {
  locale: Locale;
  question: string;
  actionUrl: string;
  score: number;
  workspaceName: string;
  kind?: SurveyKind;
  questions?: readonly SurveyQuestion[];
  answers?: ExtraAnswers;
  /** The workspace's logo and accent. */
  brand?: Brand | undefined;
}): string {
  const t = strings[input.locale];
  return page({
    locale: input.locale,
    brand: input.brand,
    title: input.question,
    body: html`${brandLine(input.workspaceName, input.brand)}
<p class="notice" role="status">${t.followupThanks}</p>
<form method="post" action="${input.actionUrl}">
<input type="hidden" name="score" value="${input.score}">
<label class="field" for="comment"><h1>${input.question}</h1></label>
<textarea id="comment" name="comment" maxlength="5000" required autofocus></textarea>
${input.kind ? extraQuestions(input.kind, input.questions ?? [], input.answers ?? {}, input.locale) : ''}
<div class="actions"><button type="submit">${t.submit}</button>
<button type="submit" class="secondary" formnovalidate name="skip" value="1">${t.skip}</button></div>
</form>`,
  });
}

export function thanksPage(input: {
  locale: Locale;
  workspaceName: string;
  editableUntil: Date | null;
  /** The respondent's zone (else the workspace's) for showing the deadline. */
  timeZone: string;
  actionUrl: string;
  brand?: Brand | undefined;
}): string {
  const t = strings[input.locale];
  const until = input.editableUntil
    ? new Intl.DateTimeFormat(input.locale, {
        hour: '2-digit',
        minute: '2-digit',
        timeZone: input.timeZone,
        timeZoneName: 'short',
      }).format(input.editableUntil)
    : null;
  return page({
    locale: input.locale,
    brand: input.brand,
    title: t.thanksTitle,
    body: html`${brandLine(input.workspaceName, input.brand)}
<svg class="check" viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="24"/><path d="M15 24.5l6 6 12-13" fill="none" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>
<h1>${t.thanksTitle}</h1>
<p>${uiText(input.locale, 'thanksMessage', { company: input.workspaceName })}</p>
${until ? html`<p class="muted">${uiText(input.locale, 'changeUntil', { time: until })} <a href="${input.actionUrl}">${t.changeAnswer}</a></p>` : ''}`,
  });
}

export function messagePage(input: {
  locale: Locale;
  title: string;
  message: string;
  brand?: Brand | undefined;
}): string {
  return page({
    locale: input.locale,
    brand: input.brand,
    title: input.title,
    body: html`<h1>${input.title}</h1><p>${input.message}</p>`,
  });
}

/** Unsubscribe: confirm (GET shows a button, so a link scanner changes nothing), done (with undo), undone. */
export function unsubscribePage(input: {
  locale: Locale;
  workspaceName: string;
  actionUrl: string;
  state: 'confirm' | 'done' | 'undone';
  brand?: Brand | undefined;
}): string {
  const t = strings[input.locale];
  const vars = { company: input.workspaceName };
  const body =
    input.state === 'confirm'
      ? html`<h1>${uiText(input.locale, 'unsubscribeTitle', vars)}</h1>
<form method="post" action="${input.actionUrl}"><div class="actions"><button type="submit">${t.unsubscribeButton}</button></div></form>`
      : input.state === 'done'
        ? html`<h1>${t.unsubscribedTitle}</h1><p>${uiText(input.locale, 'unsubscribedMessage', vars)}</p>
<form method="post" action="${input.actionUrl}/undo"><div class="actions"><button type="submit" class="secondary">${t.undoButton}</button></div></form>`
        : html`<h1>${t.resubscribedTitle}</h1><p>${uiText(input.locale, 'resubscribedMessage', vars)}</p>`;
  return page({
    locale: input.locale,
    brand: input.brand,
    title: t.unsubscribeLink,
    body: html`${brandLine(input.workspaceName, input.brand)}${body}`,
  });
}
