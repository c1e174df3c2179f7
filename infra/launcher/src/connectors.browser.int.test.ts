// The connectors pages in Chromium (they send no script of their own): create a Shopify connector (address, where to paste it, the secret once), a delivery in its log, a JSON connector's mapping and "test this payload". Each page at 360 and 1280 px, screenshotted, 0 axe-core violations.
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOwner } from '@surveyflow/core';
import { launchChromium, lookAt, platformPayloads } from '@surveyflow/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { OWNER } from './console-agent.ts';
import { test } from './testing.ts';

const SHOTS = join(tmpdir(), 'surveyflow-screenshots');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function check(page: Page, name: string) {
  await lookAt(page, `connectors-${name}`);
}

const linkIn = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

describe('the connectors pages in Chromium', () => {
  test('create a Shopify connector, see a delivery in its log; a JSON connector: mapping and test this payload', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const [ws] = await shop.system.ctx.database.sql<{ id: string }[]>`select id from workspaces`;
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: new Date(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });
    // The pages send no script; this context runs them only for axe-core (injected past our CSP).
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', javaScriptEnabled: true });
    const page = await context.newPage();
    await page.goto(`${shop.publicUrl}/app`);
    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    await page.goto(linkIn(mail.text));
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Signed in as owner@shop.test');

    await page.click('header >> text=Connectors');
    expect(new URL(page.url()).pathname).toBe('/app/connectors');
    await page.waitForSelector('text=No connector yet');
    await check(page, 'empty');

    await page.selectOption('#c-kind', 'shopify');
    await page.fill('#c-name', 'Main shop');
    await page.fill('#c-secret', 'shpss_browser_secret_0001');
    await page.click('text=Create connector');
    await page.waitForSelector('text=Connector “Main shop” created');
    const endpoint = (await page.textContent('[data-testid=endpoint]')) ?? '';
    expect(endpoint).toMatch(new RegExp(`^${shop.publicUrl}/hooks/[0-9a-f-]{36}$`));
    expect(await page.textContent('[data-testid=secret]')).toBe('shpss_browser_secret_0001');
    await expect(page.textContent('main')).resolves.toContain('Settings → Notifications → Webhooks');
    await check(page, 'created');

    // Shopify delivers an order to the pasted address; the connector's log shows it and its event.
    const body = platformPayloads.shopifyOrdersPaid();
    const delivered = await fetch(endpoint, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/paid',
        'x-shopify-webhook-id': 'wh-browser-1',
        'x-shopify-hmac-sha256': createHmac('sha256', 'shpss_browser_secret_0001')
          .update(body)
          .digest('base64'),
      },
    });
    expect(delivered.status).toBe(200);
    await page.goto(`${shop.publicUrl}/app/connectors`);
    expect(await page.textContent('table.data')).not.toContain('shpss_browser_secret_0001');
    await page.click('text=Main shop');
    await page.waitForSelector('text=shopify:820982911946154508:order.paid');
    await check(page, 'shopify');

    // A JSON connector: the mapping, and a payload that lacks the contact.
    await page.goto(`${shop.publicUrl}/app/connectors`);
    await page.selectOption('#c-kind', 'json');
    await page.fill('#c-name', 'Acme');
    await page.fill(
      '#c-expression',
      '{ "id": "acme:" & ref, "type": "order.delivered", "contact": { "id": buyer.id, "email": buyer.mail } }',
    );
    await page.click('text=Create connector');
    await page.waitForSelector('text=Connector “Acme” created');
    await page.goto(`${shop.publicUrl}/app/connectors`);
    await page.click('text=Acme');
    await page.fill('#t-payload', '{ "ref": "A-1" }');
    await page.click('text=Show the event');
    await page.waitForSelector('text=It would be rejected: contact.id is missing');
    await check(page, 'json-missing');
    await page.fill('#t-payload', '{ "ref": "A-1", "buyer": { "id": "u-1", "mail": "u1@example.com" } }');
    await page.click('text=Show the event');
    await page.waitForSelector('text=It would make this event');
    expect(await page.textContent('[data-testid=test-result]')).toContain('"id": "acme:A-1"');
    await check(page, 'json-event');
    await context.close();
  });
});
