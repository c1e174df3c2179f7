// The console in Chromium, JavaScript off (the pages need none): sign in by the emailed link, invite a teammate as agent, create an API key, the teammate signs in by the invitation. Every page at 360 and 1280 px, screenshotted, 0 axe-core violations.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOwner } from '@surveyflow/core';
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

/**
 * Looks at the page at both widths: a screenshot each, nothing wider than the screen, and (where the
 * context runs scripts, which axe-core needs) no axe-core violation.
 */
async function check(page: Page, name: string, axe = true) {
  await lookAt(page, `console-${name}`, { axe });
}

const linkIn = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

describe('the console in Chromium', () => {
  test('sign in by the emailed link, invite a teammate as agent, the teammate signs in by the invitation', {
    timeout: 90_000,
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
    const owner = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = await owner.newPage();
    await page.goto(`${shop.publicUrl}/app`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await check(page, 'sign-in');

    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
    await check(page, 'check-email');

    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    const link = linkIn(mail.text);
    expect(link).not.toBe('');
    await page.goto(link);
    expect(await page.textContent('h1')).toBe('Sign in to Surveyflow');
    await check(page, 'confirm');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Signed in as owner@shop.test');
    expect(new URL(page.url()).pathname).toBe('/app');
    await check(page, 'home');

    // Team and API keys are tabs of the settings.
    await page.goto(new URL('/app/team', page.url()).href);
    await page.fill('#invite-email', 'ann@shop.test');
    await page.selectOption('#invite-role', 'agent');
    await page.click('text=Send invitation');
    await page.waitForSelector('text=Invitation sent to ann@shop.test.');
    await check(page, 'team');

    // API keys: create one (shown once, on the answer), then the list without it.
    await page.click('nav.tabs >> text=API keys');
    await page.fill('#key-name', 'Shop backend');
    await page.check('input[name=scopes][value="events:write"]');
    await page.click('text=Create key');
    await page.waitForSelector('text=it will not be shown again');
    expect(await page.textContent('[data-testid=new-key]')).toMatch(/^sf_live_/);
    await check(page, 'keys-created');
    await page.click('nav.tabs >> text=API keys');
    expect(await page.locator('[data-testid=new-key]').count()).toBe(0);
    await check(page, 'keys');
    // A publishable key for the on-site widget: listed with its script tag, which wraps on a phone.
    await page.fill('#pk-name', 'Shop site');
    await page.check('input[name=surveyIds]');
    await page.fill('#pk-origins', 'https://shop.example');
    await page.click('text=Create publishable key');
    await page.waitForSelector('text=Publishable key created');
    await check(page, 'keys-publishable');
    // Identity verification for that key: the secret is shown once, then signed identifies are required.
    await page.click('text=Create identity secret');
    await page.waitForSelector('[data-testid=identity-secret]');
    expect(await page.textContent('[data-testid=identity-secret]')).toMatch(/^sfid_/);
    await check(page, 'keys-identity-secret');
    await page.click('text=Require signed identify');
    await page.waitForSelector('text=Signed identify is now required for this key.');
    await check(page, 'keys-identity-required');

    // Ann opens the invitation in her own browser, in Polish, with JavaScript off. (Opening it is
    // harmless, so the checker looks at the same page first.)
    const invitation = await smtp.waitFor((m) => m.to.includes('ann@shop.test'));
    const checker = await (await browser.newContext({ bypassCSP: true, locale: 'pl-PL' })).newPage();
    await checker.goto(linkIn(invitation.text));
    expect(await checker.getAttribute('html', 'lang')).toBe('pl');
    await check(checker, 'confirm-pl');
    const ann = await (await browser.newContext({ javaScriptEnabled: false, locale: 'pl-PL' })).newPage();
    await ann.goto(linkIn(invitation.text));
    await ann.click('button[type=submit]');
    // Her first sign-in keeps her browser's language as her own.
    await ann.waitForSelector('text=Zalogowano jako ann@shop.test');
    expect(await ann.textContent('main')).toContain('Twoja rola w Shop: Agent');

    // The agent's team page shows the team without the forms to change it.
    await ann.goto(new URL('/app/team', ann.url()).href);
    expect(await ann.locator('form[action="/app/team/invite"]').count()).toBe(0);
    expect(await ann.textContent('main')).toContain(
      'Zespół mogą zmieniać tylko administratorzy i właściciele.',
    );
    await check(ann, 'team-agent', false);

    // The owner sees Ann signed in, in the list, as an agent.
    await page.click('nav.tabs >> text=Team');
    const row = page.locator('tr', { hasText: 'ann@shop.test' });
    expect(await row.locator('select').inputValue()).toBe('agent');
    await owner.close();
  });
});
