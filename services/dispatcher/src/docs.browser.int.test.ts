// The API reference at /docs in a real browser (Debian chromium via playwright-core): it renders offline, every
// resource is there, it fits a phone, and axe-core finds no WCAG violation. Screenshots land in $SCREENSHOT_DIR (default: the OS temp dir).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeContext, openContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { axeViolations, launchChromium, testConfig, test as withServers } from '@surveyflow/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { dispatcher } from './app.ts';

const SHOTS = join(tmpdir(), 'surveyflow-screenshots');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const test = withServers.extend<{ base: string }>({
  base: async ({ db, redisUrl, queuePrefix }, use) => {
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    const app = await createServiceApp(ctx);
    await app.register(dispatcher(ctx));
    await use(await app.listen({ port: 0, host: '127.0.0.1' }));
    await app.close();
    await closeContext(ctx);
  },
});

describe('/docs in Chromium', () => {
  for (const [name, width, height] of [
    ['desktop', 1280, 900],
    ['phone', 360, 780],
  ] as const) {
    test(`renders every resource of the API without leaving this host (${name}, ${width} px)`, async ({
      base,
    }) => {
      const page = await browser.newPage({ viewport: { width, height } });
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      await page.goto(`${base}/docs`);
      await page.getByText('Surveyflow API').first().waitFor({ timeout: 20_000 });
      if (name === 'phone')
        await page
          .getByRole('button', { name: /open menu/i })
          .first()
          .click();
      const text = ((await page.locator('body').textContent()) ?? '').toLowerCase();
      for (const tag of [
        'events',
        'surveys',
        'triggers',
        'invitations',
        'contacts',
        'responses',
        'cases',
        'webhooks',
      ]) {
        expect(text, `the reference shows ${tag}`).toContain(tag);
      }
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(SHOTS, `docs-${name}.png`) });
      expect(foreign).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }, 60_000);
  }
});
