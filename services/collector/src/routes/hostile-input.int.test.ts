// Hostile input to every collector route: NUL characters, huge values, wrong shapes and content types are a 4xx naming the field, never a 500.
import { closeContext, createLocation, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { anEvent, test as base, seedWorkspace, sentInvitation, testConfig } from '@surveyflow/testkit';
import type { InjectOptions } from 'fastify';
import twilio from 'twilio';
import { describe, expect } from 'vitest';
import { collector } from '../app.ts';

const AUTH_TOKEN = 'twilio-auth-token-0123456789';
const MAIL_SECRET = 'inbound-secret-0123456789abcdef';
const PHONE = '+48600100200';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const HUGE = 'x'.repeat(20_000);

const test = base.extend<{ site: Awaited<ReturnType<typeof startCollector>> }>({
  site: async ({ db, redisUrl, queuePrefix }, use) => {
    const site = await startCollector(db.url, redisUrl, queuePrefix);
    await use(site);
    await site.close();
  },
});

/** The collector with every route on: Twilio webhooks, inbound mail, the dev outbox; one open survey link and a location code. */
async function startCollector(databaseUrl: string, redisUrl: string, queuePrefix: string) {
  const config = testConfig({
    databaseUrl,
    redisUrl,
    queuePrefix,
    env: {
      DEV_OUTBOX: 'true',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      UNSUBSCRIBE_MAILTO: 'unsubscribe@mail.shop.test',
      INBOUND_EMAIL_TOKEN: MAIL_SECRET,
    },
  });
  const ctx = openContext(config);
  const app = await createServiceApp(ctx);
  await app.register(collector(ctx));
  await app.ready();
  const seeded = await seedWorkspace(ctx.database);
  const { token } = await sentInvitation(
    ctx.database,
    seeded.workspaceId,
    anEvent('order-1', { contact: { id: 'c-1', email: 'jane@example.com', phone: PHONE } }),
    ctx.clock.now(),
  );
  const { code } = await createLocation(ctx.database, seeded.workspaceId, {
    surveyId: seeded.survey.id,
    name: 'Main St',
    deviceLimitHours: 24,
    properties: {},
  });
  /** A webhook as Twilio would send it: form-encoded, signed over our public URL and the fields. */
  const signed = (url: string, fields: Record<string, string>): InjectOptions => ({
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: {
      ...FORM,
      'x-twilio-signature': twilio.getExpectedTwilioSignature(
        AUTH_TOKEN,
        `${config.PUBLIC_URL}${url}`,
        fields,
      ),
    },
  });
  return {
    app,
    token,
    code,
    signed,
    responses: () => ctx.database.sql`select score, comment from responses`,
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

/** Sends one request and checks it is refused with a 4xx whose JSON body names `field`. */
async function expectRefused(
  site: { app: Awaited<ReturnType<typeof startCollector>>['app'] },
  request: InjectOptions,
  field: string,
  status = 400,
) {
  const label = `${request.method} ${String(request.url)} → ${field}`;
  const res = await site.app.inject({
    ...request,
    headers: { accept: 'application/json', ...request.headers },
  });
  expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBe(status);
  const body = res.json();
  const fields = (body.error.details ?? []).map((d: { field: string }) => d.field);
  expect(fields, label).toContain(field);
}

describe('survey, location and unsubscribe pages', () => {
  test('a NUL or a huge value in :token or :code is a 400 naming it (an unknown one stays a 404)', async ({
    site,
  }) => {
    for (const path of ['/s', '/u', '/l', '/r']) {
      const param = path === '/s' || path === '/u' ? 'token' : 'code';
      for (const value of ['%00', `abc%00${'A'.repeat(29)}`, 'A'.repeat(400)]) {
        await expectRefused(site, { method: 'GET', url: `${path}/${value}` }, param);
      }
    }
    await expectRefused(site, { method: 'POST', url: `/s/%00`, payload: { score: 5 } }, 'token');
    await expectRefused(site, { method: 'POST', url: `/l/%00`, payload: { score: 5 } }, 'code');
    await expectRefused(site, { method: 'POST', url: `/u/%00` }, 'token');
    await expectRefused(site, { method: 'POST', url: `/u/%00/undo` }, 'token');
    expect((await site.app.inject({ method: 'GET', url: `/s/${'A'.repeat(32)}` })).statusCode).toBe(404);
  });

  test('a browser gets the error as a page, an API client as the error body', async ({ site }) => {
    const page = await site.app.inject({
      method: 'POST',
      url: `/s/${site.token}`,
      payload: 'score=5&comment=a%00b',
      headers: { ...FORM, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
    // Sent as it is, not as a JSON string.
    expect(page.body.startsWith('<!doctype html>')).toBe(true);
    expect(page.body).toContain('comment must not contain the NUL character');
    const nulToken = await site.app.inject({
      method: 'GET',
      url: '/s/%00',
      headers: { accept: 'text/html' },
    });
    expect(nulToken.statusCode).toBe(400);
    expect(nulToken.body).toContain('Survey not found');
  });

  test('an answer with NUL, huge or wrongly typed fields is a 400 naming the field, and nothing is recorded', async ({
    site,
  }) => {
    for (const url of [`/s/${site.token}`, `/l/${site.code}`]) {
      const form = (payload: string) => ({ method: 'POST' as const, url, payload, headers: FORM });
      const json = (payload: object) => ({ method: 'POST' as const, url, payload });
      await expectRefused(site, form('score=5&comment=a%00b'), 'comment');
      await expectRefused(site, json({ score: 5, comment: 'a\u0000b' }), 'comment');
      await expectRefused(site, json({ score: 5, comment: HUGE }), 'comment');
      await expectRefused(site, form(`score=5&comment=${HUGE}`), 'comment');
      await expectRefused(site, form('score=5&comment=a&comment=b'), 'comment');
      await expectRefused(site, form('score=5%00'), 'score');
      await expectRefused(site, form(`score=${'9'.repeat(5000)}`), 'score');
      await expectRefused(site, form('score=5&skip=%00'), 'skip');
      await expectRefused(site, json({ score: 5, auto: HUGE }), 'auto');
      // null or [7] are not scores (a coercing parser would have recorded 0 and 7).
      await expectRefused(site, json({ score: null }), 'score');
      await expectRefused(site, json({ score: [7] }), 'score');
      await expectRefused(site, json({ score: 1e300 }), 'score');
      // Not an object at all, or not a body we read.
      await expectRefused(
        site,
        { ...json({}), payload: '[1]', headers: { 'content-type': 'application/json' } },
        'body',
      );
      await expectRefused(
        site,
        { ...json({}), payload: 'null', headers: { 'content-type': 'application/json' } },
        'body',
      );
      await expectRefused(
        site,
        { ...json({}), payload: '{"score":', headers: { 'content-type': 'application/json' } },
        'body',
      );
      await expectRefused(
        site,
        { ...json({}), payload: 'score=5', headers: { 'content-type': 'text/plain' } },
        'body',
      );
      await expectRefused(site, { method: 'POST', url }, 'body');
    }
    expect(await site.responses()).toEqual([]);
  });

  test('unsupported media types are a 415 and bodies over the limit a 413, not a 500', async ({ site }) => {
    for (const url of [`/s/${site.token}`, `/l/${site.code}`, `/u/${site.token}`, '/dev/sms/reply']) {
      const multipart = await site.app.inject({
        method: 'POST',
        url,
        payload: '--x\r\nContent-Disposition: form-data; name="score"\r\n\r\n5\r\n--x--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=x', accept: 'application/json' },
      });
      expect(multipart.statusCode, url).toBe(415);
      const huge = await site.app.inject({
        method: 'POST',
        url,
        payload: `score=5&comment=${'x'.repeat(1_100_000)}`,
        headers: { ...FORM, accept: 'application/json' },
      });
      expect(huge.statusCode, url).toBe(413);
    }
  });

  test('the one-click unsubscribe field is bounded too', async ({ site }) => {
    const url = `/u/${site.token}`;
    await expectRefused(
      site,
      { method: 'POST', url, payload: 'List-Unsubscribe=%00', headers: FORM },
      'List-Unsubscribe',
    );
    await expectRefused(
      site,
      { method: 'POST', url, payload: `List-Unsubscribe=${HUGE}`, headers: FORM },
      'List-Unsubscribe',
    );
    // Without a body at all (a bare POST), both still work.
    for (const path of [url, `${url}/undo`]) {
      expect((await site.app.inject({ method: 'POST', url: path })).statusCode, path).toBe(200);
    }
  });

  test('a query with NUL, arrays or huge values only preselects nothing', async ({ site }) => {
    for (const query of ['score=%00', 'score=1&score=2', `score=${HUGE}`, 'score=-1']) {
      for (const path of [`/s/${site.token}`, `/l/${site.code}`]) {
        const res = await site.app.inject({ method: 'GET', url: `${path}?${query}` });
        expect(res.statusCode, `${path}?${query.slice(0, 20)}`).toBe(200);
        expect(res.body).not.toMatch(/required checked/);
      }
    }
  });

  test('a junk device cookie is a new device, not an error', async ({ site }) => {
    for (const cookie of [
      'sf_device=%00.%00',
      `sf_device=${HUGE.slice(0, 4000)}`,
      'sf_device=a.b.c',
      'sf_device=%E0%A4%A',
    ]) {
      const res = await site.app.inject({ method: 'GET', url: `/l/${site.code}`, headers: { cookie } });
      expect(res.statusCode, cookie.slice(0, 30)).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/^sf_device=/);
    }
  });
});

describe('provider webhooks and the dev outbox', () => {
  test('signed Twilio webhooks with NUL or huge fields are a 400 naming the field', async ({ site }) => {
    const inbound = { MessageSid: 'SM0123', From: PHONE, Body: '7' };
    await expectRefused(site, site.signed('/sms/inbound', { ...inbound, Body: 'a\u0000b' }), 'Body');
    await expectRefused(site, site.signed('/sms/inbound', { ...inbound, Body: HUGE }), 'Body');
    await expectRefused(
      site,
      site.signed('/sms/inbound', { ...inbound, From: '+4860\u00000100200' }),
      'From',
    );
    await expectRefused(
      site,
      site.signed('/sms/inbound', { ...inbound, MessageSid: 'SM\u00001' }),
      'MessageSid',
    );
    await expectRefused(site, site.signed('/sms/inbound', { Body: '7', From: PHONE }), 'MessageSid');
    const status = { MessageSid: 'SM0123', MessageStatus: 'delivered' };
    await expectRefused(
      site,
      site.signed('/sms/status', { ...status, MessageSid: 'SM\u00001' }),
      'MessageSid',
    );
    await expectRefused(
      site,
      site.signed('/sms/status', { ...status, MessageStatus: 'deli\u0000vered' }),
      'MessageStatus',
    );
    await expectRefused(site, site.signed('/sms/status', { ...status, ErrorCode: HUGE }), 'ErrorCode');
    expect(await site.responses()).toEqual([]);
  });

  test('unsigned webhooks are a 403 whatever their body, before it is read', async ({ site }) => {
    for (const url of ['/sms/inbound', '/sms/status']) {
      for (const payload of [{ MessageSid: { nested: ['x'] } }, { Body: 'a\u0000b' }]) {
        const res = await site.app.inject({ method: 'POST', url, payload });
        expect(res.statusCode, url).toBe(403);
      }
      const text = await site.app.inject({
        method: 'POST',
        url,
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.statusCode, url).toBe(403);
    }
  });

  test('inbound mail with NUL or huge subjects is a 400 naming it; a wrong secret is a 403 first', async ({
    site,
  }) => {
    const url = `/email/inbound/${MAIL_SECRET}`;
    await expectRefused(site, { method: 'POST', url, payload: { subject: 'unsubscribe \u0000' } }, 'subject');
    await expectRefused(site, { method: 'POST', url, payload: { Subject: HUGE } }, 'Subject');
    await expectRefused(site, { method: 'POST', url, payload: `subject=%00`, headers: FORM }, 'subject');
    await expectRefused(
      site,
      { method: 'POST', url, payload: '[1]', headers: { 'content-type': 'application/json' } },
      'body',
    );
    for (const secret of ['%00', 'A'.repeat(400), 'not-the-secret']) {
      const res = await site.app.inject({
        method: 'POST',
        url: `/email/inbound/${secret}`,
        payload: { subject: '\u0000' },
      });
      expect(res.statusCode, secret.slice(0, 10)).toBe(403);
    }
  });

  test('the dev outbox reply refuses NUL, huge and missing fields by name', async ({ site }) => {
    const reply = (payload: object) => ({ method: 'POST' as const, url: '/dev/sms/reply', payload });
    await expectRefused(site, reply({ from: PHONE, body: 'a\u0000b' }), 'body');
    await expectRefused(site, reply({ from: PHONE, body: HUGE }), 'body');
    await expectRefused(site, reply({ from: PHONE, body: '   ' }), 'body');
    await expectRefused(site, reply({ from: `${PHONE}\u0000`, body: '5' }), 'from');
    await expectRefused(
      site,
      { method: 'POST', url: '/dev/sms/reply', payload: `from=%2B48600100200&body=%00`, headers: FORM },
      'body',
    );
    const pages = await Promise.all([
      site.app.inject({ method: 'GET', url: '/dev/outbox?x=%00' }),
      site.app.inject({ method: 'GET', url: '/dev/outbox.json?x=%00' }),
    ]);
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200]);
  });
});
