// Each service as its own process against shared Postgres and Redis, the way it runs at scale.
import { freePort } from '@surveyflow/local-servers';
import { startServiceProcess, TEST_SECRET, test, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

const KEY = 'sf_live_standalone_test_key_0123456789';

describe('services started alone', () => {
  test('dispatcher, collector and worker each answer /health and /ready, and together carry an event to an email', async ({
    db,
    redisUrl,
    queuePrefix,
    smtp,
  }) => {
    const [pd, pc, pw] = [await freePort(), await freePort(), await freePort()];
    const shared = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      SECRET_KEY: TEST_SECRET,
      SMTP_URL: smtp.url,
      PUBLIC_URL: `http://127.0.0.1:${pc}`,
      BOOTSTRAP_API_KEY: KEY,
      HOST: '127.0.0.1',
    };
    const services = [
      startServiceProcess('dispatcher', { ...shared, PORT: String(pd) }),
      startServiceProcess('collector', { ...shared, PORT: String(pc) }),
      startServiceProcess('worker', { ...shared, PORT: String(pw) }),
    ];
    try {
      for (const port of [pd, pc, pw]) {
        await waitFor(
          async () => {
            expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
            const ready = await fetch(`http://127.0.0.1:${port}/ready`);
            expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      }
      const res = await fetch(`http://127.0.0.1:${pd}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'o-1',
          type: 'order.delivered',
          contact: { id: 'c-1', email: 'ann@example.com' },
        }),
      });
      expect(res.status).toBe(202);
      const mail = await smtp.waitFor((m) => m.to.includes('ann@example.com'), 30_000);
      const link = /http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{32}/.exec(mail.text)?.[0] ?? '';
      expect((await fetch(link)).status).toBe(200);
    } finally {
      for (const s of services) s.child.kill('SIGTERM');
      // A clean stop exits 0: work finished, queues, Redis and Postgres closed.
      expect(await Promise.all(services.map((s) => s.exited))).toEqual([0, 0, 0]);
    }
  }, 90_000);

  test('a bad setting stops start-up with status 78, naming the variable', async ({ db, redisUrl }) => {
    const s = startServiceProcess('dispatcher', {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      SECRET_KEY: TEST_SECRET,
      PORT: 'eighty',
    });
    expect(await s.exited).toBe(78);
    expect(s.output()).toMatch(/PORT/);
  });

  test('a service started alone without DATABASE_URL says it needs one', async ({ redisUrl }) => {
    const s = startServiceProcess('worker', { REDIS_URL: redisUrl, SECRET_KEY: TEST_SECRET });
    expect(await s.exited).toBe(78);
    expect(s.output()).toMatch(/DATABASE_URL: required when a service runs alone/);
  });
});
