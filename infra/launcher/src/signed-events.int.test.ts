// Signed events: once a workspace has an event-signing secret, only events signed with it (Standard Webhooks) are accepted.
import { signWebhook } from '@surveyflow/core';
import { describe, expect } from 'vitest';
import { SHOP_KEY, test } from './testing.ts';

describe('signed events', () => {
  test('with a secret set, unsigned, wrongly signed, stale or tampered events are 401; signed ones are accepted', async ({
    shop,
  }) => {
    const { system, api } = shop;
    const body = (id: string) =>
      JSON.stringify({ id, type: 'order.delivered', contact: { id: 'c-1', email: 'eve@example.com' } });
    const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
      system.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization: `Bearer ${SHOP_KEY}`, 'content-type': 'application/json', ...headers },
      });
    expect((await post('/v1/events', body('before'))).statusCode).toBe(202);
    const created = await api('POST', '/v1/workspace/event-signing-secret');
    expect(created.statusCode).toBe(201);
    const { secret } = created.json();
    expect(secret).toMatch(/^whsec_/);
    expect((await api('GET', '/v1/workspace')).json().signedEvents).toBe(true);

    const unsigned = await post('/v1/events', body('o-1'));
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error.code).toBe('invalid_signature');
    const now = new Date();
    const signed = (payload: string, at = now, key = secret) => signWebhook(key, 'msg_1', at, payload);
    expect(
      (
        await post(
          '/v1/events',
          body('o-1'),
          signed(body('o-1'), now, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (await post('/v1/events', body('o-1'), signed(body('o-1'), new Date(now.getTime() - 600_000))))
        .statusCode,
    ).toBe(401);
    expect((await post('/v1/events', body('o-2'), signed(body('o-1')))).statusCode).toBe(401);
    const ok = await post('/v1/events', body('o-1'), signed(body('o-1')));
    expect(ok.statusCode).toBe(202);
    const batch = JSON.stringify({ events: [JSON.parse(body('o-3'))] });
    expect((await post('/v1/events/batch', batch)).statusCode).toBe(401);
    expect((await post('/v1/events/batch', batch, signed(batch))).statusCode).toBe(202);
    // Nothing unsigned got in.
    expect(
      (await system.ctx.database.sql`select external_id from events order by external_id`).map(
        (r) => r.external_id,
      ),
    ).toEqual(['before', 'o-1', 'o-3']);

    // Bad JSON is still a 400 naming the body, and prototype poisoning is refused.
    const broken = await post('/v1/events', '{"id":', signed('{"id":'));
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details[0].field).toBe('body');
    const poisoned = '{"__proto__":{"admin":true}}';
    expect((await post('/v1/events', poisoned, signed(poisoned))).statusCode).toBe(400);

    // Switched off, unsigned events are taken again (other processes: within the key cache's 30 s).
    // A leaked key alone cannot switch signing off or rotate the secret: that too must be signed.
    expect((await api('DELETE', '/v1/workspace/event-signing-secret')).statusCode).toBe(401);
    expect((await api('POST', '/v1/workspace/event-signing-secret')).statusCode).toBe(401);
    const off = await system.app.inject({
      method: 'DELETE',
      url: '/v1/workspace/event-signing-secret',
      headers: { authorization: `Bearer ${SHOP_KEY}`, ...signed('') },
    });
    expect(off.statusCode).toBe(204);
    expect((await post('/v1/events', body('after'))).statusCode).toBe(202);
  });
});
