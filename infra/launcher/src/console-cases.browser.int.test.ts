// The detractor journey in Chromium on the real system: the owner signs in by the emailed link (keyboard only) and
// invites Ann; a customer answers 2 through the survey link; the case is in the inbox; the owner assigns it to Ann
// (keyboard only); Ann, in her own browser, resolves it with a closing message after the preview; the customer gets
// that email. Every page at 360 and 1280 px with 0 axe-core violations; the inbox and case read right without JavaScript.
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

/** Both widths: a screenshot each, nothing wider than the screen, and (where scripts run) no axe-core violation. */
async function check(page: Page, name: string, axe = true) {
  await lookAt(page, `cases-${name}`, { axe });
}

/** Presses Tab until the focused element matches `selector` (keyboard only: no clicks), at most `max` times. */
async function tabTo(page: Page, selector: string, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

const signInLink = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('the detractor journey in the console', () => {
  test('sign in, a detractor becomes a case, the owner assigns it to Ann, Ann resolves it with a previewed closing message, the customer gets it', {
    timeout: 240_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true, env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { api } = shop;
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    expect(
      (await api('PATCH', `/v1/surveys/${survey.id}`, { actions: [{ type: 'case', slaHours: 24 }] }))
        .statusCode,
    ).toBe(200);
    const [ws] = await shop.system.ctx.database.sql<{ id: string }[]>`select id from workspaces`;
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: new Date(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });

    // The owner signs in with the keyboard alone: Tab to the field, type, Enter; Tab to the button, Space.
    const ownerContext = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = await ownerContext.newPage();
    await page.goto(`${shop.publicUrl}/app/cases`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await tabTo(page, 'input[name=email]');
    await page.keyboard.type(OWNER);
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=Check your email');
    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    await page.goto(signInLink(mail.text));
    await tabTo(page, 'button[type=submit]');
    await page.keyboard.press('Space');
    await page.waitForSelector('text=Signed in as owner@shop.test');

    // An empty inbox says what to do next.
    await page.goto(`${shop.publicUrl}/app/cases?view=all`);
    expect(await page.textContent('main')).toContain('A case opens when a detractor answers');
    await check(page, 'inbox-empty');

    await page.goto(`${shop.publicUrl}/app/team`);
    await page.fill('#invite-email', 'ann@shop.test');
    await page.selectOption('#invite-role', 'agent');
    await page.click('text=Send invitation');
    await page.waitForSelector('text=Invitation sent to ann@shop.test.');

    // The customer: an order delivered, the invitation email, a 2 and a comment on the survey page (no JavaScript).
    await api('POST', '/v1/events', {
      id: 'order-dana',
      type: 'order.delivered',
      contact: { id: 'dana', email: 'dana@example.com', name: 'Dana' },
      properties: { orderId: 'A-1001', store: 'Kraków' },
    });
    const invitation = await smtp.waitFor((m) => m.to.includes('dana@example.com'));
    const surveyLink =
      /href="(http:\/\/[^"]+\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
    expect(surveyLink).not.toBe('');
    const customer = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await customer.goto(surveyLink);
    await customer.click('label[for=score-2]');
    await customer.click('button[type=submit]');
    await customer.waitForSelector('textarea[name=comment][required]');
    await customer.fill('textarea[name=comment]', 'The parcel arrived broken and nobody answered');
    await customer.click('button[type=submit]:not(.secondary)');
    await customer.waitForSelector('h1');

    // The case is in the owner's inbox (nothing is his, so it opens on the unassigned).
    const caseRow = page.locator('table.data tbody tr', { hasText: 'Dana (dana)' });
    await expect
      .poll(
        async () => {
          await page.goto(`${shop.publicUrl}/app/cases`);
          return caseRow.count();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(1);
    expect(await page.getAttribute('nav.tabs a[aria-current=page]', 'href')).toBe(
      '/app/cases?view=unassigned',
    );
    expect(await caseRow.textContent()).toMatch(
      /detractor.*Post-delivery NPS.*nobody.*due in (23 h \d+ min|1 d)/,
    );
    await check(page, 'inbox');

    // The same answer is in the responses feed, as a detractor with its comment, its contact one click away.
    await page.goto(`${shop.publicUrl}/app/responses?segment=detractor`);
    const answerRow = page.locator('table.data tbody tr', { hasText: 'The parcel arrived broken' });
    expect(await answerRow.count()).toBe(1);
    expect(await answerRow.locator('a[href="/app/contacts/dana"]').count()).toBe(1);
    await page.goto(`${shop.publicUrl}/app/cases`);

    // The owner opens it and assigns it to Ann with the keyboard alone.
    await tabTo(page, 'a.score');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:has-text("Case: 2 from Dana (dana)")');
    expect(await page.textContent('main')).toContain('The parcel arrived broken');
    expect(await page.textContent('main')).toContain('A-1001');
    await check(page, 'case');
    await tabTo(page, 'select#assignee');
    // Focused, a closed select takes the arrow keys; the members are sorted by email (ann first).
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('select#assignee')).not.toBe('');
    await tabTo(page, 'form[action$="/assign"] button');
    await page.keyboard.press('Space');
    await page.waitForSelector('text=Assigned.');
    expect(await page.textContent('ol.history')).toContain('Assigned: nobody → ann@shop.test');
    const caseUrl = page.url().replace(/\?.*$/, '');

    // The countdown script keeps the time left live: two hours on, it says two hours less.
    await page.clock.install();
    await page.goto(caseUrl);
    const before = await page.textContent('dd time[data-countdown]');
    await page.clock.fastForward('02:00:00');
    await expect
      .poll(() => page.textContent('dd time[data-countdown]'))
      .toMatch(/^due in 21 h \d+ min$|^due in 22 h$/);
    expect(before).toMatch(/^due in (23 h \d+ min|1 d)$/);

    // Without JavaScript the inbox and the case read the same, from the server.
    const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
    await noScript.addCookies(await ownerContext.cookies());
    const plain = await noScript.newPage();
    await plain.goto(`${shop.publicUrl}/app/cases?view=all`);
    expect(await plain.textContent('table.data')).toMatch(/ann@shop\.test.*due in (23 h \d+ min|1 d)/);
    await check(plain, 'inbox-noscript', false);
    await plain.goto(caseUrl);
    expect(await plain.textContent('dd time[data-countdown]')).toMatch(/^due in (23 h \d+ min|1 d)$/);
    await noScript.close();

    // Ann signs in by her invitation in her own browser; her inbox opens on her case.
    const annMail = await smtp.waitFor((m) => m.to.includes('ann@shop.test'));
    const annContext = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const ann = await annContext.newPage();
    await ann.goto(signInLink(annMail.text));
    await ann.click('button[type=submit]');
    await ann.waitForSelector('text=Signed in as ann@shop.test');
    await ann.goto(`${shop.publicUrl}/app/cases`);
    expect(await ann.getAttribute('nav.tabs a[aria-current=page]', 'href')).toBe('/app/cases?view=mine');
    await check(ann, 'inbox-mine');
    await ann.click('a.score');
    await ann.waitForSelector('h1:has-text("Case: 2 from Dana (dana)")');

    // She writes the resolution and a closing message, and sees exactly what Dana will get before it goes.
    const closing =
      'We are sorry about the broken parcel. A replacement ships today, and the shipping is on us.';
    await ann.fill('#resolution', 'Sent a replacement, refunded shipping');
    await ann.fill('#closing', closing);
    const mailsBefore = smtp.messages.filter((m) => m.to.includes('dana@example.com')).length;
    await ann.click('form.resolve button[type=submit]');
    await ann.waitForSelector('h1:has-text("Resolve the case: check before sending")');
    expect(await ann.textContent('main')).toContain('The customer will get this email, to dana@example.com');
    expect(await ann.textContent('[data-testid=preview-subject]')).toBe('About your feedback to Shop');
    expect(oneLine((await ann.textContent('[data-testid=preview-text]')) ?? '')).toContain(closing);
    const frame = ann.frameLocator('iframe.mail-preview');
    expect(oneLine((await frame.locator('body').textContent()) ?? '')).toContain(closing);
    await check(ann, 'preview');
    expect(smtp.messages.filter((m) => m.to.includes('dana@example.com'))).toHaveLength(mailsBefore);

    await ann.click('text=Resolve and send');
    await ann.waitForSelector('text=Resolved. The closing message is on its way to the customer.');
    expect(await ann.textContent('ol.history')).toContain('Status: open → resolved');
    await check(ann, 'case-resolved');

    // Dana gets that message.
    const told = await smtp.waitFor(
      (m) => m.to.includes('dana@example.com') && m.subject === 'About your feedback to Shop',
    );
    expect(oneLine(told.text)).toContain(closing);

    // The customer's contact page shows the answer and the case (every page checked).
    await ann.goto(`${shop.publicUrl}/app/contacts/dana`);
    expect(await ann.textContent('main')).toContain('Case: 2 on Post-delivery NPS');
    await check(ann, 'contact');
    await ann.goto(`${shop.publicUrl}/app/contacts?q=dana`);
    await check(ann, 'contacts-search');
    await page.goto(`${shop.publicUrl}/app/contacts/dana/erase`);
    await check(page, 'contact-erase');
    await ownerContext.close();
    await annContext.close();
  });
});
