// Platform signatures: an independent HMAC by each documented algorithm, Zendesk's published test secret, and properties.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hmacDigest,
  verifyHmac,
  verifyShopify,
  verifyWooCommerce,
  verifyZendesk,
  ZENDESK_REPLAY_WINDOW_MS,
} from './signatures.ts';

const independent = (secret: string, message: string) =>
  createHmac('sha256', secret).update(message).digest('base64');

/** Zendesk signs "Test webhook" requests with this documented static secret. */
const ZENDESK_TEST_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

describe('Shopify and WooCommerce', () => {
  const body = '{"id":820982911946154508,"email":"jon@example.com"}';
  it('accept base64 HMAC-SHA256 of the raw body, and nothing else', () => {
    const signature = independent('shpss_secret', body);
    expect(verifyShopify('shpss_secret', body, signature)).toBe(true);
    expect(verifyWooCommerce('shpss_secret', body, signature)).toBe(true);
    expect(verifyShopify('other', body, signature)).toBe(false);
    expect(verifyShopify('shpss_secret', `${body} `, signature)).toBe(false);
    expect(verifyShopify('shpss_secret', body, undefined)).toBe(false);
    expect(verifyShopify('shpss_secret', body, signature.toUpperCase())).toBe(false);
    expect(verifyShopify('shpss_secret', body, `${signature}junk`)).toBe(false);
  });
  it('accept the same digest without its base64 padding or with whitespace around it', () => {
    const signature = independent('shpss_secret', body);
    expect(signature.endsWith('=')).toBe(true);
    expect(verifyShopify('shpss_secret', body, signature.replace(/=+$/, ''))).toBe(true);
    expect(verifyShopify('shpss_secret', body, ` ${signature}\t`)).toBe(true);
    // The padding replaced by a space (fast-check found this one): trimmed, it is the unpadded digest.
    expect(verifyShopify('shpss_secret', body, `${signature.slice(0, -1)} `)).toBe(true);
    expect(verifyShopify('shpss_secret', body, `${signature.slice(0, -1)}A`)).toBe(false);
  });
});

describe('Zendesk', () => {
  const body = '{"ticket":{"id":"35436","status":"Solved"}}';
  const timestamp = '2026-12-02T02:00:00Z';
  const now = new Date('2026-12-02T02:01:00Z');
  it("accepts base64 HMAC-SHA256 of timestamp + body with Zendesk's test secret", () => {
    const signature = independent(ZENDESK_TEST_SECRET, timestamp + body);
    expect(verifyZendesk(ZENDESK_TEST_SECRET, body, signature, timestamp, now)).toBe(true);
    // The body alone (no timestamp) is not what Zendesk signs.
    expect(
      verifyZendesk(ZENDESK_TEST_SECRET, body, independent(ZENDESK_TEST_SECRET, body), timestamp, now),
    ).toBe(false);
  });
  it('refuses a good signature outside the replay window, either way, and a missing timestamp', () => {
    const signature = independent(ZENDESK_TEST_SECRET, timestamp + body);
    const late = new Date(Date.parse(timestamp) + ZENDESK_REPLAY_WINDOW_MS + 1000);
    const early = new Date(Date.parse(timestamp) - ZENDESK_REPLAY_WINDOW_MS - 1000);
    expect(verifyZendesk(ZENDESK_TEST_SECRET, body, signature, timestamp, late)).toBe(false);
    expect(verifyZendesk(ZENDESK_TEST_SECRET, body, signature, timestamp, early)).toBe(false);
    expect(verifyZendesk(ZENDESK_TEST_SECRET, body, signature, undefined, now)).toBe(false);
    expect(verifyZendesk(ZENDESK_TEST_SECRET, body, signature, 'yesterday', now)).toBe(false);
  });
});

describe('properties', () => {
  const secret = fc.string({ minLength: 1, maxLength: 40 });
  const message = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a));
  const algorithm = fc.constantFrom('sha1' as const, 'sha256' as const, 'sha512' as const);
  const encoding = fc.constantFrom('hex' as const, 'base64' as const);

  it('the signature of a message verifies, in every algorithm and encoding', () => {
    fc.assert(
      fc.property(secret, message, algorithm, encoding, (s, m, a, e) => {
        expect(verifyHmac(s, m, hmacDigest(s, m, a, e), a, e)).toBe(true);
      }),
    );
  });

  it('any byte of the body changed → rejected', () => {
    fc.assert(
      fc.property(
        secret,
        message,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        algorithm,
        encoding,
        (s, m, at, flip, a, e) => {
          const signature = hmacDigest(s, m, a, e);
          const changed = Buffer.from(m);
          const i = at % changed.length;
          changed[i] = (changed[i] ?? 0) ^ flip;
          expect(verifyHmac(s, changed, signature, a, e)).toBe(false);
        },
      ),
    );
  });

  it('any character of the signature changed → rejected (never a throw, whatever the length)', () => {
    fc.assert(
      fc.property(
        secret,
        message,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        encoding,
        (s, m, at, c, e) => {
          const signature = hmacDigest(s, m, 'sha256', e);
          const i = at % signature.length;
          const changed = signature.slice(0, i) + c + signature.slice(i + 1);
          // Same digest, other spelling: hex in another case, base64 without its padding or with
          // whitespace around it (a header value is trimmed) — those are accepted on purpose.
          const spelling = (t: string) =>
            e === 'hex' ? t.trim().toLowerCase() : t.trim().replace(/=+$/, '');
          fc.pre(spelling(changed) !== spelling(signature));
          expect(verifyHmac(s, m, changed, 'sha256', e)).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(secret, message, fc.string({ maxLength: 200 }), (s, m, junk) => {
        fc.pre(junk !== hmacDigest(s, m));
        expect(verifyHmac(s, m, junk)).toBe(false);
      }),
    );
  });

  it('a signature off only in its last byte, or a byte short, is refused (compared as whole digests)', () => {
    // Digests are compared with crypto.timingSafeEqual only at equal length (it would throw otherwise).
    const digest = hmacDigest('k', 'body', 'sha256', 'hex');
    const lastChanged = digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0');
    expect(verifyHmac('k', 'body', lastChanged, 'sha256', 'hex')).toBe(false);
    expect(verifyHmac('k', 'body', digest.slice(0, -2), 'sha256', 'hex')).toBe(false);
  });
});
