// Standard Webhooks signatures (standardwebhooks.com) through the spec's own `standardwebhooks` library.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** 256 random bits, in the form every Standard Webhooks library accepts. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function seconds(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  return Math.floor(ms / 1000);
}

/** The library takes a whsec_ secret or the bare base64 after the prefix, as the spec allows. */
const sign = (secret: string, msgId: string, timestamp: Date, body: string) =>
  new Webhook(secret).sign(msgId, timestamp, body);

export function signWebhook(secret: string, msgId: string, timestamp: Date, body: string): WebhookHeaders {
  const ts = seconds(timestamp);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(secret, msgId, new Date(ts * 1000), body),
  };
}

/** Header names are case-insensitive; Node lower-cases them, other callers may not. */
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

const sameText = (a: string, b: string) =>
  Buffer.byteLength(a) === Buffer.byteLength(b) && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * True when any `v1,` signature in the space-separated list matches and the timestamp is within
 * `toleranceSeconds` of `now` either way (the bound itself still passes). Other versions are ignored.
 * The library's own verify() reads the wall clock with a fixed five minutes; ours takes the caller's
 * clock and tolerance and insists on whole seconds, so the window is checked here and the signature
 * is the library's.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const msgId = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!msgId || !timestamp || !signatures || !/^\d{1,15}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(seconds(now) - ts) > toleranceSeconds) return false;
  const expected = sign(secret, msgId, new Date(ts * 1000), body);
  return signatures.split(' ').some((entry) => entry.startsWith('v1,') && sameText(entry, expected));
}
