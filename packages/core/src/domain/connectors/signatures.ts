// Platform webhook signatures: an HMAC of the exact bytes received, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64';

export function hmacDigest(
  secret: string,
  message: string | Buffer,
  algorithm: HmacAlgorithm = 'sha256',
  encoding: DigestEncoding = 'base64',
): string {
  return createHmac(algorithm, secret).update(message).digest(encoding);
}

/**
 * True when `signature` is the HMAC of `message`. The comparison is over the decoded digests, in
 * constant time; a malformed or missing signature is simply false. Hex is compared case-insensitively
 * (platforms differ), base64 exactly as decoded.
 */
export function verifyHmac(
  secret: string,
  message: string | Buffer,
  signature: string | undefined,
  algorithm: HmacAlgorithm = 'sha256',
  encoding: DigestEncoding = 'base64',
): boolean {
  if (!signature || !secret) return false;
  const expected = createHmac(algorithm, secret).update(message).digest();
  const given = decodeDigest(signature.trim(), encoding);
  return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

function decodeDigest(text: string, encoding: DigestEncoding): Buffer | null {
  if (encoding === 'hex')
    return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : null;
  // Strict: Buffer.from ignores junk in base64, so a re-encoding must give back the same text.
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  return canonical === text || canonical.replace(/=+$/, '') === text ? bytes : null;
}

/** Shopify: X-Shopify-Hmac-Sha256 is base64 HMAC-SHA256 of the raw body with the app's client secret. */
export const verifyShopify = (secret: string, rawBody: string | Buffer, header: string | undefined) =>
  verifyHmac(secret, rawBody, header, 'sha256', 'base64');

/** WooCommerce: X-WC-Webhook-Signature is base64 HMAC-SHA256 of the raw body with the webhook's secret. */
export const verifyWooCommerce = verifyShopify;

/** How far a Zendesk signature timestamp may be from our clock (either way). */
export const ZENDESK_REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * Zendesk: X-Zendesk-Webhook-Signature is base64 HMAC-SHA256 of (timestamp + body), the timestamp
 * being X-Zendesk-Webhook-Signature-Timestamp (ISO 8601). A timestamp outside the replay window fails
 * even with a good signature: a captured request cannot be replayed later.
 */
export function verifyZendesk(
  secret: string,
  rawBody: string,
  signature: string | undefined,
  timestamp: string | undefined,
  now: Date,
  windowMs = ZENDESK_REPLAY_WINDOW_MS,
): boolean {
  if (!timestamp) return false;
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at) || Math.abs(now.getTime() - at) > windowMs) return false;
  return verifyHmac(secret, `${timestamp}${rawBody}`, signature, 'sha256', 'base64');
}
