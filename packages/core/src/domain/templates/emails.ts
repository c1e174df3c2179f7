// Emails we send: the survey invitation (one click per score), messages that close the loop, and alerts for the team.
import { compile } from 'html-to-text';
import type { Brand } from '../branding.ts';
import { accentTokens, tokens } from '../design-tokens.ts';
import type { SurveyKind } from '../kinds.ts';
import { type Segment, scoreRange } from '../scoring.ts';
import { html, type SafeHtml } from './html.ts';
import { fill, type Locale, strings } from './locales.ts';

export type RenderedEmail = { subject: string; html: string; text: string };

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/**
 * The workspace's logo above the message, by its hosted URL (the collector's /brand/…, the same for every
 * recipient, so it tells nobody who opened what): no attachment growing every email and every stored
 * notification, and a client that blocks remote images shows the name beside it anyway.
 */
function brandHeader(brand: Brand | undefined): SafeHtml | string {
  if (!brand?.logoUrl) return '';
  return html`<tr><td style="padding:24px 24px 0 24px;"><img src="${brand.logoUrl}" alt="${brand.name}" height="40" style="display:block;height:40px;width:auto;max-width:200px;border:0;"></td></tr>`;
}

/**
 * The plain-text part, from the HTML, keeping every link so a text-only reader can still answer. Compiled once:
 * `convert` compiles its options (the selectors) on every call, which was most of an invitation's rendering time.
 */
export const textFromHtml: (markup: string) => string = compile({
  wordwrap: 78,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'table', format: 'dataTable' },
    // The score buttons: one per line in text, not eleven 70-character columns side by side.
    { selector: 'table.scale', format: 'block' },
    { selector: 'td.score', format: 'block' },
    { selector: 'img', format: 'skip' },
  ],
});

function layout(opts: {
  lang: string;
  title: string;
  body: SafeHtml;
  footer: SafeHtml | string;
  brand?: Brand | undefined;
}): string {
  return String(html`<!doctype html>
<html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<style>@media (max-width:480px){td.score{display:inline-block!important;width:15.5%!important;padding:3px 0.5%!important}td.score a{padding:14px 0!important}}</style></head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:12px;font-family:${FONT};color:#1f2430;">
${brandHeader(opts.brand)}<tr><td style="padding:28px 24px 8px 24px;">${opts.body}</td></tr>
<tr><td style="padding:8px 24px 24px 24px;font-size:12px;line-height:18px;color:#6b7280;">${opts.footer}</td></tr>
</table></td></tr></table></body></html>`);
}

export function invitationEmail(input: {
  locale: Locale;
  kind: SurveyKind;
  question: string;
  contactName: string | null;
  workspaceName: string;
  surveyUrl: string;
  /** A reminder carries the same link, says so in the subject, and asks a little more gently. */
  reminder?: boolean;
  /** The one-click unsubscribe page; also sent as the List-Unsubscribe header. */
  unsubscribeUrl?: string;
  /** The workspace's logo (absolute URL) and accent. */
  brand?: Brand | undefined;
}): RenderedEmail {
  const t = strings[input.locale];
  const { accent } = accentTokens(input.brand?.accent);
  const { min, max } = scoreRange[input.kind];
  const scores = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const width = `${Math.floor(100 / scores.length)}%`;
  const cells = scores.map(
    (s) => html`<td class="score" width="${width}" align="center" style="padding:0 2px;">
<a href="${input.surveyUrl}?score=${s}" style="display:block;padding:11px 0;border:1px solid #d5d8de;border-radius:8px;background:${tokens.field};color:${accent};font-size:16px;font-weight:700;text-decoration:none;">${s}</a></td>`,
  );
  const greeting = input.contactName ? fill(t.greeting, { name: input.contactName }) : t.greetingAnonymous;
  const body = html`<p style="margin:0 0 12px 0;font-size:15px;line-height:22px;">${greeting}</p>
<h1 style="margin:0 0 8px 0;font-size:20px;line-height:28px;font-weight:700;">${input.question}</h1>
<p style="margin:0 0 20px 0;font-size:14px;line-height:20px;color:#4b5563;">${input.reminder ? t.reminderIntro : t.emailIntro}</p>
<table class="scale" role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>${cells}</tr></table>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:8px 0 16px 0;font-size:12px;color:#6b7280;"><tr>
<td align="left">${t.scaleLow[input.kind]}</td><td align="right">${t.scaleHigh[input.kind]}</td></tr></table>`;
  const markup = layout({
    lang: input.locale,
    title: input.question,
    body,
    brand: input.brand,
    footer: html`${t.emailFooter} · ${fill(t.poweredBy, { company: input.workspaceName })}${
      input.unsubscribeUrl
        ? html` · <a href="${input.unsubscribeUrl}" style="color:#6b7280;">${t.unsubscribeLink}</a>`
        : ''
    }`,
  });
  return {
    subject:
      (input.reminder ? t.reminderPrefix : '') +
      fill(t.emailSubject[input.kind], { company: input.workspaceName }),
    html: markup,
    text: textFromHtml(markup),
  };
}

/** What the team calls a segment on each scale: "detractor" is NPS's word; a CSAT 2 of 5 is a dissatisfied customer. */
export const segmentLabels: Record<SurveyKind, Record<Segment, string>> = {
  nps: { detractor: 'Detractor', passive: 'Passive', promoter: 'Promoter' },
  csat: { detractor: 'Dissatisfied customer', passive: 'Neutral customer', promoter: 'Satisfied customer' },
  ces: { detractor: 'High-effort', passive: 'Medium-effort', promoter: 'Low-effort' },
};

