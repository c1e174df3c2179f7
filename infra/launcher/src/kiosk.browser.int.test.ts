// Kiosk mode in Chromium at tablet size: answer, thank-you, back to the start; through a network loss the answers
// wait on the tablet and each is recorded exactly once when it is back; the per-device limit still refuses
// stuffing; the same journey as plain forms without JavaScript. Pages at 1024×768 and 360 px, 0 axe violations.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIOSK_ANSWERS_PER_WINDOW } from '@surveyflow/core';
import { launchChromium, lookAt, waitFor } from '@surveyflow/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

const SHOTS = join(tmpdir(), 'surveyflow-screenshots');
const sizes = [
  { width: 1024, height: 768 },
  { width: 360, height: 740 },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function check(page: Page, name: string, axe = true) {
  await lookAt(page, `kiosk-${name}`, { axe, sizes, fullPage: false });
}

async function kioskLocation(shop: Shop) {
  const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
  const location = (await shop.api('POST', '/v1/locations', { surveyId: survey.id, name: 'Till 1' })).json();
  // Not a kiosk yet: /k/ knows nothing of it.
  expect((await shop.system.app.inject({ method: 'GET', url: `/k/${location.code}` })).statusCode).toBe(404);
  const patched = await shop.api('PATCH', `/v1/locations/${location.id}`, { kiosk: true });
  expect(patched.statusCode).toBe(200);
  expect(patched.json()).toMatchObject({ kiosk: true, kioskUrl: `${shop.publicUrl}/k/${location.code}` });
  return patched.json() as { kioskUrl: string; code: string };
}

const responses = async (shop: Shop) =>
  shop.system.ctx.database.sql<{ score: number; comment: string | null; idempotency_key: string }[]>`
    select score, comment, idempotency_key from responses order by created_at`;

describe('kiosk mode in Chromium', () => {
  test('answer, thank-you, back to the start; offline answers kept and each recorded once; stuffing refused', {
    timeout: 180_000,
  }, async ({ shopWith }) => {
    const shop = await shopWith({ listen: true });
    const { kioskUrl } = await kioskLocation(shop);
    // bypassCSP: the page runs only its own nonce'd script; axe-core is injected past it.
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', viewport: sizes[0] });
    const page = await context.newPage();
    await page.goto(kioskUrl);
    await check(page, 'start');
    const nine = await page.locator('#start button[value="9"]').boundingBox();
    expect(nine?.height).toBeGreaterThanOrEqual(64);

    await page.click('#start button[value="9"]');
    await page.locator('#why textarea').waitFor();
    await check(page, 'comment');
    await page.fill('#why textarea', 'Friendly staff');
    await page.click('#why button[type=submit]');
    await page.locator('#thanks h1').waitFor();
    await check(page, 'thanks');
    // Back to the start by itself.
    await page.locator('#start').waitFor({ timeout: 15_000 });
    await waitFor(async () => (await responses(shop)).length === 1);
    expect(await responses(shop)).toMatchObject([{ score: 9, comment: 'Friendly staff' }]);

    // The network goes: two more customers answer; nothing reaches the server, the tablet says it is keeping them.
    await context.setOffline(true);
    await page.click('#start button[value="4"]');
    await page.click('#why [data-skip]');
    await page.locator('#thanks h1').waitFor();
    await page.locator('#offline').waitFor();
    await page.locator('#start').waitFor({ timeout: 15_000 });
    await page.click('#start button[value="10"]');
    await page.fill('#why textarea', 'Fast');
    await page.click('#why button[type=submit]');
    await page.locator('#start').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'kiosk-offline-1024.png') });
    expect(
      await page.evaluate(
        () => JSON.parse(localStorage.getItem(Object.keys(localStorage)[0] ?? '') ?? '[]').length,
      ),
    ).toBe(2);
    expect(await responses(shop)).toHaveLength(1);

    // Back online: both are sent and recorded exactly once each; the note goes.
    await context.setOffline(false);
    await waitFor(async () => (await responses(shop)).length === 3, { timeoutMs: 30_000 });
    await page.locator('#offline').waitFor({ state: 'hidden' });
    const rows = await responses(shop);
    expect(rows.map((r) => [r.score, r.comment])).toEqual([
      [9, 'Friendly staff'],
      [4, null],
      [10, 'Fast'],
    ]);

    // A resend (the answer was recorded but its reply lost) changes nothing, even twice at once.
    const again = await page.evaluate(
      async ({ url, key }) =>
        Promise.all(
          [1, 2].map(() =>
            fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify({ key, score: 4 }),
            }).then(async (r) => [r.status, (await r.json()).status]),
          ),
        ),
      { url: new URL(kioskUrl).pathname, key: rows[1]?.idempotency_key ?? '' },
    );
    expect(again).toEqual([
      [200, 'unchanged'],
      [200, 'unchanged'],
    ]);
    expect(await responses(shop)).toHaveLength(3);

    // Stuffing from the tablet: new answers past the device's limit are refused.
    const statuses = await page.evaluate(async (url) => {
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ key: crypto.randomUUID(), score: 10 }),
        });
        out.push(r.status);
      }
      return out;
    }, new URL(kioskUrl).pathname);
    const accepted = KIOSK_ANSWERS_PER_WINDOW - 3;
    expect(statuses).toEqual([...Array(accepted).fill(201), ...Array(12 - accepted).fill(429)]);
    expect(await responses(shop)).toHaveLength(KIOSK_ANSWERS_PER_WINDOW);
    await context.close();
  });

  test('without JavaScript: score, comment, thank-you that goes back to the start', {
    timeout: 90_000,
  }, async ({ shopWith }) => {
    const shop = await shopWith({ listen: true });
    const { kioskUrl } = await kioskLocation(shop);
    const context = await browser.newContext({
      javaScriptEnabled: false,
      locale: 'pl-PL',
      viewport: sizes[0],
    });
    const page = await context.newPage();
    await page.goto(kioskUrl);
    expect(await page.getAttribute('html', 'lang')).toBe('pl');
    await page.click('#start button[value="6"]');
    await page.locator('textarea[name=comment]').waitFor();
    expect(await responses(shop)).toMatchObject([{ score: 6, comment: null }]);
    await page.screenshot({ path: join(SHOTS, 'kiosk-nojs-comment-1024.png') });
    await page.fill('textarea[name=comment]', 'Długa kolejka');
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Dziękujemy!' }).waitFor();
    expect(await responses(shop)).toMatchObject([{ score: 6, comment: 'Długa kolejka' }]);
    // The meta refresh takes the tablet back to the start.
    await page.locator('#start button[value="0"]').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe(new URL(kioskUrl).pathname);
    await context.close();
  });
});
