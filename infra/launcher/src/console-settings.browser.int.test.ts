// Settings in Chromium: the owner signs in by the emailed link, sets the accent (keyboard only) and uploads a logo, a survey
// page wears them, a webhook answers "Send test", a teammate invited as agent sees what she cannot do. Every settings page at
// 360 and 1280 px, screenshotted, 0 axe-core violations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOwner, verifyWebhook } from '@surveyflow/core';
import { launchChromium, lookAt, startHttpReceiver } from '@surveyflow/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, onTestFinished } from 'vitest';
import { logoPng, OWNER } from './console-agent.ts';
import { SHOP_KEY, test } from './testing.ts';

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
  await lookAt(page, `settings-${name}`);
}

/** Presses Tab until the element `selector` has the focus (a person with only a keyboard does the same). */
async function tabTo(page: Page, selector: string) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement === document.querySelector(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

const linkIn = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

describe('settings in Chromium', () => {
  test('owner brands the survey pages and tests a webhook; an agent sees what she cannot do', {
    timeout: 240_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const base = shop.publicUrl;
    const [ws] = await shop.system.ctx.database.sql<{ id: string }[]>`select id from workspaces`;
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: new Date(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });

    // The pages send no script; this context runs them only for axe-core (injected past our CSP).
    const owner = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = await owner.newPage();
    await page.goto(`${base}/app/sign-in`);
    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
    await page.goto(linkIn((await smtp.waitFor((m) => m.to.includes(OWNER))).text));
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Signed in as owner@shop.test');

    // Workspace settings, filled with the keyboard only: Tab to the field, type, Enter submits.
    await page.goto(`${base}/app/settings`);
    await check(page, 'workspace');
    await tabTo(page, '#ws-auditRetentionDays');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('120');
    await tabTo(page, '#ws-globalContactDays');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('60');
    await tabTo(page, '#ws-quiet-email');
    await page.keyboard.press('Space');
    // Enter in a text field submits its form, as in every browser.
    await tabTo(page, '#ws-emailRatePerSecond');
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Settings saved.');
    const saved = (await shop.api('GET', '/v1/workspace')).json();
    expect(saved).toMatchObject({
      globalContactDays: 60,
      auditRetentionDays: 120,
      quietHoursChannels: ['email', 'sms'],
    });
    await check(page, 'workspace-saved');

    // A refused value is said at its field.
    await page.fill('#ws-referralUrl', 'ftp://shop.test');
    await page.click('text=Save settings');
    await page.waitForSelector('#ws-referralUrl-error');
    await check(page, 'workspace-error');

    // Branding: a yellow too light for text is refused, with a darker shade offered; teal is taken (keyboard only).
    await page.goto(`${base}/app/settings/branding`);
    await check(page, 'branding');
    await tabTo(page, '#brand-accent-input');
    await page.keyboard.type('#facc15');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#brand-accent-input-error');
    expect(await page.textContent('#brand-accent-input-error')).toContain('nearest darker shade');
    await check(page, 'branding-refused');
    await tabTo(page, '#brand-accent-input');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('#0f766e');
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Accent colour saved.');
    const file = join(SHOTS, 'shop-logo.png');
    writeFileSync(file, await logoPng());
    await page.setInputFiles('#brand-logo-file', file);
    await page.click('text=Upload logo');
    await page.waitForSelector('text=Logo saved.');
    expect(
      await page.evaluate(
        () => (document.querySelector('.logo-preview img') as HTMLImageElement).naturalWidth,
      ),
    ).toBeGreaterThan(0);
    await check(page, 'branding-saved');

    // A survey page wears the logo and the accent.
    const event = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SHOP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'order-browser-1',
        type: 'order.delivered',
        contact: { id: 'c-1', email: 'jane@example.com', locale: 'en' },
      }),
    });
    expect(event.status).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes('jane@example.com'));
    const survey = /http:\/\/[^\s]+\/s\/[A-Za-z0-9_-]{32}/.exec(mail.text)?.[0] ?? '';
    const respondent = await (await browser.newContext({ bypassCSP: true })).newPage();
    await respondent.goto(survey);
    await respondent.click('label[for="score-9"]');
    expect(
      await respondent.evaluate(
        () => (document.querySelector('.brand img') as HTMLImageElement).naturalWidth,
      ),
    ).toBeGreaterThan(0);
    expect(
      await respondent.evaluate(
        () => getComputedStyle(document.querySelector('button[type=submit]') as Element).backgroundColor,
      ),
    ).toBe('rgb(15, 118, 110)');
    await check(respondent, 'survey-page');

    // Webhooks: add one (its secret shown once), send a test to a real receiver, see it in the log.
    let secret = '';
    const receiver = await startHttpReceiver((r) =>
      verifyWebhook(secret, r.headers, r.body, new Date()) ? 200 : 401,
    );
    onTestFinished(() => receiver.close());
    await page.goto(`${base}/app/settings/webhooks`);
    await check(page, 'webhooks-empty');
    await page.fill('#new-url', receiver.url);
    await page.check('#new-event-case\\.created');
    await page.click('text=Add endpoint');
    secret = (await page.textContent('[data-testid=webhook-secret]')) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await check(page, 'webhooks-created');
    await page.click('table.data a[href^="/app/settings/webhooks/"]');
    await page.click('text=Send test');
    await page.waitForSelector('text=Test delivered: your endpoint answered HTTP 200.');
    expect(await page.textContent('table.data')).toContain('webhook.test');
    expect(receiver.requests[0]?.headers['webhook-signature']).toMatch(/^v1,/);
    await check(page, 'webhook-log');

    // The owner invites Ann as agent; she signs in by her invitation and sees what she cannot do.
    await page.goto(`${base}/app/team`);
    await page.fill('#invite-email', 'ann@shop.test');
    await page.selectOption('#invite-role', 'agent');
    await page.click('text=Send invitation');
    await page.waitForSelector('text=Invitation sent to ann@shop.test.');
    const invitation = await smtp.waitFor((m) => m.to.includes('ann@shop.test'));
    const ann = await (await browser.newContext({ bypassCSP: true, locale: 'en-GB' })).newPage();
    await ann.goto(linkIn(invitation.text));
    await ann.click('button[type=submit]');
    await ann.waitForSelector('text=Signed in as ann@shop.test');
    await ann.goto(`${base}/app/settings`);
    expect(await ann.textContent('main')).toContain('Only admins and owners can change these settings.');
    expect(await ann.locator('main form').count()).toBe(0);
    expect(await ann.locator('nav.tabs a').allTextContents()).toEqual(['Workspace', 'Team']);
    await check(ann, 'workspace-agent');
    const forbidden = await ann.goto(`${base}/app/settings/webhooks`);
    expect(forbidden?.status()).toBe(403);
    // A direct POST, with a valid CSRF token of her own, is refused.
    await ann.goto(`${base}/app`);
    const token = (await ann.getAttribute('input[name=_csrf]', 'value')) ?? '';
    const post = await ann.request.post(`${base}/app/settings/branding`, {
      form: { _csrf: token, accentColor: '#0f766e' },
      headers: { accept: 'text/html' },
    });
    expect(post.status()).toBe(403);
    await owner.close();
  });
});
