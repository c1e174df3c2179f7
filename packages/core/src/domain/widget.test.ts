import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DAY_MS } from './rules/throttle.ts';
import {
  anonymousToken,
  checkIdentity,
  identitySignature,
  identityVerified,
  newIdentitySecret,
  newPublishableKey,
  normalizeOrigin,
  originAllowed,
  parsePublishableKey,
  readAnonymousToken,
  widgetDecision,
} from './widget.ts';

const host = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}$/)
  // A label starting xn-- is punycode that must decode; most random ones do not, and the URL parser refuses them.
  .filter((h) => !/(^|\.)xn--/.test(h));
const origin = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    host,
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  )
  .map(([scheme, h, port]) => `${scheme}://${h}${port === undefined ? '' : `:${port}`}`);

describe('publishable keys', () => {
  test('a new key parses as itself; anything with another prefix or length does not', () => {
    for (let i = 0; i < 20; i++) {
      const key = newPublishableKey();
      expect(parsePublishableKey(key)).toBe(key);
      expect(parsePublishableKey(key.replace('pk_', 'sf_'))).toBeNull();
      expect(parsePublishableKey(`${key}x`)).toBeNull();
    }
    expect(parsePublishableKey('sf_live_system_test_key_0123456789abcdef')).toBeNull();
    expect(parsePublishableKey(undefined)).toBeNull();
  });

  test('no secret API key is ever read as a publishable key', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(parsePublishableKey(`sf_live_${s}`)).toBeNull();
      }),
    );
  });
});

describe('origins', () => {
  test('an origin normalizes to itself (default ports dropped, lower-case) and is allowed when listed', () => {
    fc.assert(
      fc.property(origin, (o) => {
        const n = normalizeOrigin(o);
        expect(n).not.toBeNull();
        expect(normalizeOrigin(n ?? '')).toBe(n);
        expect(originAllowed(n ?? '', [n ?? ''])).toBe(true);
      }),
    );
    expect(normalizeOrigin('https://Shop.Example:443/')).toBe('https://shop.example');
    expect(normalizeOrigin('http://localhost:8080')).toBe('http://localhost:8080');
  });

  test('paths, queries, users, wildcards and other schemes are not origins', () => {
    for (const bad of [
      'https://shop.example/path',
      'https://shop.example?x=1',
      'https://user@shop.example',
      'https://*.shop.example',
      'ftp://shop.example',
      'shop.example',
      'javascript:alert(1)',
      '',
    ]) {
      expect(normalizeOrigin(bad), bad).toBeNull();
    }
  });

  test('only an exact origin matches: no suffix, prefix, port or scheme slack, and never "null"', () => {
    fc.assert(
      fc.property(origin, host, (o, other) => {
        const allowed = [normalizeOrigin(o) ?? ''];
        const url = new URL(allowed[0] ?? '');
        expect(
          originAllowed(`${url.protocol}//${other}${url.hostname}${url.port ? `:${url.port}` : ''}`, allowed),
        ).toBe(other === '' || `${other}${url.hostname}` === url.hostname);
        expect(originAllowed(`${allowed[0]}.evil.example`, allowed)).toBe(false);
        expect(originAllowed(`${allowed[0]}/`, allowed)).toBe(false);
      }),
    );
    expect(originAllowed('http://127.0.0.1:3000', ['http://localhost:3000'])).toBe(false);
    expect(originAllowed('https://shop.example', ['http://shop.example'])).toBe(false);
    expect(originAllowed('null', ['null'])).toBe(false);
    expect(originAllowed(undefined, ['https://shop.example'])).toBe(false);
  });
});

describe('anonymous tokens', () => {
  const now = Date.UTC(2026, 11, 1);
  test('a token reads back until it expires; a changed or foreign one never does', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 1, max: DAY_MS }), (keyId, surveyId, ttl) => {
        const token = anonymousToken('secret-a', { keyId, surveyId, expiresAt: now + ttl });
        const read = readAnonymousToken('secret-a', token, now);
        expect(read).toMatchObject({ keyId, surveyId, expiresAt: now + ttl });
        expect(readAnonymousToken('secret-a', token, now + ttl)).toBeNull();
        expect(readAnonymousToken('secret-b', token, now)).toBeNull();
        const [tag, body, mac] = token.split('.');
        expect(readAnonymousToken('secret-a', `${tag}.${body}x.${mac}`, now)).toBeNull();
      }),
    );
  });
  test('each showing has its own nonce', () => {
    const a = readAnonymousToken(
      's',
      anonymousToken('s', { keyId: 'k', surveyId: 's', expiresAt: now + 1 }),
      now,
    );
    const b = readAnonymousToken(
      's',
      anonymousToken('s', { keyId: 'k', surveyId: 's', expiresAt: now + 1 }),
      now,
    );
    expect(a?.nonce).not.toBe(b?.nonce);
  });
});

