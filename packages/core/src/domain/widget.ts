// The on-site widget's pure rules: publishable keys (pk_…), the origins a key may run on, and whether a visitor is asked.
import { createHmac, randomBytes } from 'node:crypto';
import { type PastInvitation, type ThrottleReason, throttleCheck } from './rules/throttle.ts';
import { type Locale, strings } from './templates/locales.ts';
import { safeEqual } from './tokens.ts';

/** 24 random bytes after pk_: public (it sits in the shop's HTML), but not guessable from another key. */
export const newPublishableKey = () => `pk_${randomBytes(24).toString('base64url')}`;

const PK = /^pk_[A-Za-z0-9_-]{32}$/;

/** The key if the text is shaped like one (anything else is not worth a lookup), else null. */
export const parsePublishableKey = (value: unknown): string | null =>
  typeof value === 'string' && PK.test(value) ? value : null;

/**
 * An origin as a browser sends it in the Origin header: scheme://host[:port], lower-case, the default port
 * dropped. Anything else an operator might type (a path, a query, a user, another scheme, a wildcard) is null,
 * so a key's list holds only exact origins.
 */
export function normalizeOrigin(input: string): string | null {
  const text = input.trim();
  if (!/^https?:\/\/[^/?#@*\s]+\/?$/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password || !url.hostname) return null;
  return url.origin;
}

/**
 * Whether a request's Origin header is one of the key's origins. Exact comparison of the serialized
 * origin: no wildcard, no suffix match ("shop.example" does not admit "evil-shop.example"), and the
 * opaque origin "null" (sandboxed frames, file:) never matches.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  const normal = normalizeOrigin(origin);
  return normal !== null && normal === origin.toLowerCase() && allowed.includes(normal);
}

export type WidgetSkipReason = 'opted_out' | ThrottleReason;

/**
 * Whether the widget asks an identified visitor now: the same rules as every channel, in the same order —
 * opted out, the workspace's global contact rule (any survey, any channel, within globalContactDays), then
 * this survey's own window (widgetThrottleDays; an email invitation to the same survey counts).
 */
export function widgetDecision(input: {
  surveyId: string;
  optedOutAt: Date | null;
  history: readonly PastInvitation[];
  globalContactDays: number;
  throttleDays: number;
  now: Date;
}): { show: true } | { show: false; reason: WidgetSkipReason; detail: Record<string, string | number> } {
  if (input.optedOutAt) {
    return { show: false, reason: 'opted_out', detail: { optedOutAt: input.optedOutAt.toISOString() } };
  }
  const throttled = throttleCheck(
    input.history,
    {
      surveyId: input.surveyId,
      throttleDays: input.throttleDays,
      globalContactDays: input.globalContactDays,
    },
    input.now,
  );
  return throttled ? { show: false, ...throttled } : { show: true };
}

const closeLabel: Record<Locale, string> = { en: 'Close', ru: 'Закрыть', pl: 'Zamknij' };
const scoreLabel: Record<Locale, string> = { en: 'Score', ru: 'Оценка', pl: 'Ocena' };
const failedLabel: Record<Locale, string> = {
  en: 'Could not send your answer. Please try again.',
  ru: 'Не удалось отправить ответ. Попробуйте ещё раз.',
  pl: 'Nie udało się wysłać odpowiedzi. Spróbuj ponownie.',
};

/** The widget's own words in the visitor's language; the question and "why?" come from the survey. */
export function widgetTexts(locale: Locale, kind: 'nps' | 'csat' | 'ces', company: string) {
  const t = strings[locale];
  return {
    close: closeLabel[locale],
    score: scoreLabel[locale],
    low: t.scaleLow[kind],
    high: t.scaleHigh[kind],
    submit: t.submit,
    pick: t.badAnswerTitle,
    failed: failedLabel[locale],
    thanks: t.thanksTitle,
    thanksMessage: t.thanksMessage.replaceAll('{company}', company),
  };
}

/** What an anonymous visitor's answer token says: which key and survey, this one answer's id, until when. */
export type AnonymousTicket = { keyId: string; surveyId: string; nonce: string; expiresAt: number };

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(`widget:${body}`).digest('base64url');

/**
 * An anonymous visitor has no invitation row to hold a token, so the token carries its own facts, signed under
 * SECRET_KEY: nothing is stored until the answer, and the nonce makes that answer one row however often it is sent.
 */
export function anonymousToken(secret: string, ticket: Omit<AnonymousTicket, 'nonce'>): string {
  const body = Buffer.from(
    JSON.stringify({
      k: ticket.keyId,
      s: ticket.surveyId,
      n: randomBytes(12).toString('base64url'),
      e: ticket.expiresAt,
    }),
  ).toString('base64url');
  return `a.${body}.${sign(secret, body)}`;
}

/** The ticket of a token we signed, or null for anything else (forged, mangled, expired at `nowMs`). */
export function readAnonymousToken(secret: string, token: string, nowMs: number): AnonymousTicket | null {
  const [tag, body, mac, ...rest] = token.split('.');
  if (tag !== 'a' || !body || !mac || rest.length || !safeEqual(mac, sign(secret, body))) return null;
  try {
    const t = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (
      typeof t.k !== 'string' ||
      typeof t.s !== 'string' ||
      typeof t.n !== 'string' ||
      typeof t.e !== 'number'
    ) {
      return null;
    }
    return t.e > nowMs ? { keyId: t.k, surveyId: t.s, nonce: t.n, expiresAt: t.e } : null;
  } catch {
    return null;
  }
}

/**
 * A key's identity verification secret: the shop keeps it on its server and signs each visitor id with it
 * (identitySignature), so a page cannot claim to be another visitor. 32 random bytes after sfid_.
 */
export const newIdentitySecret = () => `sfid_${randomBytes(32).toString('base64url')}`;

/** What the shop computes server-side and passes to identify as `signature`: HMAC-SHA256(visitor id), hex. */
export const identitySignature = (secret: string, visitorId: string) =>
  createHmac('sha256', secret).update(visitorId, 'utf8').digest('hex');

/**
 * Whether an identify is signed by the key's secret. Compared in constant time over the whole digest (upper-case
 * hex is the same digest); anything not 64 hex digits is wrong without a comparison.
 */
export function identityVerified(secret: string, visitorId: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  return safeEqual(signature.toLowerCase(), identitySignature(secret, visitorId));
}

export type IdentityCheck = { ok: true } | { ok: false; kind: 'missing' | 'no_secret' | 'wrong' };

/**
 * Whether an identify may be believed. A key that requires verification refuses an unsigned one; a signature is
 * checked whenever one is given (so a shop can try its signing before it turns the requirement on).
 */
export function checkIdentity(
  key: { requireIdentity: boolean },
  secret: string | null,
  visitorId: string,
  signature: string | undefined,
): IdentityCheck {
  if (signature === undefined) return key.requireIdentity ? { ok: false, kind: 'missing' } : { ok: true };
  if (secret === null) return { ok: false, kind: 'no_secret' };
  return identityVerified(secret, visitorId, signature) ? { ok: true } : { ok: false, kind: 'wrong' };
}
