// API keys in the console on the whole system: created with a scope and shown once, listed without the key, revoked at
// once on every process; only admins and owners may, and every form needs its CSRF token.
import { createHmac } from 'node:crypto';
import { findPublishableKey, verifyIdentity } from '@surveyflow/core';
import { describe, expect } from 'vitest';
import { consoleAgent, linkFromMail, OWNER, signedInOwner } from './console-agent.ts';
import { type Shop, test } from './testing.ts';

const withKey = (shop: Shop, key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  shop.system.app.inject({
    method,
    url,
    ...(payload ? { payload } : {}),
    headers: { authorization: `Bearer ${key}` },
  });

const event = (id: string) => ({
  id,
  type: 'order.delivered',
  occurredAt: new Date().toISOString(),
  contact: { id: 'c-1', email: 'c-1@example.com' },
});

describe('API keys in the console', () => {
  test('an owner creates an events:write key: shown once, it sends events and reads nothing, listed without the key, revoked at once', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    // API keys is a settings tab, shown to those who may manage keys.
    const team = await owner.get('/app/team');
    expect(team.body).toContain('href="/app/keys"');

    const created = await owner.submit('/app/keys', '/app/keys', {
      name: 'Shop backend',
      scopes: 'events:write',
    });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('it will not be shown again');
    const key = /data-testid="new-key">(sf_live_[^<]+)</.exec(created.body)?.[1] ?? '';
    expect(key).toMatch(/^sf_live_/);

    expect((await withKey(shop, key, 'POST', '/v1/events', event('keys-1'))).statusCode).toBe(202);
    const read = await withKey(shop, key, 'GET', '/v1/responses');
    expect(read.statusCode).toBe(403);
    expect(read.json().error.code).toBe('missing_scope');

    // The list names the key, its scope and prefix, and who made it; never the key itself.
    const list = await owner.get('/app/keys');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Shop backend');
    expect(list.body).toContain(`${key.slice(0, 12)}…`);
    expect(list.body).toContain(OWNER);
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain('will not be shown again');
    const [row] = await shop.system.ctx.database.sql<
      { id: string; scopes: string[]; created_by: string | null }[]
    >`select id, scopes, created_by from api_keys where name = 'Shop backend'`;
    expect(row?.scopes).toEqual(['events:write']);
    expect(row?.created_by).not.toBeNull();

    // The key works (it is cached now); revoked in the console, it is refused on the very next request.
    expect((await withKey(shop, key, 'POST', '/v1/events', event('keys-2'))).statusCode).toBe(202);
    const revoked = await owner.postFrom('/app/keys', `/app/keys/${row?.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/app/keys?done=revoked');
    expect((await withKey(shop, key, 'POST', '/v1/events', event('keys-3'))).statusCode).toBe(401);
    const after = await owner.get('/app/keys?done=revoked');
    expect(after.body).toContain('Key revoked.');
    expect(after.body).toContain('revoked');
    expect(after.body).not.toContain(`action="/app/keys/${row?.id}/revoke"`);

    const audit = await shop.system.ctx.database
      .sql`select action, actor_kind, actor_label from audit_log where action like 'api_key.%' and target_id = ${row?.id ?? ''} order by id`;
    expect(audit).toEqual([
      { action: 'api_key.create', actor_kind: 'user', actor_label: OWNER },
      { action: 'api_key.revoke', actor_kind: 'user', actor_label: OWNER },
    ]);
  });

  test('an owner creates a publishable key for the widget: listed with its script tag, a bad origin named, revoked at once', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
    const bad = await owner.submit('/app/keys', '/app/keys/publishable', {
      name: 'Shop site',
      surveyIds: survey.id,
      allowedOrigins: 'https://shop.example/checkout',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('allowedOrigins.0');

    const created = await owner.submit('/app/keys', '/app/keys/publishable', {
      name: 'Shop site',
      surveyIds: survey.id,
      allowedOrigins: 'https://shop.example\r\nhttp://localhost:8080',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/app/keys?done=pk-created');
    const [row] = await shop.system.ctx.database.sql<
      { id: string; key: string; allowed_origins: string[] }[]
    >`
      select id, key, allowed_origins from publishable_keys`;
    expect(row?.allowed_origins).toEqual(['https://shop.example', 'http://localhost:8080']);
    const list = await owner.get('/app/keys?done=pk-created');
    expect(list.body).toContain('Publishable key created');
    expect(list.body).toContain(`data-key=&quot;${row?.key}&quot;`);
    // The pk_ key opens no API route.
    expect((await withKey(shop, row?.key ?? '', 'GET', '/v1/responses')).statusCode).toBe(401);

    // Identity verification from the console: a secret shown once, then signed identifies required.
    expect(list.body).toContain('Off: anyone with the key can say who the visitor is.');
    expect(list.body).not.toContain(`action="/app/keys/publishable/${row?.id}/require-identity"`);
    const made = await owner.postFrom('/app/keys', `/app/keys/publishable/${row?.id}/identity-secret`);
    expect(made.statusCode).toBe(200);
    expect(made.headers['cache-control']).toBe('no-store');
    const secret = /data-testid="identity-secret">([^<]+)</.exec(made.body)?.[1] ?? '';
    expect(secret).toMatch(/^sfid_/);
    expect((await owner.get('/app/keys')).body).not.toContain(secret);
    const required = await owner.submit('/app/keys', `/app/keys/publishable/${row?.id}/require-identity`, {
      require: 'on',
    });
    expect(required.headers.location).toBe('/app/keys?done=pk-identity-required');
    expect((await owner.get('/app/keys')).body).toContain(
      'Required: an identify without a valid signature shows nothing.',
    );
    expect((await shop.api('GET', '/v1/publishable-keys')).json().data[0]).toMatchObject({
      requireIdentity: true,
      hasIdentitySecret: true,
    });
    // What the widget API checks: the shop's server signs with the secret the page showed.
    const link = await findPublishableKey(shop.system.ctx.database, row?.key ?? '');
    if (!link) throw new Error('the key is gone');
    const sign = (id: string) => createHmac('sha256', secret).update(id).digest('hex');
    const secretKey = shop.system.ctx.config.SECRET_KEY;
    expect(() => verifyIdentity(link, { id: 'cust-1', signature: sign('cust-1') }, secretKey)).not.toThrow();
    expect(() => verifyIdentity(link, { id: 'cust-1', signature: sign('cust-2') }, secretKey)).toThrow();
    expect(() => verifyIdentity(link, { id: 'cust-1' }, secretKey)).toThrow(/visitor.signature|signature/);
    const notOnOff = await owner.submit('/app/keys', `/app/keys/publishable/${row?.id}/require-identity`, {
      require: 'maybe',
    });
    expect(notOnOff.statusCode).toBe(400);
    expect(notOnOff.body).toContain('require');

    const revoked = await owner.postFrom('/app/keys', `/app/keys/publishable/${row?.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/app/keys?done=pk-revoked');
    const after = await owner.get('/app/keys');
    expect(after.body).not.toContain(`action="/app/keys/publishable/${row?.id}/revoke"`);
    const audit = await shop.system.ctx.database
      .sql`select action from audit_log where action like 'publishable_key.%' order by id`;
    expect(audit).toEqual([
      { action: 'publishable_key.create' },
      { action: 'publishable_key.identity_secret' },
      { action: 'publishable_key.update' },
      { action: 'publishable_key.revoke' },
    ]);
  });

  test('the last admin key cannot be revoked; an agent is refused; no CSRF token, no key; no scope, no key', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    // The Shop's own key is its only admin key: the API's refusal, in the console.
    const [shopKey] = await shop.system.ctx.database.sql<
      { id: string }[]
    >`select id from api_keys where 'admin' = any(scopes)`;
    const last = await owner.postFrom('/app/keys', `/app/keys/${shopKey?.id}/revoke`);
    expect(last.statusCode).toBe(409);
    expect(last.body).toContain('last admin key');
    expect((await shop.api('GET', '/v1/api-keys')).statusCode).toBe(200);

    const forged = await owner.postWithoutToken('/app/keys', { name: 'forged', scopes: 'admin' });
    expect(forged.statusCode).toBe(403);
    const noScope = await owner.submit('/app/keys', '/app/keys', { name: 'nothing' });
    expect(noScope.statusCode).toBe(400);
    expect(noScope.body).toContain('scopes');
    const count = await shop.system.ctx.database.sql`select name from api_keys order by created_at`;
    expect(count.map((k) => k.name)).not.toContain('forged');
    expect(count.map((k) => k.name)).not.toContain('nothing');

    // An agent: no link, and the page and its forms are refused on the server.
    const before = smtp.messages.length;
    expect(
      (await owner.submit('/app/team', '/app/team/invite', { email: 'agent@shop.test', role: 'agent' }))
        .statusCode,
    ).toBe(303);
    const link = await linkFromMail(smtp, 'agent@shop.test', before);
    const agent = consoleAgent(shop);
    expect((await agent.submit(link, link)).statusCode).toBe(303);
    expect((await agent.get('/app/team')).body).not.toContain('href="/app/keys"');
    const page = await agent.get('/app/keys');
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('cannot manage API keys');
    const byAgent = await agent.postFrom('/app/team', '/app/keys', { name: 'x', scopes: 'admin' });
    expect(byAgent.statusCode).toBe(403);
    const revokeByAgent = await agent.postFrom('/app/team', `/app/keys/${shopKey?.id}/revoke`);
    expect(revokeByAgent.statusCode).toBe(403);
    expect((await shop.api('GET', '/v1/api-keys')).statusCode).toBe(200);
  });
});
