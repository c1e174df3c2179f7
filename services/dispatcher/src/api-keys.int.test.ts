// API keys, scopes and route permissions on real Postgres and Redis: keys shown once and stored hashed, scopes
// checked per route, revocation seen at once by another process, last use written off the request path,
// workspaces created by the instance administrator, and the audit log of it all.
import {
  bootstrapWorkspace,
  closeContext,
  createWorkspace,
  openContext,
  permissions,
  sha256,
} from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { test as base, testConfig } from '@surveyflow/testkit';
import Fastify from 'fastify';
import { describe, expect, vi } from 'vitest';
import { dispatcher } from './app.ts';
import { registerAuth } from './auth.ts';

const ADMIN_TOKEN = 'instance-admin-token-0123456789abcdef';

type Config = ReturnType<typeof testConfig>;

async function startProcess(config: Config) {
  const ctx = openContext(config);
  const app = await createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  await app.ready();
  const as = (key: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${key}` } });
  return {
    ctx,
    app,
    as,
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

const test = base.extend<{ config: Config; one: Awaited<ReturnType<typeof startProcess>> }>({
  config: async ({ db, redisUrl, queuePrefix }, use) => {
    await use(
      testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { INSTANCE_ADMIN_TOKEN: ADMIN_TOKEN } }),
    );
  },
  one: async ({ config }, use) => {
    const p = await startProcess(config);
    await use(p);
    await p.close();
  },
});

const event = (id: string) => ({
  id,
  type: 'order.delivered',
  contact: { id: 'cust-1', email: 'jane@example.com' },
});

describe('route permissions', () => {
  test('a /v1 route that declares no permission is refused when it is registered', async ({ config }) => {
    const ctx = openContext(config);
    const app = Fastify();
    try {
      const registering = (async () => {
        await app.register(async (plugin) => {
          registerAuth(plugin, ctx);
          plugin.get('/v1/forgotten', { schema: { response: { 200: {} } } }, async () => ({}));
        });
        await app.ready();
      })();
      await expect(registering).rejects.toThrow(/GET \/v1\/forgotten declares no permission/);
    } finally {
      await app.close().catch(() => {});
      await closeContext(ctx);
    }
  });

  test('a key with only events:write sends events but gets 403 naming the scope on GET /v1/responses', async ({
    one,
  }) => {
    const ws = await createWorkspace(one.ctx.database, {
      name: 'Shop',
      keyName: 'Shop backend',
      keyScopes: ['events:write'],
    });
    const backend = one.as(ws.apiKey);
    expect((await backend('POST', '/v1/events', event('e-1'))).statusCode).toBe(202);
    const refused = await backend('GET', '/v1/responses');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'missing_scope',
      message: expect.stringMatching(
        /GET \/v1\/responses needs an API key with scope read or write or admin.*has events:write/,
      ),
      details: [{ field: 'scope', message: 'needs one of: read, write, admin' }],
    });
    expect((await backend('POST', '/v1/api-keys', { name: 'x', scopes: ['admin'] })).statusCode).toBe(403);
  });

  test('a read key reads but cannot change surveys or manage keys; every operation documents its scope', async ({
    one,
  }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop', keyScopes: ['read'] });
    const reader = one.as(ws.apiKey);
    expect((await reader('GET', '/v1/responses')).statusCode).toBe(200);
    expect((await reader('GET', '/v1/surveys')).statusCode).toBe(200);
    expect(
      (await reader('POST', '/v1/surveys', { kind: 'nps', name: 'N', question: { en: 'Q' } })).statusCode,
    ).toBe(403);
    expect((await reader('GET', '/v1/api-keys')).statusCode).toBe(403);
    expect((await reader('GET', '/v1/audit')).statusCode).toBe(403);
    const doc = (await one.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { description?: string; 'x-required-scope'?: unknown }>>;
    };
    const v1 = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(30);
    for (const [path, ops] of v1) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op['x-required-scope'], `${method} ${path}`).toBeDefined();
        expect(
          op.description?.match(/Requires (an API key with scope|the instance administrator)/g),
          `${method} ${path}`,
        ).toHaveLength(1);
      }
    }
    expect(doc.paths['/v1/responses']?.get?.['x-required-scope']).toEqual([
      ...permissions['data.read'].scopes,
    ]);
  });
});

describe('/v1/api-keys', () => {
  test('a created key is shown once, stored hashed with its prefix, listed with its creator, and works', async ({
    one,
  }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const admin = one.as(ws.apiKey);
    const created = await admin('POST', '/v1/api-keys', { name: 'Shop backend', scopes: ['events:write'] });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ name: 'Shop backend', scopes: ['events:write'], lastUsedAt: null });
    expect(body.key).toMatch(/^sf_live_/);
    expect(body.prefix).toBe(`${body.key.slice(0, 12)}…`);
    const [stored] = await one.ctx.database.sql`select key_hash, prefix from api_keys where id = ${body.id}`;
    expect(stored).toEqual({ key_hash: sha256(body.key), prefix: body.prefix });

    const list = (await admin('GET', '/v1/api-keys')).json().data;
    expect(list.map((k: { name: string }) => k.name).sort()).toEqual(['Admin key', 'Shop backend']);
    expect(JSON.stringify(list)).not.toContain(body.key);
    const listed = list.find((k: { id: string }) => k.id === body.id);
    expect(listed.createdBy).toEqual({
      kind: 'api_key',
      label: expect.stringMatching(/^Admin key \(sf_live_/),
    });
    expect((await one.as(body.key)('POST', '/v1/events', event('e-1'))).statusCode).toBe(202);
  });

  test('bad input names the field', async ({ one }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const admin = one.as(ws.apiKey);
    const bad = await admin('POST', '/v1/api-keys', { name: '', scopes: ['root'] });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['name', 'scopes[0]']);
    const none = await admin('POST', '/v1/api-keys', { name: 'x', scopes: [] });
    expect(none.json().error.details).toEqual([
      { field: 'scopes', message: 'must grant at least one scope' },
    ]);
    expect((await admin('DELETE', '/v1/api-keys/not-a-uuid')).statusCode).toBe(400);
  });

  test('last use is written off the request path, at most once a minute per key', async ({ one }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const admin = one.as(ws.apiKey);
    const lastUsed = async () =>
      (await one.ctx.database.sql`select last_used_at::text as at from api_keys where id = ${ws.keyId}`)[0]
        ?.at;
    for (let i = 0; i < 20; i++) expect((await admin('GET', '/v1/surveys')).statusCode).toBe(200);
    await vi.waitFor(
      async () => {
        const [row] = await one.ctx.database.sql`select last_used_at from api_keys where id = ${ws.keyId}`;
        expect(row?.last_used_at).toBeTruthy();
      },
      { timeout: 5000, interval: 100 },
    );
    const listed = (await admin('GET', '/v1/api-keys')).json().data[0];
    expect(listed.lastUsedAt).not.toBeNull();
    // 20 more requests within the minute write nothing: a write would move the time on.
    const first = await lastUsed();
    for (let i = 0; i < 20; i++) await admin('GET', '/v1/surveys');
    await new Promise((r) => setTimeout(r, 1500)); // past the next flush
    expect(await lastUsed()).toBe(first);
  });

  test('a revoked key is refused at once by every process, not after the cache expires', async ({
    one,
    config,
  }) => {
    const two = await startProcess(config);
    try {
      const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
      const extra = (
        await one.as(ws.apiKey)('POST', '/v1/api-keys', { name: 'Temp', scopes: ['read'] })
      ).json();
      // Both processes have the key cached.
      expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200);
      expect((await two.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200);
      await vi.waitFor(async () =>
        expect((await two.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200),
      );

      const revoked = await one.as(ws.apiKey)('DELETE', `/v1/api-keys/${extra.id}`);
      expect(revoked.statusCode).toBe(204);
      const at = performance.now();
      expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(401);
      await vi.waitFor(
        async () => expect((await two.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(401),
        { timeout: 1000, interval: 2 },
      );
      const ms = performance.now() - at;
      console.log(`revocation seen by the other process after ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(1000);
      expect(
        (await one.as(ws.apiKey)('GET', '/v1/api-keys')).json().data.map((k: { id: string }) => k.id),
      ).toEqual([ws.keyId]);
      // Unknown, already revoked, or another workspace's: 404.
      expect((await one.as(ws.apiKey)('DELETE', `/v1/api-keys/${extra.id}`)).statusCode).toBe(404);
      const other = await createWorkspace(one.ctx.database, { name: 'Other' });
      expect((await one.as(ws.apiKey)('DELETE', `/v1/api-keys/${other.keyId}`)).statusCode).toBe(404);
    } finally {
      await two.close();
    }
  });

  test('the hot path is served from the cache: a key revoked behind the API is still known until a forget', async ({
    one,
  }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const admin = one.as(ws.apiKey);
    const extra = (await admin('POST', '/v1/api-keys', { name: 'Temp', scopes: ['read'] })).json();
    // Wait until this process's subscription is up (the cache is used only then) and the key is cached.
    await vi.waitFor(async () => {
      expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200);
      await one.ctx.database.sql`update api_keys set revoked_at = now() where id = ${extra.id}`;
      try {
        expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200);
      } finally {
        await one.ctx.database.sql`update api_keys set revoked_at = null where id = ${extra.id}`;
      }
    });
    await one.ctx.database.sql`update api_keys set revoked_at = now() where id = ${extra.id}`;
    expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(200);
    // Any process's forget (here: changing the signing secret) reaches this one.
    expect((await admin('POST', '/v1/workspace/event-signing-secret')).statusCode).toBe(201);
    await vi.waitFor(async () =>
      expect((await one.as(extra.key)('GET', '/v1/surveys')).statusCode).toBe(401),
    );
  });

  test('the first-start key is one admin key named "Bootstrap key"; a BOOTSTRAP_API_KEY added later joins it', async ({
    one,
  }) => {
    const first = await bootstrapWorkspace(one.ctx.database, {
      name: 'Demo shop',
      alertEmail: 'a@shop.test',
      timezone: 'UTC',
    });
    expect(first.generatedKey).toMatch(/^sf_live_/);
    const known = 'sf_live_bootstrap_test_key_0123456789';
    await bootstrapWorkspace(one.ctx.database, {
      apiKey: known,
      name: 'x',
      alertEmail: 'a@shop.test',
      timezone: 'UTC',
    });
    await bootstrapWorkspace(one.ctx.database, {
      apiKey: known,
      name: 'x',
      alertEmail: 'a@shop.test',
      timezone: 'UTC',
    });
    const keys = (await one.as(first.generatedKey ?? '')('GET', '/v1/api-keys')).json().data;
    expect(keys).toMatchObject([
      { name: 'Bootstrap key', scopes: ['admin'], createdBy: { kind: 'system', label: 'first start' } },
      { name: 'Bootstrap key', scopes: ['admin'], prefix: first.keyPrefix },
    ]);
    expect((await one.as(known)('GET', '/v1/api-keys')).statusCode).toBe(200);
  });

  test('the last admin key cannot be revoked', async ({ one }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const res = await one.as(ws.apiKey)('DELETE', `/v1/api-keys/${ws.keyId}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/last admin key/);
  });
});

describe('POST /v1/workspaces', () => {
  test('the instance administrator creates a workspace with its first admin key and its owner', async ({
    one,
  }) => {
    const post = (token: string | null, payload: unknown) =>
      one.app.inject({
        method: 'POST',
        url: '/v1/workspaces',
        payload: payload as object,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    expect((await post(null, { name: 'Second shop' })).statusCode).toBe(401);
    expect((await post('sf_live_wrong', { name: 'Second shop' })).statusCode).toBe(401);
    const bad = await post(ADMIN_TOKEN, {
      name: 'Second shop',
      ownerEmail: 'not-an-email',
      timezone: 'Mars/Base',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['ownerEmail', 'timezone']);

    const res = await post(ADMIN_TOKEN, { name: 'Second shop', ownerEmail: 'Owner@Shop2.example' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      name: 'Second shop',
      apiKey: { name: 'Admin key', scopes: ['admin'] },
      owner: { email: 'owner@shop2.example' },
    });
    const ws = await one.as(created.apiKey.key)('GET', '/v1/workspace');
    expect(ws.json()).toMatchObject({ id: created.id, name: 'Second shop' });
    const [membership] = await one.ctx.database.sql`
      select m.role, u.email from memberships m join users u on u.id = m.user_id where m.workspace_id = ${created.id}`;
    expect(membership).toEqual({ role: 'owner', email: 'owner@shop2.example' });
    // A workspace key is not the instance administrator's token.
    expect((await post(created.apiKey.key, { name: 'Third' })).statusCode).toBe(401);
  });

  test('without INSTANCE_ADMIN_TOKEN the route is off', async ({ db, redisUrl, queuePrefix }) => {
    const p = await startProcess(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    try {
      const res = await p.app.inject({
        method: 'POST',
        url: '/v1/workspaces',
        payload: { name: 'x' },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/INSTANCE_ADMIN_TOKEN/);
    } finally {
      await p.close();
    }
  });
});

describe('GET /v1/audit', () => {
  test('key creation and revocation, survey and trigger edits, exports: who, what, filtered and paged', async ({
    one,
  }) => {
    const ws = await createWorkspace(one.ctx.database, { name: 'Shop' });
    const admin = one.as(ws.apiKey);
    const extra = (await admin('POST', '/v1/api-keys', { name: 'Temp', scopes: ['read'] })).json();
    await admin('DELETE', `/v1/api-keys/${extra.id}`);
    const survey = (
      await admin('POST', '/v1/surveys', { kind: 'nps', name: 'N', question: { en: 'Q?' } })
    ).json();
    await admin('PATCH', `/v1/surveys/${survey.id}`, { name: 'Renamed' });
    const trigger = (
      await admin('POST', '/v1/triggers', { surveyId: survey.id, eventTypes: ['order.delivered'] })
    ).json();
    await admin('PATCH', `/v1/triggers/${trigger.id}`, { enabled: false });
    await admin('DELETE', `/v1/triggers/${trigger.id}`);
    expect((await admin('GET', '/v1/responses.csv')).statusCode).toBe(200);

    const all = (await admin('GET', '/v1/audit?limit=500')).json();
    expect(all.data.map((e: { action: string }) => e.action)).toEqual([
      'responses.export',
      'trigger.delete',
      'trigger.update',
      'trigger.create',
      'survey.update',
      'survey.create',
      'api_key.revoke',
      'api_key.create',
      'api_key.create',
      'workspace.create',
    ]);
    const revoke = all.data.find((e: { action: string }) => e.action === 'api_key.revoke');
    expect(revoke).toMatchObject({
      actor: { kind: 'api_key', id: ws.keyId, label: expect.stringMatching(/^Admin key/) },
      target: { kind: 'api_key', id: extra.id },
      detail: { name: 'Temp' },
    });

    const keys = (await admin('GET', '/v1/audit?action=api_key.*')).json().data;
    expect(keys.map((e: { action: string }) => e.action)).toEqual([
      'api_key.revoke',
      'api_key.create',
      'api_key.create',
    ]);
    expect((await admin('GET', '/v1/audit?action=survey.update')).json().data).toHaveLength(1);
    expect((await admin('GET', '/v1/audit?from=2099-01-01T00:00:00Z')).json().data).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; next: string | null } = (
        await admin('GET', `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all.data.map((e: { id: string }) => e.id));

    const bad = await admin('GET', '/v1/audit?action=DROP%20TABLE&cursor=nope');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['action', 'cursor']);
    // Another workspace sees none of it.
    const other = await createWorkspace(one.ctx.database, { name: 'Other' });
    const theirs = (await one.as(other.apiKey)('GET', '/v1/audit')).json().data;
    expect(theirs.map((e: { action: string }) => e.action)).toEqual(['api_key.create', 'workspace.create']);
  });
});
