// The overview and the responses feed in Chromium: answers arrive through real survey links (one answered on the survey page
// itself), the owner signs in by the emailed link, the overview shows the score with its interval and the chart, the feed is
// filtered by keyboard (Tab, typing, Enter; a script swaps the list in), the CSV export holds exactly the filtered rows, and the
// same form works with JavaScript off. Every page at 360 and 1280 px: screenshot, no sideways scroll, 0 axe-core violations.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOwner, ManualClock } from '@surveyflow/core';
import { launchChromium, lookAt } from '@surveyflow/testkit';
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

async function check(page: Page, name: string, axe = true) {
  await lookAt(page, `console-${name}`, { axe });
}

const linkIn = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

type Answer = { score: number; store: string; comment?: string };
/** Four weeks of answers, a week apart, the score rising as late deliveries get rarer. */
const weeks: Answer[][] = [
  [
    { score: 3, store: 'Kraków', comment: 'The parcel was late' },
    { score: 2, store: 'Kraków', comment: 'Late delivery, cold food' },
    { score: 9, store: 'Warsaw' },
    { score: 6, store: 'Gdańsk', comment: 'Late by a day' },
    { score: 8, store: 'Warsaw' },
  ],
  [
    { score: 10, store: 'Warsaw', comment: 'Quick and friendly' },
    { score: 5, store: 'Kraków' },
    { score: 7, store: 'Gdańsk' },
    { score: 9, store: 'Kraków' },
    { score: 4, store: 'Warsaw', comment: 'Wrong size' },
  ],
  [
    { score: 10, store: 'Gdańsk', comment: 'Best shop in town' },
    { score: 9, store: 'Warsaw' },
    { score: 8, store: 'Kraków' },
    { score: 10, store: 'Warsaw' },
    { score: 6, store: 'Gdańsk' },
  ],
  [
    { score: 10, store: 'Warsaw', comment: 'Arrived early' },
    { score: 9, store: 'Kraków' },
    { score: 10, store: 'Gdańsk' },
    { score: 7, store: 'Warsaw' },
    { score: 9, store: 'Kraków', comment: 'Good packaging' },
  ],
];
const answers = weeks.flat();
const DAY = 86_400_000;

/** Presses Tab until the element with this id has the focus (at most 60 times): the form is reachable by keyboard. */
async function tabTo(page: Page, id: string) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((want) => document.activeElement?.id === want, id)) return;
  }
  throw new Error(`#${id} is not reachable by Tab`);
}

