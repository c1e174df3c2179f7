// The API contract: every route schema-first, /openapi.json a valid OpenAPI 3.1 document listing every route,
// /docs served from the npm package, /v1 an index, and lists that page without skipping or repeating a row.

import { validate } from '@scalar/openapi-parser';
import { closeContext, createWorkspace, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { test as base, testConfig } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { dispatcher } from './app.ts';

const test = base.extend<{ api: Awaited<ReturnType<typeof startApi>> }>({
  api: async ({ db, redisUrl, queuePrefix }, use) => {
    const api = await startApi(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    await use(api);
    await api.close();
  },
});

async function startApi(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config);
  const app = await createServiceApp(ctx);
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    if (!r.schema?.hide) for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  await app.register(dispatcher(ctx));
  await app.ready();
  const { apiKey } = await createWorkspace(ctx.database, { name: 'Shop' });
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${apiKey}` } });
  return {
    ctx,
    app,
    routes,
    call,
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

type OpenApi = { openapi: string; paths: Record<string, Record<string, { tags?: string[] }>> };

describe('the API contract', () => {
  test('every route declares its response, params and body schemas', async ({ api }) => {
    expect(api.app.schemaGaps).toEqual([]);
    expect(api.routes.length).toBeGreaterThan(40);
  });

  test('/openapi.json is valid OpenAPI 3.1 and lists every route under a tag', async ({ api }) => {
    const res = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as OpenApi;
    expect(doc.openapi).toBe('3.1.0');
    const { valid, errors } = await validate(structuredClone(doc));
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const missing = api.routes
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
    const untagged = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !op.tags?.length)
        .map(([m]) => `${m} ${path}`),
    );
    expect(untagged).toEqual([]);
  });

  test('/docs is the interactive reference, served from the package itself (no CDN)', async ({ api }) => {
    const bare = await api.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 301, 302]).toContain(bare.statusCode);
    const page = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const scripts = [...page.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    // Nothing is fetched from another host: the reference works offline.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const src of scripts) {
      const asset = await api.app.inject({
        method: 'GET',
        url: new URL(src, 'http://localhost/docs/').pathname,
      });
      expect(asset.statusCode, src).toBe(200);
      expect(asset.body.length).toBeGreaterThan(10_000);
    }
  });

  test('GET /v1 answers an index instead of 404, without a key', async ({ api }) => {
    const res = await api.app.inject({ method: 'GET', url: '/v1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Surveyflow API', docs: expect.stringMatching(/\/docs$/) });
  });

  test('responses never leak what the schema does not declare (no workspaceId)', async ({ api }) => {
    const survey = await api.call('POST', '/v1/surveys', { kind: 'nps', name: 'S', question: { en: 'Q?' } });
    expect(survey.statusCode).toBe(201);
    expect(survey.json()).not.toHaveProperty('workspaceId');
    const trigger = await api.call('POST', '/v1/triggers', { surveyId: survey.json().id, eventTypes: ['x'] });
    expect(trigger.statusCode).toBe(201);
    expect(trigger.json()).not.toHaveProperty('workspaceId');
    expect(trigger.json().createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