describe('whether the widget asks', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const base = { surveyId: 's1', optedOutAt: null, history: [], globalContactDays: 0, throttleDays: 90, now };
  test('a new contact is asked; an opted-out one never', () => {
    expect(widgetDecision(base)).toEqual({ show: true });
    expect(widgetDecision({ ...base, optedOutAt: new Date('2026-01-01') })).toMatchObject({
      show: false,
      reason: 'opted_out',
    });
  });
  test('asked by email this week: the global rule holds for another survey, the survey window for the same', () => {
    const emailed = [{ surveyId: 's2', sendAt: new Date(now.getTime() - 3 * DAY_MS) }];
    expect(widgetDecision({ ...base, history: emailed, globalContactDays: 7 })).toMatchObject({
      show: false,
      reason: 'global_rule',
    });
    expect(widgetDecision({ ...base, history: emailed })).toEqual({ show: true });
    expect(
      widgetDecision({
        ...base,
        history: [{ surveyId: 's1', sendAt: new Date(now.getTime() - 3 * DAY_MS) }],
      }),
    ).toMatchObject({ show: false, reason: 'throttled' });
  });
  test('asked N days ago: shown again exactly when N ≥ the survey window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 365 }), fc.integer({ min: 1, max: 400 }), (window, days) => {
        const history = [{ surveyId: 's1', sendAt: new Date(now.getTime() - days * DAY_MS) }];
        expect(widgetDecision({ ...base, throttleDays: window, history }).show).toBe(days >= window);
      }),
    );
  });
});

describe('identity verification', () => {
  test('the signature is what the README tells a shop to compute: HMAC-SHA256 of the visitor id, hex', () => {
    const secret = newIdentitySecret();
    expect(secret).toMatch(/^sfid_[A-Za-z0-9_-]{43}$/);
    expect(identitySignature(secret, 'cust-42')).toBe(
      createHmac('sha256', secret).update('cust-42').digest('hex'),
    );
  });

  test('a signature verifies its own visitor under its own secret, and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (id, other) => {
        const secret = newIdentitySecret();
        const signature = identitySignature(secret, id);
        expect(identityVerified(secret, id, signature)).toBe(true);
        expect(identityVerified(secret, id, signature.toUpperCase())).toBe(true);
        expect(identityVerified(newIdentitySecret(), id, signature)).toBe(false);
        if (other !== id) expect(identityVerified(secret, other, signature)).toBe(false);
      }),
    );
  });

  test('anything not 64 hex digits is wrong, and a truncated signature is not accepted', () => {
    const secret = newIdentitySecret();
    const good = identitySignature(secret, 'cust-1');
    for (const bad of ['', 'abc', good.slice(0, 63), `${good}0`, `${good.slice(0, 63)}g`]) {
      expect(identityVerified(secret, 'cust-1', bad)).toBe(false);
    }
  });

  test('a key that requires it refuses an unsigned identify; a given signature is checked either way', () => {
    const secret = newIdentitySecret();
    const good = identitySignature(secret, 'cust-1');
    const required = { requireIdentity: true };
    const optional = { requireIdentity: false };
    expect(checkIdentity(required, secret, 'cust-1', undefined)).toEqual({ ok: false, kind: 'missing' });
    expect(checkIdentity(optional, secret, 'cust-1', undefined)).toEqual({ ok: true });
    expect(checkIdentity(optional, null, 'cust-1', undefined)).toEqual({ ok: true });
    expect(checkIdentity(required, secret, 'cust-1', good)).toEqual({ ok: true });
    expect(checkIdentity(optional, secret, 'cust-2', good)).toEqual({ ok: false, kind: 'wrong' });
    expect(checkIdentity(optional, null, 'cust-1', good)).toEqual({ ok: false, kind: 'no_secret' });
  });
});
