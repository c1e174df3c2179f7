// Standard Webhooks signatures (standardwebhooks.com): HMAC-SHA256 over "id.timestamp.body" with a whsec_ secret.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

const SECRET_PREFIX = 'whsec_';

/** 256 random bits, in the form every Standard Webhooks library accepts. */
export const newWebhookSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** The HMAC key is the base64 after the prefix; libraries also accept the bare base64, so we do too. */
function keyOf(secret: string): Buffer {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  if (key.length === 0) throw new RangeError('webhook secret is empty');
  return key;
}

function seconds(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  return Math.floor(ms / 1000);
}

const signature = (key: Buffer, msgId: string, timestamp: number, body: string) =>
  createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`).digest('base64');

export function signWebhook(secret: string, msgId: string, timestamp: Date, body: string): WebhookHeaders {
  const ts = seconds(timestamp);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${signature(keyOf(secret), msgId, ts, body)}`,
  };
}

/** Header names are case-insensitive; Node lower-cases them, other callers may not. */
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/**
 * True when any `v1,` signature in the space-separated list matches and the timestamp is within
 * `toleranceSeconds` of `now` either way (the bound itself still passes). Other versions are ignored.
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
  const expected = Buffer.from(signature(keyOf(secret), msgId, ts, body));
  return signatures
    .split(' ')
    .some((entry) => entry.startsWith('v1,') && sameBytes(Buffer.from(entry.slice(3)), expected));
}