const alertAdvice: Record<SurveyKind, string> = {
  nps: 'a quick, personal reply turns many detractors around.',
  csat: 'a quick, personal reply wins many dissatisfied customers back.',
  ces: 'a quick, personal reply that takes the effort off them wins many customers back.',
};

const display = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function alertEmail(input: {
  workspaceName: string;
  surveyName: string;
  kind: SurveyKind;
  score: number;
  segment: Segment;
  comment: string | null;
  contact: { externalId: string; name: string | null; email: string | null; phone: string | null };
  eventType: string | null;
  properties: Record<string, unknown>;
  answeredAt: Date;
}): RenderedEmail {
  const { max } = scoreRange[input.kind];
  const who = input.contact.name ?? input.contact.email ?? input.contact.externalId;
  const row = (label: string, value: string | null) =>
    html`<tr><td style="padding:6px 12px 6px 0;color:#6b7280;vertical-align:top;white-space:nowrap;">${label}</td><td style="padding:6px 0;">${value ?? '—'}</td></tr>`;
  const title = `${segmentLabels[input.kind][input.segment]} alert`;
  const body = html`<p style="margin:0 0 4px 0;font-size:13px;color:#b91c1c;font-weight:700;text-transform:uppercase;letter-spacing:.04em;">${title}</p>
<h1 style="margin:0 0 16px 0;font-size:22px;line-height:30px;">${who} scored ${input.score}/${max}</h1>
<blockquote style="margin:0 0 20px 0;padding:12px 16px;background:#fef2f2;border-left:4px solid #dc2626;font-size:15px;line-height:22px;white-space:pre-line;">${input.comment ?? '(no comment yet)'}</blockquote>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;line-height:20px;">
${row('Survey', `${input.surveyName} (${input.kind.toUpperCase()})`)}
${row('Answered', input.answeredAt.toISOString())}
${row('Customer', `${input.contact.name ?? ''} (id ${input.contact.externalId})`.trim())}
${row('Email', input.contact.email)}
${row('Phone', input.contact.phone)}
${row('Event', input.eventType)}
${Object.entries(input.properties).map(([k, v]) => row(k, display(v)))}
</table>`;
  const markup = layout({
    lang: 'en',
    title,
    body,
    footer: `Sent by Surveyflow to ${input.workspaceName}'s alert address. Reach out soon: ${alertAdvice[input.kind]}`,
  });
  return {
    subject: `${title}: ${input.score}/${max} from ${who} — ${input.workspaceName}`,
    html: markup,
    text: textFromHtml(markup),
  };
}

/**
 * A message to the customer after their answer (the passive's "what would make it a 10?", a
 * promoter's thank-you with a referral or review link, a case's closing note): the operator's words,
 * paragraphs kept, with an optional call-to-action button.
 */
export function customerMessageEmail(input: {
  locale: Locale;
  subject: string;
  body: string;
  workspaceName: string;
  button?: { label: string; url: string } | undefined;
  /** More calls to action after the first (a review link riding in a thank-you with a referral link). */
  buttons?: { label: string; url: string }[] | undefined;
  /** The contact's unsubscribe page, in the footer (and, by the sender, in List-Unsubscribe). */
  unsubscribeUrl?: string | undefined;
  /** The workspace's logo (absolute URL) and accent: the buttons are in the accent, their text by contrast. */
  brand?: Brand | undefined;
}): RenderedEmail {
  const t = strings[input.locale];
  const { accent, onAccent } = accentTokens(input.brand?.accent);
  const paragraphs = input.body
    .split(/\n{2,}/)
    .map((p) => html`<p style="margin:0 0 14px 0;font-size:15px;line-height:22px;">${p}</p>`);
  const buttons = [...(input.button ? [input.button] : []), ...(input.buttons ?? [])];
  const button = buttons.map(
    (b) =>
      html`<p style="margin:8px 0 18px 0;"><a href="${b.url}" style="display:inline-block;padding:12px 22px;border-radius:8px;background:${accent};color:${onAccent};font-size:15px;font-weight:700;text-decoration:none;">${b.label}</a></p>`,
  );
  const markup = layout({
    lang: input.locale,
    title: input.subject,
    body: html`${paragraphs}${button}`,
    brand: input.brand,
    footer: html`${fill(t.poweredBy, { company: input.workspaceName })}${
      input.unsubscribeUrl
        ? html` · <a href="${input.unsubscribeUrl}" style="color:#6b7280;">${t.unsubscribeLink}</a>`
        : ''
    }`,
  });
  return { subject: input.subject, html: markup, text: textFromHtml(markup) };
}

/** A short internal notice (escalations, disabled webhooks): a headline, a few facts, a sentence on what to do. */
export function noticeEmail(input: {
  title: string;
  facts: [string, string | null][];
  advice: string;
  workspaceName: string;
}): RenderedEmail {
  const row = (label: string, value: string | null) =>
    html`<tr><td style="padding:6px 12px 6px 0;color:#6b7280;vertical-align:top;white-space:nowrap;">${label}</td><td style="padding:6px 0;">${value ?? '—'}</td></tr>`;
  const markup = layout({
    lang: 'en',
    title: input.title,
    body: html`<h1 style="margin:0 0 16px 0;font-size:20px;line-height:28px;">${input.title}</h1>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;line-height:20px;">${input.facts.map(([l, v]) => row(l, v))}</table>
<p style="margin:16px 0 0 0;font-size:14px;line-height:20px;">${input.advice}</p>`,
    footer: `Sent by Surveyflow to ${input.workspaceName}.`,
  });
  return { subject: `${input.title} — ${input.workspaceName}`, html: markup, text: textFromHtml(markup) };
}
