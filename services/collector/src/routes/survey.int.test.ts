// The survey link on real Postgres and Redis: scanners record nothing, one response per invitation, clear errors.
import { closeContext, ManualClock, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { anEvent, test as base, seedWorkspace, sentInvitation, testConfig } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { collector } from '../app.ts';

const clock = new ManualClock('2026-11-20T12:00:00Z');

const test = base.extend<{ site: Awaited<ReturnType<typeof startCollector>> }>({
  site: async ({ db, redisUrl, queuePrefix }, use) => {
    clock.set('2026-11-20T12:00:00Z');
    const site = await startCollector(
      testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { EDIT_WINDOW_MINUTES: '30' } }),
    );
    await use(site);
    await site.close();
  },
});

async function startCollector(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config, { clock });
  const app = await createServiceApp(ctx);
  await app.register(collector(ctx));
  await app.ready();
  const seeded = await seedWorkspace(ctx.database);
  const { token, invitationId } = await sentInvitation(
    ctx.database,
    seeded.workspaceId,
    anEvent('order-7'),
    clock.now(),
  );
  const responses = () => ctx.database.sql`select score, comment, properties, channel from responses`;
  return {
    ctx,
    app,
    token,
    invitationId,
    responses,
    post: (payload: string, url = `/s/${token}`) =>
      app.inject({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

describe('GET /s/:token', () => {
  test('a scanner that GETs every score link, HEADs it and follows it twice records no answer', async ({
    site,
  }) => {
    for (let score = 0; score <= 10; score++) {
      for (const method of ['GET', 'HEAD', 'GET'] as const) {
        const res = await site.app.inject({ method, url: `/s/${site.token}?score=${score}` });
        expect(res.statusCode).toBe(200);
      }
    }
    expect(await site.responses()).toEqual([]);
    // One that also runs the pages' scripts sends each one-click score by itself: none is recorded.
    const auto = await site.post('score=0&auto=1');
    expect(auto.statusCode).toBe(200);
    expect(auto.body).toContain('Please confirm your answer.');
    expect(await site.responses()).toEqual([]);
  });

  test('a person who opens one score link has it recorded by the page itself', async ({ site }) => {
    const page = await site.app.inject({ method: 'GET', url: `/s/${site.token}?score=8` });
    const nonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1] ?? '';
    expect(nonce).not.toBe('');
    expect(page.headers['content-security-policy']).toContain(`script-src 'nonce-${nonce}'`);
    expect((await site.post('score=8&auto=1')).statusCode).toBe(200);
    expect((await site.responses()).map((r) => r.score)).toEqual([8]);
  });

  test('?score=N preselects N, and the page keeps the link out of caches and Referer headers', async ({
    site,
  }) => {
    const res = await site.app.inject({ method: 'GET', url: `/s/${site.token}?score=7` });
    expect(res.body).toMatch(/value="7"[^>]*checked|checked[^>]*value="7"/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('Acme Shop');
  });

  test('an unknown token is a 404 page and an expired one a 410 page, never a 500', async ({ site }) => {
    const unknown = await site.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('text/html');
    const garbage = await site.app.inject({ method: 'GET', url: '/s/%3Cscript%3E' });
    expect(garbage.statusCode).toBe(404);
    clock.advance(31 * 86_400_000);
    const expired = await site.app.inject({ method: 'GET', url: `/s/${site.token}` });
    expect(expired.statusCode).toBe(410);
    expect((await site.post('score=9')).statusCode).toBe(410);
    expect(await site.responses()).toEqual([]);
  });
});

describe('POST /s/:token', () => {
  test('records one response carrying the event properties and channel, then asks why', async ({ site }) => {
    const res = await site.post('score=9');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="comment"');
    expect(await site.responses()).toEqual([
      { score: 9, comment: null, properties: { orderId: 'order-7' }, channel: 'email' },
    ]);
  });

  test('a second answer inside the edit window updates the same response; an empty comment keeps the first', async ({
    site,
  }) => {
    await site.post('score=4&comment=Slow');
    clock.advance(10 * 60_000);
    await site.post('score=6');
    expect(await site.responses()).toEqual([
      { score: 6, comment: 'Slow', properties: { orderId: 'order-7' }, channel: 'email' },
    ]);
  });

  test('after the edit window the answer stands and the page says so with 409', async ({ site }) => {
    await site.post('score=4&comment=Slow');
    clock.advance(31 * 60_000);
    const late = await site.post('score=10');
    expect(late.statusCode).toBe(409);
    expect(late.headers['content-type']).toContain('text/html');
    const json = await site.app.inject({
      method: 'POST',
      url: `/s/${site.token}`,
      payload: { score: 10 },
    });
    expect(json.statusCode).toBe(409);
    expect(json.json().error.code).toBe('edit_window_closed');
    expect((await site.responses())[0]?.score).toBe(4);
  });

  test('parallel answers to one invitation still make one response', async ({ site }) => {
    await Promise.all([3, 5, 8, 10].map((s) => site.post(`score=${s}`)));
    expect(await site.responses()).toHaveLength(1);
  });

  test('a score outside the scale, or none, is a 400 naming score, and nothing is recorded', async ({
    site,
  }) => {
    for (const payload of ['score=11', 'score=-1', 'score=abc', 'comment=hi', 'score=4.5']) {
      const res = await site.post(payload);
      expect(res.statusCode, payload).toBe(400);
    }
    const json = await site.app.inject({ method: 'POST', url: `/s/${site.token}`, payload: { score: 42 } });
    expect(json.json().error.details[0].field).toBe('score');
    expect(await site.responses()).toEqual([]);
  });

  test('JSON answers get JSON back, with the follow-up question when no comment came', async ({ site }) => {
    const res = await site.app.inject({ method: 'POST', url: `/s/${site.token}`, payload: { score: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'created',
      score: 2,
      comment: null,
      followupQuestion: expect.any(String),
    });
    const withComment = await site.app.inject({
      method: 'POST',
      url: `/s/${site.token}`,
      payload: { score: 2, comment: 'Broken box' },
    });
    expect(withComment.json()).toMatchObject({
      status: 'updated',
      comment: 'Broken box',
      followupQuestion: null,
    });
  });

  test('a response schedules its follow-up; the comment arriving runs it at once', async ({ site }) => {
    await site.post('score=2');
    const [row] = await site.ctx.database.sql<{ id: string }[]>`select id from responses`;
    const job = await site.ctx.queues.queue('followups').getJob(`response.followup-${row?.id}`);
    expect(await job?.isDelayed()).toBe(true);
    await site.post('score=2&comment=Box+was+crushed');
    const after = await site.ctx.queues.queue('followups').getJob(`response.followup-${row?.id}`);
    expect(await after?.isDelayed()).toBe(false);
  });
});
