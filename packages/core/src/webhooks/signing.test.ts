// Standard Webhooks signing against the published vector, an independent HMAC, and properties.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook } from './signing.ts';

// The test vector published with the Standard Webhooks reference libraries.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: new Date(1614265330 * 1000),
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const at = (seconds: number) => new Date(seconds * 1000);
const headers = signWebhook(vector.secret, vector.msgId, vector.timestamp, vector.body);

describe('signWebhook', () => {
  it('reproduces the published test vector', () => {
    expect(headers).toEqual({
      'webhook-id': vector.msgId,
      'webhook-timestamp': '1614265330',
      'webhook-signature': vector.signature,
    });
  });

  it('matches an HMAC computed here with node:crypto, for a fresh secret and a sub-second timestamp', () => {
    const secret = newWebhookSecret();
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const body = JSON.stringify({ event: 'response.created', score: 9, note: 'zażółć ✓' });
    const expected = createHmac('sha256', key).update(`msg_1.1767225600.${body}`).digest('base64');
    expect(signWebhook(secret, 'msg_1', new Date('2026-01-01T00:00:00.999Z'), body)).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1767225600',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it("verifies with the reference library's own verify(), which reads the wall clock", () => {
    vi.useFakeTimers({ now: vector.timestamp });
    try {
      const secret = newWebhookSecret();
      const signed = signWebhook(secret, 'msg_2', new Date(), vector.body);
      expect(new Webhook(secret).verify(vector.body, signed)).toEqual({ test: 2432232314 });
      expect(() => new Webhook(secret).verify('{"test": 1}', signed)).toThrow(/No matching signature/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('new secrets are whsec_ and 32 random bytes, never the same twice', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});

describe('verifyWebhook', () => {
  const verify = (h: Record<string, string | undefined>, body = vector.body, now = vector.timestamp) =>
    verifyWebhook(vector.secret, h, body, now);

  it('accepts the test vector, with header names in any case', () => {
    expect(verify(headers)).toBe(true);
    expect(
      verify({
        'Webhook-Id': headers['webhook-id'],
        'Webhook-Timestamp': headers['webhook-timestamp'],
        'Webhook-Signature': headers['webhook-signature'],
      }),
    ).toBe(true);
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verify(headers, '{"test": 2432232315}')).toBe(false);
    expect(verify({ ...headers, 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJeK' })).toBe(false);
    expect(verify({ ...headers, 'webhook-timestamp': '1614265331' })).toBe(false);
  });

  it('rejects missing headers and a timestamp that is not whole seconds', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      expect(verify({ ...headers, [name]: undefined }), name).toBe(false);
      expect(verify({ ...headers, [name]: '' }), name).toBe(false);
    }
    expect(verify({ ...headers, 'webhook-timestamp': '1614265330.0' })).toBe(false);
    expect(verify({ ...headers, 'webhook-timestamp': '2021-02-25T15:02:10Z' })).toBe(false);
  });

  it('accepts timestamps up to the tolerance away in either direction, and nothing further', () => {
    const t = 1614265330;
    expect(verify(headers, vector.body, at(t + 300))).toBe(true);
    expect(verify(headers, vector.body, at(t - 300))).toBe(true);
    expect(verify(headers, vector.body, at(t + 301))).toBe(false);
    expect(verify(headers, vector.body, at(t - 301))).toBe(false);
    expect(verifyWebhook(vector.secret, headers, vector.body, at(t + 60), 59)).toBe(false);
    expect(verifyWebhook(vector.secret, headers, vector.body, at(t + 60), 60)).toBe(true);
  });

  it('accepts if any v1 signature in the list matches, as during a secret rotation', () => {
    const other = signWebhook(newWebhookSecret(), vector.msgId, vector.timestamp, vector.body);
    const sig = vector.signature;
    expect(verify({ ...headers, 'webhook-signature': `${other['webhook-signature']} ${sig}` })).toBe(true);
    expect(verify({ ...headers, 'webhook-signature': `${sig} v1,AAAA` })).toBe(true);
    expect(verify({ ...headers, 'webhook-signature': `${other['webhook-signature']} v1,AAAA` })).toBe(false);
  });

  it('ignores signatures of other versions and malformed entries', () => {
    const bare = vector.signature.slice(3);
    expect(verify({ ...headers, 'webhook-signature': `v2,${bare}` })).toBe(false);
    expect(verify({ ...headers, 'webhook-signature': bare })).toBe(false);
    expect(verify({ ...headers, 'webhook-signature': `v1,${bare.slice(0, -1)}` })).toBe(false);
    expect(verify({ ...headers, 'webhook-signature': 'v1, v1,' })).toBe(false);
  });

  it('property: what we sign verifies, and changing any one character of the body breaks it', () => {
    const secret = newWebhookSecret();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        (body, msgId, index, replacement) => {
          const now = new Date('2026-03-02T10:00:00Z');
          const signed = signWebhook(secret, msgId, now, body);
          expect(verifyWebhook(secret, signed, body, now)).toBe(true);
          const chars = [...body];
          const i = index % chars.length;
          fc.pre(chars[i] !== replacement);
          chars[i] = replacement;
          expect(verifyWebhook(secret, signed, chars.join(''), now)).toBe(false);
        },
      ),
    );
  });
});