describe('the overview and responses in Chromium', () => {
  test('answers through survey links; sign in by the emailed link; the overview; filter by keyboard; export CSV; JavaScript off', {
    timeout: 240_000,
  }, async ({ shopWith, smtp }) => {
    // The system's clock starts four weeks back and moves a week at a time, so the trend has weeks to show.
    const now = Date.now();
    const clock = new ManualClock(new Date(now - 24 * DAY));
    const shop = await shopWith({ clock, listen: true, env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { api } = shop;
    const [ws] = await shop.system.ctx.database.sql<{ id: string }[]>`select id from workspaces`;

    // Customers get their invitations; the first answers on the survey page in a browser, the rest post the same form over HTTP.
    const customer = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    let i = 0;
    for (const [week, batch] of weeks.entries()) {
      clock.set(new Date(now - (24 - 7 * week) * DAY));
      const sent = await api('POST', '/v1/events/batch', {
        events: batch.map((_, k) => ({
          id: `order-${i + k}`,
          type: 'order.delivered',
          contact: { id: `cust-${i + k}`, email: `cust-${i + k}@example.com`, name: `Customer ${i + k}` },
          properties: { store: batch[k]?.store, product: (i + k) % 2 ? 'pizza' : 'sushi' },
        })),
      });
      expect(sent.statusCode).toBe(202);
      for (const a of batch) {
        const mail = await smtp.waitFor((m) => m.to.includes(`cust-${i}@example.com`), 120_000);
        const link = /href="(https?:\/\/[^"?]+\/s\/[^"?]+)\?score=/.exec(mail.html ?? '')?.[1];
        if (!link) throw new Error(`no survey link for cust-${i}`);
        i++;
        if (i === 1) {
          // The email's score preselected, the reason typed, the answer sent by the button.
          await customer.goto(`${link}?score=${a.score}`);
          expect(await customer.isChecked(`#score-${a.score}`)).toBe(true);
          await customer.fill('#comment', a.comment ?? '');
          await customer.click('button[type=submit]');
          await customer.waitForLoadState();
          continue;
        }
        const form = new URLSearchParams({ score: String(a.score), comment: a.comment ?? '' });
        if (!a.comment) form.set('skip', '1');
        const posted = await fetch(link, {
          method: 'POST',
          body: form,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(posted.status).toBe(200);
      }
    }
    clock.set(new Date(now));
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: clock.now(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const all = async (q: string) =>
      (await api('GET', `/v1/responses?limit=500&${q}`)).json().data as {
        id: string;
        comment: string | null;
      }[];
    await expect.poll(async () => (await all('')).length, { timeout: 30_000 }).toBe(answers.length);
    expect((await all('q=late'))[0]?.comment).toBeTruthy();

    // The owner signs in by the emailed link.
    const owner = await browser.newContext({ bypassCSP: true, locale: 'en-GB', acceptDownloads: true });
    const page = await owner.newPage();
    await page.goto(`${shop.publicUrl}/app`);
    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    await page.goto(linkIn(mail.text));
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Signed in as owner@shop.test');

    // The overview: the API's score, interval and n; marked too thin to read; the chart with its band, its figures in a table.
    const metrics = (
      await api(
        'GET',
        `/v1/metrics?surveyId=${survey.id}&from=${new Date(now - 30 * DAY).toISOString()}&to=${new Date(now).toISOString()}`,
      )
    ).json();
    const en = (x: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(x);
    expect(await page.textContent('[data-testid=score]')).toBe(en(metrics.score));
    expect(await page.textContent('[data-testid=interval]')).toBe(
      `95 % interval ${en(metrics.ci.low)} to ${en(metrics.ci.high)}`,
    );
    expect(await page.textContent('[data-testid=n]')).toBe(`n = ${answers.length}`);
    await page.waitForSelector('text=Too few answers to read');
    expect(await page.locator('.chart-wide svg path').count()).toBeGreaterThan(3);
    expect(await page.locator('details table tbody tr').count()).toBeGreaterThanOrEqual(30);
    // A point a week: the form, then the table under the chart opened.
    await page.selectOption('#ov-granularity', 'week');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/granularity=week/);
    await page.click('text=Figures of the trend');
    expect(await page.locator('details table tbody tr').count()).toBeGreaterThanOrEqual(5);
    await page.selectOption('#ov-property-name', 'store');
    await page.click('section[aria-labelledby=ov-property] button');
    await page.waitForSelector('td:has-text("Gdańsk")');
    await check(page, 'overview');

    // The feed, filtered by keyboard only: Tab to the search, type, Enter; then the comment checkbox by Space, Enter.
    await page.click('nav.main >> text=Responses');
    await page.waitForSelector('#feed-filters');
    expect(await page.locator('#feed tbody tr').count()).toBe(answers.length);
    await check(page, 'responses');
    await tabTo(page, 'f-q');
    await page.keyboard.type('late');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=late/, { waitUntil: 'commit' });
    const late = await all('q=late');
    await expect.poll(() => page.locator('#feed tbody tr').count()).toBe(late.length);
    expect(late.length).toBe(3);
    await tabTo(page, 'f-segment');
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('#f-segment')).toBe('detractor');
    await tabTo(page, 'f-apply');
    await page.keyboard.press('Enter');
    await page.waitForURL(/segment=detractor/, { waitUntil: 'commit' });
    const lateDetractors = await all('q=late&segment=detractor');
    await expect.poll(() => page.locator('#feed tbody tr').count()).toBe(lateDetractors.length);
    expect(lateDetractors.length).toBe(3);
    await page.click('a[href="/app/contacts/cust-0"]', { trial: true });

    // Export what is filtered: the CSV's rows are exactly those answers.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export')]);
    const csv = readFileSync(String(await download.path()), 'utf8');
    const ids = csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(ids).toEqual(lateDetractors.map((r) => r.id));
    await check(page, 'responses-filtered');

    // With JavaScript off the same form submits as a plain GET.
    const plain = await browser.newContext({
      javaScriptEnabled: false,
      storageState: await owner.storageState(),
    });
    const off = await plain.newPage();
    await off.goto(`${shop.publicUrl}/app/responses`);
    await off.selectOption('#f-segment', 'promoter');
    await off.click('#feed-filters button[type=submit]');
    await off.waitForURL(/segment=promoter/);
    expect(await off.locator('#feed tbody tr').count()).toBe((await all('segment=promoter')).length);
    await off.goto(`${shop.publicUrl}/app`);
    expect(await off.textContent('[data-testid=n]')).toBe(`n = ${answers.length}`);
    await check(off, 'overview-nojs', false);
    await plain.close();
    await owner.close();
  });
});
