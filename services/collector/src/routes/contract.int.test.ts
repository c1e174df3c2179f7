// The collector's contract: every route in the OpenAPI document with its tag, summary and media types; the pages' security headers only on pages.
import { closeContext, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { test as base, testConfig } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { collector } from '../app.ts';

const test = base.extend<{ app: Awaited<ReturnType<typeof createServiceApp>> }>({
  app: async ({ db, redisUrl, queuePrefix }, use) => {
    const ctx = openContext(
      testConfig({
        databaseUrl: db.url,
        redisUrl,
        queuePrefix,
        env: {
          DEV_OUTBOX: 'true',
          TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
          TWILIO_AUTH_TOKEN: 'twilio-auth-token-0123456789',
          TWILIO_FROM: '+15005550006',
        },
      }),
    );
    const app = await createServiceApp(ctx);
    await app.register(collector(ctx));
    await app.ready();
    await use(app);
    await app.close();
    await closeContext(ctx);
  },
});

type Operation = {
  tags?: string[];
  summary?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
};

describe('the collector in the OpenAPI document', () => {
  test('every route has its tag and summary; pages answer text/html, TwiML text/xml, errors the error body', async ({
    app,
  }) => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = (path: string): Record<string, Operation> => doc.paths[path] ?? {};
    const routes = {
      '/s/{token}': ['get', 'post'],
      '/u/{token}': ['get', 'post'],
      '/u/{token}/undo': ['post'],
      '/l/{code}': ['get', 'post'],
      '/r/{code}': ['get'],
      '/sms/inbound': ['post'],
      '/sms/status': ['post'],
      '/email/inbound/{secret}': ['post'],
      '/dev/outbox': ['get'],
      '/dev/outbox.json': ['get'],
      '/dev/sms/reply': ['post'],
    };
    for (const [path, methods] of Object.entries(routes)) {
      for (const method of methods) {
        const op = operations(path)[method];
        expect(op, `${method} ${path}`).toBeDefined();
        expect(['respondents', 'providers', 'dev']).toContain(op?.tags?.[0]);
        expect(op?.summary, `${method} ${path}`).toBeTruthy();
      }
    }
    const media = (path: string, method: string, status: string) =>
      Object.keys(operations(path)[method]?.responses[status]?.content ?? {}).sort();
    expect(media('/s/{token}', 'get', '200')).toEqual(['text/html']);
    expect(media('/s/{token}', 'post', '200')).toEqual(['application/json', 'text/html']);
    expect(media('/s/{token}', 'post', '409')).toEqual(['application/json', 'text/html']);
    expect(media('/sms/inbound', 'post', '200')).toEqual(['text/xml']);
    expect(media('/r/{code}', 'get', '302')).toEqual([]);
    expect(operations('/s/{token}').post?.responses['400']?.content?.['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/Error' },
    });
  });
});

describe('security headers', () => {
  test('pages get helmet’s headers with a nonce’d script policy; the API docs and health checks do not get the pages’ policy', async ({
    app,
  }) => {
    const page = await app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-security-policy']).toMatch(
      /^default-src 'none';script-src 'nonce-[A-Za-z0-9+/=]{24}';style-src 'unsafe-inline';img-src 'self';form-action 'self';base-uri 'none'$/,
    );
    expect(page.headers).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex, nofollow',
      'x-content-type-options': 'nosniff',
    });
    const again = await app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(again.headers['content-security-policy']).not.toBe(page.headers['content-security-policy']);
    for (const url of ['/docs/', '/health', '/openapi.json', '/dev/outbox']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy'] ?? '', url).not.toContain("default-src 'none'");
    }
  });
});
