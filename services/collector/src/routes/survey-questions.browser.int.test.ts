// A survey's extra questions in a real browser: shown after the score, optional, accessible, stored with the answer.
import { type AppContext, closeContext, openContext, updateSurvey } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import {
  anEvent,
  axeViolations,
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

const questions = [
  {
    id: 'delivery',
    type: 'rating' as const,
    scale: '1-5' as const,
    label: { en: 'Delivery', pl: 'Dostawa', ru: 'Доставка' },
  },
  {
    id: 'product',
    type: 'rating' as const,
    scale: '1-5' as const,
    label: { en: 'Product quality', pl: 'Jakość produktu', ru: 'Качество товара' },
  },
  {
    id: 'bought',
    type: 'choice' as const,
    label: { en: 'Who was it for?', pl: 'Dla kogo to było?', ru: 'Для кого это было?' },
    options: [
      { id: 'gift', label: { en: 'A gift', pl: 'Prezent', ru: 'Подарок' } },
      { id: 'self', label: { en: 'For me', pl: 'Dla mnie', ru: 'Для себя' } },
    ],
  },
  {
    id: 'more',
    type: 'text' as const,
    label: { en: 'Anything else?', pl: 'Coś jeszcze?', ru: 'Что-нибудь ещё?' },
  },
];

/** The collector on a real port, over a seeded workspace whose survey has extra questions. */
const test = withServers.extend<{ site: { ctx: AppContext; base: string; workspaceId: string } }>({
  site: async ({ db, redisUrl, queuePrefix }, use) => {
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    const app = await createServiceApp(ctx);
    await app.register(collector(ctx));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const { workspaceId, survey } = await seedWorkspace(ctx.database);
    await updateSurvey(ctx.database, workspaceId, survey.id, { questions });
    await use({ ctx, base: url, workspaceId });
    await app.close();
    await closeContext(ctx);
  },
});

describe('extra questions on the survey page in Chromium', () => {
  test('a Polish customer taps 9, rates delivery 2 and picks "a gift", sends; 360 and 1280 px pass axe-core', async ({
    site: { ctx, base, workspaceId },
  }) => {
    const { token } = await sentInvitation(
      ctx.database,
      workspaceId,
      anEvent('order-q', { contact: { id: 'c-q', email: 'ola@example.com', locale: 'pl' } }),
    );
    for (const width of [360, 1280]) {
      // JavaScript on for axe-core (bypassing the page's CSP to inject it); no ?score, so nothing posts by itself.
      const page = await browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
      await page.goto(`${base}/s/${token}`);
      // The questions come after the main score, labelled in the contact's language from the survey.
      expect(await page.textContent('.extra h2')).toBe('Kilka dodatkowych pytań (opcjonalnie)');
      expect(await page.locator('.extra legend').allTextContents()).toEqual([
        'Dostawa (1–5)',
        'Jakość produktu (1–5)',
        'Dla kogo to było?',
      ]);
      const scoreTop = await page
        .locator('.scale')
        .first()
        .evaluate((e) => e.getBoundingClientRect().top);
      const extraTop = await page.locator('.extra').evaluate((e) => e.getBoundingClientRect().top);
      expect(extraTop).toBeGreaterThan(scoreTop);
      // Nothing extra is required: the main answer never waits for it.
      expect(await page.locator('.extra [required]').count()).toBe(0);
      for (const box of await page
        .locator('.extra .scale label')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(box.right).toBeLessThanOrEqual(width);
      }
      await page.click('label[for=score-9]');
      await page.click('label[for=q-delivery-2]');
      await page.check('input[name="answers.bought"][value=gift]');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `/tmp/sf-questions-${width}.png`, fullPage: true });
      await page.close();
    }

    const page = await browser.newPage({ viewport: { width: 360, height: 900 }, bypassCSP: true });
    await page.goto(`${base}/s/${token}`);
    await page.click('label[for=score-9]');
    await page.click('label[for=q-delivery-2]');
    await page.check('input[name="answers.bought"][value=gift]');
    await page.click('button[type=submit]');
    // No comment yet: the "why?" page asks, with the questions again (already answered ones kept).
    await page.waitForSelector('textarea[name=comment][required]');
    expect(await page.isChecked('#q-delivery-2')).toBe(true);
    expect(await ctx.database.sql`select score, answers from responses`).toEqual([
      { score: 9, answers: { delivery: 2, bought: 'gift' } },
    ]);
    // Rating product on the "why?" page and skipping the comment keeps the earlier answers.
    await page.click('label[for=q-product-4]');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/sf-questions-why-360.png', fullPage: true });
    await page.click('button.secondary');
    await page.waitForSelector('h1');
    expect(await ctx.database.sql`select score, answers from responses`).toEqual([
      { score: 9, answers: { delivery: 2, bought: 'gift', product: 4 } },
    ]);
    await page.close();
  });

  test("an answer off a question's scale is a 400 naming the field, and nothing is stored", async ({
    site: { ctx, workspaceId, base },
  }) => {
    const { token } = await sentInvitation(ctx.database, workspaceId, anEvent('order-r'));
    const res = await fetch(`${base}/s/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ score: 8, answers: { delivery: 9, colour: 'red' } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { field: string }[] } };
    expect(body.error.details.map((d) => d.field)).toEqual(['answers.delivery', 'answers.colour']);
    expect(await ctx.database.sql`select id from responses`).toEqual([]);
  });
});
