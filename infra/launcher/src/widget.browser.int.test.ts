// The on-site widget in Chromium, on a shop page served from another loopback origin: shown once to an identified
// visitor, answered by keyboard, recorded and routed (a detractor makes a case), not shown again; not shown to a
// visitor asked by email this week; nothing for a page of an origin the key does not list; an anonymous visitor once
// per browser; a key that verifies identity shows the panel only to a visitor the shop's server signed. The panel at
// 360 and 1280 px, 0 axe-core violations inside its shadow root.
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations, launchChromium, waitFor } from '@surveyflow/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

const SHOTS = join(tmpdir(), 'surveyflow-screenshots');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const panel = (page: Page) => page.locator('[data-surveyflow] [role=dialog]');

/** The element focused inside the panel's shadow root, by its score or tag. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.querySelector('[data-surveyflow]')?.shadowRoot
      ?.activeElement as HTMLElement | null;
    return active ? (active.dataset.score ?? active.className ?? active.tagName) || active.tagName : null;
  });

async function tabTo(page: Page, target: string) {
  for (let i = 0; i < 30; i++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`never reached ${target} with Tab`);
}

async function setUp(shop: Shop) {
  const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
  return { survey };
}

describe('the on-site widget in Chromium', () => {
  test('shown once to an identified visitor, answered by keyboard, recorded and routed, not shown again; an unlisted origin gets nothing', {
    timeout: 180_000,
  }, async ({ shopWith }) => {
    const shop = await shopWith({ listen: true });
    const { survey } = await setUp(shop);
    const probe = await shop.api('POST', '/v1/publishable-keys', {
      name: 'Checkout',
      surveyIds: [survey.id],
      allowedOrigins: ['https://shop.example/checkout'],
    });
    expect(probe.statusCode).toBe(400);
    expect(probe.json().error.details[0].field).toBe('allowedOrigins.0');

    const sites: { origin: string; close: () => Promise<void> }[] = [];
    try {
      // The shop's own site (listed; a stranger's comes later): the key is made once its origin is known.
      const keyHolder = { key: '' };
      const listed = await shopSiteWithKey(shop, keyHolder);
      sites.push(listed);
      const created = await shop.api('POST', '/v1/publishable-keys', {
        name: 'Shop site',
        surveyIds: [survey.id],
        allowedOrigins: [listed.origin],
      });
      expect(created.statusCode).toBe(201);
      keyHolder.key = created.json().key;
      expect(keyHolder.key).toMatch(/^pk_/);

      // A pk_ key opens no /v1 route.
      const withPk = await shop.system.app.inject({
        method: 'GET',
        url: '/v1/responses',
        headers: { authorization: `Bearer ${keyHolder.key}` },
      });
      expect(withPk.statusCode).toBe(401);

      const context = await browser.newContext({ locale: 'en-GB' });
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${listed.origin}/?visitor=cust-w1`);
      await panel(page).waitFor({ timeout: 20_000 });
      expect(await panel(page).getAttribute('aria-labelledby')).toBe('sf-q');
      // The shop's CSS (red unstyled buttons, 60 px green headings) does not reach inside.
      expect(await page.locator('[data-surveyflow] h2').evaluate((h) => getComputedStyle(h).fontSize)).toBe(
        '17px',
      );
      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await page.screenshot({ path: join(SHOTS, `widget-panel-${width}.png`) });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `sideways scroll at ${width}`).toBeLessThanOrEqual(0);
        const box = await panel(page).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
        // axe-core descends into open shadow roots: the panel is checked, not only the page around it.
        expect(await axeViolations(page), `axe at ${width}`).toEqual([]);
      }
      // Eleven scores, Send and Close: all inside the shadow root, none in the shop's own DOM.
      expect(
        await page.evaluate(
          () => document.querySelector('[data-surveyflow]')?.shadowRoot?.querySelectorAll('button').length,
        ),
      ).toBe(13);
      expect(await page.evaluate(() => document.querySelectorAll('button').length)).toBe(0);

      // Keyboard only: focus starts on the question; Tab to 3, Enter, Tab to the comment, type, Tab to Send.
      expect(await focused(page)).toBe('H2');
      await tabTo(page, '3');
      await page.keyboard.press('Enter');
      expect(
        await page.locator('[data-surveyflow] button[data-score="3"]').getAttribute('aria-pressed'),
      ).toBe('true');
      await tabTo(page, 'TEXTAREA');
      await page.keyboard.type('The parcel was late');
      await tabTo(page, 'send');
      await page.keyboard.press('Enter');
      await page.locator('[data-surveyflow] h2', { hasText: 'Thank you!' }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'widget-thanks-1280.png') });

      const response = await waitFor(async () => {
        const [r] = (await shop.api('GET', '/v1/responses')).json().data;
        return r ?? null;
      });
      expect(response).toMatchObject({ channel: 'widget', score: 3, comment: 'The parcel was late' });
      expect(response.properties).toMatchObject({ page: 'checkout' });
      // Routed like an emailed answer: the detractor made a case.
      const cases = await waitFor(
        async () => {
          const data = (await shop.api('GET', '/v1/cases')).json().data;
          return data.length ? data : null;
        },
        { timeoutMs: 30_000 },
      );
      expect(cases).toHaveLength(1);

      // Reload: asked already, so no panel (the show request answered "throttled").
      const again = page.waitForResponse((r) => r.url().endsWith('/show') && r.request().method() === 'POST');
      await page.reload();
      expect(await (await again).json()).toEqual({ show: false, reason: 'throttled' });
      expect(await page.locator('[data-surveyflow]').count()).toBe(0);

      // Asked by email this week (the same survey, through the shop's trigger): not asked on the site.
      await shop.api('POST', '/v1/events', {
        id: 'order-w2',
        type: 'order.delivered',
        contact: { id: 'cust-w2', email: 'cust-w2@example.com' },
      });
      await waitFor(async () => {
        const event = (await shop.api('GET', '/v1/events/order-w2')).json();
        return event.decisions?.some((d: { invitation: unknown }) => d.invitation) === true;
      });
      const emailed = await context.newPage();
      const shown = emailed.waitForResponse(
        (r) => r.url().endsWith('/show') && r.request().method() === 'POST',
      );
      await emailed.goto(`${listed.origin}/?visitor=cust-w2`);
      expect(await (await shown).json()).toEqual({ show: false, reason: 'throttled' });
      expect(await emailed.locator('[data-surveyflow]').count()).toBe(0);

      // A stranger's site with the same key: the request is refused and nothing shows.
      const stranger = await shopSiteWithKey(shop, keyHolder);
      sites.push(stranger);
      const other = await context.newPage();
      const failed = other.waitForEvent('requestfailed', (r) => r.url().includes('/w/v1/'));
      await other.goto(`${stranger.origin}/?visitor=cust-w3`);
      await failed;
      expect(await other.locator('[data-surveyflow]').count()).toBe(0);
      const refused = await fetch(`${shop.publicUrl}/w/v1/${keyHolder.key}/show`, {
        method: 'POST',
        headers: { origin: stranger.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ visitor: { id: 'cust-w3' } }),
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${shop.publicUrl}/w/v1/${keyHolder.key}/show`, {
        method: 'OPTIONS',
        headers: { origin: stranger.origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(
        (await shop.system.ctx.database.sql`select 1 from contacts where external_id = 'cust-w3'`).length,
      ).toBe(0);
      await context.close();
    } finally {
      for (const s of sites) await s.close();
    }
  });

  test('anonymous visitors only when the survey allows it; one answer per showing however often it is sent', {
    timeout: 90_000,
  }, async ({ shopWith }) => {
    const shop = await shopWith({ listen: true });
    const { survey } = await setUp(shop);
    const origin = 'http://localhost:8999';
    const { key } = (
      await shop.api('POST', '/v1/publishable-keys', {
        name: 'Site',
        surveyIds: [survey.id],
        allowedOrigins: [origin],
      })
    ).json();
    const call = (path: string, body: unknown) =>
      fetch(`${shop.publicUrl}/w/v1/${key}/${path}`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await (await call('show', {})).json()).toEqual({ show: false, reason: 'anonymous_not_allowed' });
    expect((await shop.api('PATCH', `/v1/surveys/${survey.id}`, { widgetAnonymous: true })).statusCode).toBe(
      200,
    );
    const shown = await call('show', { visitor: null });
    expect(shown.headers.get('access-control-allow-origin')).toBe(origin);
    const { token, show } = await shown.json();
    expect(show).toBe(true);
    expect((await call('answer', { token, score: 9 })).status).toBe(201);
    expect((await call('answer', { token, score: 9, comment: 'Nice shop' })).status).toBe(200);
    expect((await call('answer', { token: `${token}x`, score: 9 })).status).toBe(404);
    expect((await call('answer', { token, score: 11 })).status).toBe(400);
    const rows = await shop.system.ctx.database
      .sql`select score, comment, channel, contact_id from responses`;
    expect(rows).toEqual([{ score: 9, comment: 'Nice shop', channel: 'widget', contact_id: null }]);

    // In a browser: an anonymous visitor is asked once, in their language; Escape closes the panel; the
    // localStorage mark keeps this browser from being asked again.
    const holder = { key };
    const site = await shopSiteWithKey(shop, holder);
    const allowed = await shop.api('POST', '/v1/publishable-keys', {
      name: 'Anonymous site',
      surveyIds: [survey.id],
      allowedOrigins: [site.origin],
    });
    holder.key = allowed.json().key;
    const context = await browser.newContext({ locale: 'ru-RU' });
    try {
      const page = await context.newPage();
      await page.goto(`${site.origin}/?anonymous`);
      await panel(page).waitFor({ timeout: 20_000 });
      expect(await panel(page).getAttribute('lang')).toBe('ru');
      expect(await page.locator('[data-surveyflow] .close').getAttribute('aria-label')).toBe('Закрыть');
      // Focus is in the panel (on its question) when it opens; Escape closes it.
      expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-surveyflow'))).toBe(true);
      await page.keyboard.press('Escape');
      expect(await page.locator('[data-surveyflow]').count()).toBe(0);
      let asked = 0;
      page.on('request', (r) => {
        if (r.url().endsWith('/show')) asked++;
      });
      await page.reload();
      await page.waitForLoadState('load');
      expect(asked).toBe(0);
      expect(await page.locator('[data-surveyflow]').count()).toBe(0);
    } finally {
      await context.close();
      await site.close();
    }

    // Revoked: the widget stops at once.
    const listedKey = (await shop.api('GET', '/v1/publishable-keys'))
      .json()
      .data.find((k: { key: string }) => k.key === key);
    expect((await shop.api('DELETE', `/v1/publishable-keys/${listedKey.id}`)).statusCode).toBe(204);
    expect((await call('show', {})).status).toBe(404);
  });

  test('a key that verifies identity: shown to a visitor the shop signed; unsigned or wrongly signed, nothing shows and /w/v1 names visitor.signature', {
    timeout: 90_000,
  }, async ({ shopWith }) => {
    const shop = await shopWith({ listen: true });
    const { survey } = await setUp(shop);
    const holder = { key: '' };
    const site = await shopSiteWithKey(shop, holder);
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const created = (
        await shop.api('POST', '/v1/publishable-keys', {
          name: 'Verified site',
          surveyIds: [survey.id],
          allowedOrigins: [site.origin],
        })
      ).json();
      holder.key = created.key;
      expect(created).toMatchObject({ requireIdentity: false, hasIdentitySecret: false });
      // Requiring a signature needs a secret to sign with first.
      const early = await shop.api('PATCH', `/v1/publishable-keys/${created.id}`, { requireIdentity: true });
      expect(early.statusCode).toBe(409);
      expect(early.json().error.details[0].field).toBe('requireIdentity');
      const rotated = await shop.api('POST', `/v1/publishable-keys/${created.id}/identity-secret`);
      expect(rotated.statusCode).toBe(201);
      const secret: string = rotated.json().identitySecret;
      expect(secret).toMatch(/^sfid_/);
      // Shown once: no read gives it back.
      expect(JSON.stringify((await shop.api('GET', '/v1/publishable-keys')).json())).not.toContain(secret);
      const required = await shop.api('PATCH', `/v1/publishable-keys/${created.id}`, {
        requireIdentity: true,
      });
      expect(required.json()).toMatchObject({ requireIdentity: true, hasIdentitySecret: true });

      // What the shop's server does (the README's snippet).
      const sign = (id: string) => createHmac('sha256', secret).update(id).digest('hex');
      const visit = async (query: string) => {
        const page = await context.newPage();
        const shown = page.waitForResponse(
          (r) => r.url().endsWith('/show') && r.request().method() === 'POST',
        );
        await page.goto(`${site.origin}/?${query}`);
        const response = await shown;
        return { page, status: response.status(), body: await response.json() };
      };
      const unsigned = await visit('visitor=cust-v1');
      expect(unsigned.status).toBe(400);
      expect(unsigned.body.error.details[0].field).toBe('visitor.signature');
      const forged = await visit(`visitor=cust-v1&signature=${sign('cust-v2')}`);
      expect(forged.status).toBe(403);
      expect(forged.body.error).toMatchObject({ code: 'invalid_signature' });
      expect(forged.body.error.details[0].field).toBe('visitor.signature');
      for (const refused of [unsigned, forged]) {
        expect(await refused.page.locator('[data-surveyflow]').count()).toBe(0);
      }
      // Refused before anything is stored for the claimed visitor.
      expect(
        (await shop.system.ctx.database.sql`select 1 from contacts where external_id = 'cust-v1'`).length,
      ).toBe(0);

      const signed = await visit(`visitor=cust-v1&signature=${sign('cust-v1')}`);
      expect(signed.status).toBe(200);
      expect(signed.body.show).toBe(true);
      await panel(signed.page).waitFor({ timeout: 20_000 });

      // Replacing the secret invalidates the old signatures at once.
      await shop.api('POST', `/v1/publishable-keys/${created.id}/identity-secret`);
      const stale = await fetch(`${shop.publicUrl}/w/v1/${holder.key}/show`, {
        method: 'POST',
        headers: { origin: site.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ visitor: { id: 'cust-v3', signature: sign('cust-v3') } }),
      });
      expect(stale.status).toBe(403);
    } finally {
      await context.close();
      await site.close();
    }
  });
});

/** A shop's own web server on loopback (localhost, not the collector's 127.0.0.1: another origin), with whatever key the holder has when the page is asked for. */
async function shopSiteWithKey(shop: Shop, holder: { key: string }) {
  const server: Server = createServer((request, response) => {
    const inner = shopSiteHtml(`${shop.publicUrl}/w.js`, holder.key, request.url ?? '/');
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(inner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** One page with the snippet; ?visitor=… makes it identify that visitor (with ?signature=… signed), ?anonymous asks without one. Its CSS is hostile on purpose. */
function shopSiteHtml(widgetUrl: string, key: string, path: string) {
  const url = new URL(path, 'http://localhost');
  const visitor = url.searchParams.get('visitor');
  const identify = visitor
    ? `surveyflow('identify', ${JSON.stringify({ id: visitor, email: `${visitor}@example.com`, locale: 'en', properties: { page: 'checkout' }, ...(url.searchParams.has('signature') ? { signature: url.searchParams.get('signature') } : {}) })});`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<style>body{font:16px serif;margin:0;padding:24px} button{all:unset;color:red} h2{font-size:60px;color:green}</style></head>
<body><main><h1>The Shop</h1><p>Thank you for your order.</p><a href="/">Continue shopping</a></main>
<script>window.surveyflow=window.surveyflow||function(){(surveyflow.q=surveyflow.q||[]).push(arguments)};${identify}</script>
<script async src="${widgetUrl}" data-key="${key}"${url.searchParams.has('anonymous') ? ' data-anonymous' : ''}></script></body></html>`;
}
