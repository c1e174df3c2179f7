// The survey page in a real browser (Debian chromium via playwright-core): without JavaScript, and with it (one-click records itself).
import { type AppContext, closeContext, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import {
  anEvent,
  launchChromium,
  seedWorkspace,
  sentInvitation,
  testConfig,
  test as withServers,
} from '@surveyflow/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { collector } from '../app.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The collector on a real port, over a seeded workspace. */
const test = withServers.extend<{ site: { ctx: AppContext; base: string; workspaceId: string } }>({
  site: async ({ db, redisUrl, queuePrefix }, use) => {
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    const app = await createServiceApp(ctx);
    await app.register(collector(ctx));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const { workspaceId } = await seedWorkspace(ctx.database);
    await use({ ctx, base: url, workspaceId });
    await app.close();
    await closeContext(ctx);
  },
});

describe('the survey page in Chromium', () => {
  test('a phone user with JavaScript off taps 9, submits, answers why, and is thanked; the response has both', async ({
    site: { ctx, base, workspaceId },
  }) => {
    const { token } = await sentInvitation(
      ctx.database,
      workspaceId,
      anEvent('order-9', { contact: { id: 'c-9', email: 'ola@example.com', locale: 'pl' } }),
    );
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    await page.goto(`${base}/s/${token}`);
    expect(await page.getAttribute('html', 'lang')).toBe('pl');
    expect(await page.locator('input[name=score]').count()).toBe(11);

    // Every score button is a comfortable tap target on a phone.
    for (const box of await page
      .locator('.scale label')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.right).toBeLessThanOrEqual(390);
    }

    await page.click('label[for=score-9]');
    await page.click('button[type=submit]');
    await page.waitForSelector('textarea[name=comment][required]');
    expect(await ctx.database.sql`select score, comment from responses`).toEqual([
      { score: 9, comment: null },
    ]);

    await page.fill('textarea[name=comment]', 'Szybka dostawa');
    await page.click('button[type=submit]:not(.secondary)');
    await page.waitForSelector('h1');
    expect(await page.textContent('h1')).toBe('Dziękujemy!');
    expect(await ctx.database.sql`select score, comment from responses`).toEqual([
      { score: 9, comment: 'Szybka dostawa' },
    ]);
    await page.close();
  });

  test('with JavaScript, the one-click link records the preselected score by itself once the page is seen, then asks why', async ({
    site: { ctx, base, workspaceId },
  }) => {
    const { token } = await sentInvitation(ctx.database, workspaceId, anEvent('order-7'));
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/s/${token}?score=7`);
    await page.screenshot({ path: '/tmp/sf-one-click.png' });
    // No click: the page posts the score it was opened with and moves on to "why?".
    await page.waitForSelector('textarea[name=comment][required]', { timeout: 10_000 });
    expect(await ctx.database.sql`select score, comment from responses`).toEqual([
      { score: 7, comment: null },
    ]);
    await page.screenshot({ path: '/tmp/sf-one-click-why.png' });

    // A person who starts changing the answer is not interrupted by the automatic send.
    const other = await sentInvitation(
      ctx.database,
      workspaceId,
      anEvent('order-8', { contact: { id: 'c-8', email: 'c8@example.com' } }),
    );
    const second = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await second.goto(`${base}/s/${other.token}?score=10`);
    await second.click('label[for=score-6]');
    await second.waitForTimeout(2000);
    expect(await ctx.database.sql`select score from responses where score = 6 or score = 10`).toEqual([]);
    await second.click('button[type=submit]');
    await second.waitForSelector('textarea[name=comment][required]');
    expect(await ctx.database.sql`select score from responses order by score`).toEqual([
      { score: 6 },
      { score: 7 },
    ]);
    await page.close();
    await second.close();
  });
});
