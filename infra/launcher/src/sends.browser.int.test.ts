// The list-sends pages in Chromium: the empty list, a CSV uploaded through the form (JavaScript off: the page
// needs none), the send's page with its counts and bad rows, pause and resume. At 360 and 1280 px, screenshotted,
// 0 axe-core violations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, lookAt, waitFor } from '@surveyflow/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { signedInOwner } from './console-agent.ts';
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

/** Both widths: a screenshot each, nothing wider than the screen, no axe-core violation (where scripts run). */
async function check(page: Page, name: string, axe = true) {
  await lookAt(page, `sends-${name}`, { axe });
}

describe('list sends in the console', () => {
  test('upload a CSV, watch its counts, see its bad rows by line, pause and resume', {
    timeout: 180_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const agent = await signedInOwner(shop, smtp);
    const csv = join(SHOTS, 'contacts.csv');
    const rows = ['id,email,name,timezone'];
    for (let i = 0; i < 300; i++) rows.push(`c-${i},c${i}@example.com,Kim ${i},Europe/Warsaw`);
    rows.push('c-300,not-an-address,Bad,Europe/Warsaw', ',nobody@example.com,No id,UTC');
    writeFileSync(csv, `${rows.join('\n')}\n`);

    // Scripts off for the journey; a second context (scripts on, CSP bypassed) only for axe-core.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
    const axeContext = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const cookies = [...agent.jar].map(([name, value]) => ({ name, value, url: shop.publicUrl }));
    await context.addCookies(cookies);
    await axeContext.addCookies(cookies);
    const page = await context.newPage();
    const looker = await axeContext.newPage();
    const look = async (url: string, name: string) => {
      await looker.goto(url);
      await check(looker, name);
    };

    await page.goto(`${shop.publicUrl}/app/sends`);
    expect(await page.textContent('main')).toContain('No list sends yet');
    await look(page.url(), 'empty');

    await page.setInputFiles('#send-file', csv);
    await page.selectOption('#send-channel-1', 'email');
    await page.check('#send-dry');
    await page.click('text=Start the send');
    await page.waitForSelector('text=The send has started');
    const sendUrl = page.url().replace(/\?.*$/, '');
    expect(sendUrl).toMatch(/\/app\/sends\/[0-9a-f-]{36}$/);

    // Without scripts, reloading is how the page moves.
    await waitFor(
      async () => {
        await page.goto(sendUrl);
        return (await page.textContent('#live'))?.includes('Done') ?? false;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const main = (await page.textContent('main')) ?? '';
    expect(main).toContain('302 of 302 rows planned');
    expect(main).toContain('invalid email: not-an-address');
    await look(sendUrl, 'send-done');

    await page.goto(`${shop.publicUrl}/app/sends`);
    expect(await page.locator('table progress').count()).toBe(1);
    await look(page.url(), 'list');

    // A real send of many rows, paused from its page and resumed.
    const many = ['id,email'];
    for (let i = 0; i < 20_000; i++) many.push(`m-${i},m${i}@example.com`);
    writeFileSync(csv, `${many.join('\n')}\n`);
    await page.setInputFiles('#send-file', csv);
    await page.fill('#send-at', '2030-01-01T10:00');
    await page.click('text=Start the send');
    await page.waitForSelector('text=The send has started');
    await page.click('button:has-text("Pause")');
    await page.waitForSelector('text=Paused: no more rows are planned');
    await look(page.url(), 'send-paused');
    await page.click('button:has-text("Resume")');
    await page.waitForSelector('text=Resumed.');
    await waitFor(
      async () => {
        await page.goto(page.url());
        return (await page.textContent('#live'))?.includes('Done') ?? false;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(await page.textContent('main')).toContain('20000 of 20000 rows planned');
    await context.close();
    await axeContext.close();
  });
});
