// Surveys, triggers and events in Chromium on the whole system: sign in by the emailed link, open a trigger, pick an
// event and read "would invite …", change the filter and watch the dry run turn into a skip without a reload (JavaScript
// on), the same with JavaScript off through the "Try it" button, a trigger form filled with the keyboard only. Every
// page at 360 and 1280 px, screenshotted, 0 axe-core violations.
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
  await lookAt(page, `console-${name}`, { axe });
}

const linkIn = (text: string) => /http:\/\/[^\s]+\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? '';

/** Tab until the element with this id has the focus (keyboard only), within a bound. */
async function tabTo(page: Page, id: string) {
  for (let i = 0; i < 80; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

async function typeOver(page: Page, id: string, text: string) {
  await tabTo(page, id);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('surveys and triggers in Chromium', () => {
  test('a trigger’s dry run follows the form as it is edited, with JavaScript and without; every page checked; the form works by keyboard', {
    timeout: 300_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const sql = shop.system.ctx.database.sql;
    const [ws] = await sql<{ id: string }[]>`select id from workspaces`;
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: new Date(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });
    const [seeded] = await sql<{ id: string }[]>`select id from surveys order by created_at limit 1`;
    const surveyId = seeded?.id ?? '';
    // A trigger that is off, so its events invite nobody yet and trying it on one says what it would do.
    const made = await shop.api('POST', '/v1/triggers', {
      surveyId,
      name: 'Paid orders',
      eventTypes: ['order.paid'],
      filter: { all: [{ field: 'properties.total', op: 'gte', value: 100 }] },
      enabled: false,
    });
    expect(made.statusCode).toBe(201);
    const triggerId = made.json().id as string;

    // Signed in by the emailed link, scripts on (they enhance the dry run; axe-core needs them).
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${shop.publicUrl}/app/sign-in`);
    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    await page.goto(linkIn(mail.text));
    await page.click('button[type=submit]');
    await page.waitForSelector(`text=Signed in as ${OWNER}`);
    const at = (path: string) => new URL(path, shop.publicUrl).href;

    // No events yet: the events page says how to send one to this instance.
    await page.goto(at('/app/events'));
    expect(await page.textContent('main')).toContain(`curl -s ${shop.publicUrl}/v1/events`);
    await check(page, 'events-empty');

    const sent = await shop.api('POST', '/v1/events', {
      id: 'order-7',
      type: 'order.paid',
      contact: { id: 'cust-7', email: 'cust-7@example.com', name: 'Ola' },
      properties: { orderId: '7', total: 150 },
    });
    expect(sent.statusCode).toBe(202);

    await page.goto(at('/app/surveys'));
    await check(page, 'surveys');
    await page.click('text=Paid orders');
    expect(new URL(page.url()).pathname).toBe(`/app/triggers/${triggerId}`);
    const outcome = page.locator('#dry-run-outcome');
    expect(await outcome.textContent()).toContain('Choose or paste an event');

    // Pick the event: the outcome updates in place.
    await page.evaluate(() => {
      document.body.dataset.loaded = 'once';
    });
    await page.selectOption('#f-event', 'order-7');
    await expect
      .poll(() => outcome.textContent(), { timeout: 20_000 })
      .toMatch(/Would invite by email at .*2\d{3}/);
    // The filter as edited (properties.total ≥ 200): the outcome turns into a skip, and the page was never reloaded.
    await page.fill('#f-filter-0-value', '200');
    await expect
      .poll(() => outcome.textContent(), { timeout: 20_000 })
      .toContain('Would skip: the filter did not match: properties.total gte 200 (was 150)');
    expect(await page.evaluate(() => document.body.dataset.loaded)).toBe('once');
    // Nothing was saved by trying.
    expect((await sql`select filter from triggers where id = ${triggerId}`)[0]?.filter).toEqual({
      all: [{ field: 'properties.total', op: 'gte', value: 100 }],
    });
    await check(page, 'trigger-dry-run');

    await page.goto(at(`/app/surveys/${surveyId}`));
    expect(await page.textContent('#preview')).toContain('Detractor alert');
    await check(page, 'survey');
    await page.goto(at('/app/surveys/new'));
    await check(page, 'survey-new');
    await page.goto(at('/app/events'));
    await page.click('text=order.paid');
    await page.waitForSelector('text=The event as received');
    await check(page, 'event');
    await page.goto(at('/app/events'));
    await check(page, 'events');

    // The same without JavaScript: "Try it" posts the form and the page comes back with the outcome.
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      locale: 'en-GB',
      storageState: await context.storageState(),
    });
    const plain = await noScript.newPage();
    await plain.goto(at(`/app/triggers/${triggerId}`));
    await plain.selectOption('#f-event', 'order-7');
    await plain.click('button[data-try]');
    await plain.waitForSelector('#dry-run-outcome [data-outcome="invite"]');
    expect(await plain.textContent('#dry-run-outcome')).toMatch(/Would invite by email at/);
    await plain.fill('#f-filter-0-value', '200');
    await plain.click('button[data-try]');
    await plain.waitForSelector('#dry-run-outcome [data-outcome="skip"]');
    expect(await plain.textContent('#dry-run-outcome')).toContain('properties.total gte 200 (was 150)');
    // The edited value is still in the form, unsaved.
    expect(await plain.inputValue('#f-filter-0-value')).toBe('200');
    await check(plain, 'trigger-try-no-js', false);
    await noScript.close();

    // A new trigger by keyboard only: Tab to each field, type, arrow through the operators, Enter on the button.
    await page.goto(at(`/app/triggers/new?survey=${surveyId}`));
    await check(page, 'trigger-new');
    await typeOver(page, 'f-name', 'Keyboard trigger');
    await tabTo(page, 'f-enabled');
    await page.keyboard.press('Space');
    await typeOver(page, 'f-eventTypes', 'ticket.solved');
    await typeOver(page, 'f-filter-0-field', 'properties.rating');
    await tabTo(page, 'f-filter-0-op');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    await typeOver(page, 'f-filter-0-value', '3');
    await typeOver(page, 'f-throttleDays', '10');
    await tabTo(page, 'save-trigger');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/triggers\/[0-9a-f-]{36}\?done=created/, { timeout: 20_000 });
    expect(await page.textContent('main')).toContain('Trigger created.');
    const [keyboard] =
      await sql`select event_types, filter, throttle_days, enabled from triggers where name = 'Keyboard trigger'`;
    expect(keyboard).toEqual({
      event_types: ['ticket.solved'],
      filter: { all: [{ field: 'properties.rating', op: 'gte', value: 3 }] },
      throttle_days: 10,
      enabled: false,
    });
    await context.close();
  });
  test('the survey form’s actions and questions are controls: rows added and removed without JavaScript, each error at its control; the locations page switches kiosk mode; a new trigger is tried unsaved', {
    timeout: 300_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const sql = shop.system.ctx.database.sql;
    const [ws] = await sql<{ id: string }[]>`select id from workspaces`;
    await bootstrapOwner(shop.system.ctx.database, {
      email: OWNER,
      workspaceId: ws?.id ?? '',
      now: new Date(),
      secret: shop.system.ctx.config.SECRET_KEY,
    });
    const [seeded] = await sql<{ id: string }[]>`select id from surveys order by created_at limit 1`;
    const surveyId = seeded?.id ?? '';
    expect(
      (await shop.api('POST', '/v1/locations', { surveyId, name: 'Kraków store', deviceLimitHours: 12 }))
        .statusCode,
    ).toBe(201);
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${shop.publicUrl}/app/sign-in`);
    await page.fill('input[name=email]', OWNER);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
    const mail = await smtp.waitFor((m) => m.to.includes(OWNER));
    await page.goto(linkIn(mail.text));
    await page.click('button[type=submit]');
    await page.waitForSelector(`text=Signed in as ${OWNER}`);
    const at = (path: string) => new URL(path, shop.publicUrl).href;

    // Without JavaScript: add a rating question and an alert, fill them in, save; a bad address is named at its field.
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      locale: 'en-GB',
      storageState: await context.storageState(),
    });
    const plain = await noScript.newPage();
    await plain.goto(at(`/app/surveys/${surveyId}`));
    const actionsBefore = await plain.locator('fieldset.row-card[id^="f-actions-"]').count();
    await plain.selectOption('#f-newQuestion', 'rating');
    await plain.click('button[value="add-question"]');
    await plain.waitForSelector('#f-questions-0--id');
    await plain.fill('#f-questions-0--id', 'delivery');
    await plain.fill('#f-questions-0--label-en', 'Delivery');
    await plain.fill('#f-questions-0--importance', '3');
    await plain.selectOption('#f-newAction', 'alert');
    await plain.click('button[value="add-action"]');
    const added = `#f-actions-${actionsBefore}--emails`;
    await plain.waitForSelector(added);
    // The question typed before the second "add" is still there.
    expect(await plain.inputValue('#f-questions-0--id')).toBe('delivery');
    await plain.fill(added, 'not-an-address');
    await plain.click('button:has-text("Save")');
    await plain.waitForSelector(`#f-actions-${actionsBefore}--emails-error`);
    expect(await plain.textContent('[role="alert"]')).toContain(`actions[${actionsBefore}].emails`);
    await check(plain, 'survey-rows-error', false);
    await plain.fill(added, 'ops@shop.test');
    await plain.click('button:has-text("Save")');
    await plain.waitForURL(/done=saved/);
    const [stored] = await sql<{ actions: { type: string; emails?: string[] }[]; questions: unknown[] }[]>`
      select actions, questions from surveys where id = ${surveyId}`;
    expect(stored?.actions.at(-1)).toMatchObject({ type: 'alert', emails: ['ops@shop.test'] });
    expect(stored?.questions).toEqual([
      { id: 'delivery', type: 'rating', label: { en: 'Delivery' }, scale: '1-5', importance: 3 },
    ]);
    // Removed again: the row goes, the rest stays as typed.
    await plain.click(`button[value="remove-action:${actionsBefore}"]`);
    await plain.waitForSelector(added, { state: 'detached' });
    expect(await plain.inputValue('#f-questions-0--id')).toBe('delivery');
    await noScript.close();

    // With scripts (axe-core): the survey form's rows, every message still previewed.
    await page.goto(at(`/app/surveys/${surveyId}`));
    expect(await page.textContent('#preview')).toContain('Detractor alert');
    await check(page, 'survey-rows');

    // Locations: the QR code and links; kiosk mode on, its kiosk page linked.
    await page.goto(at('/app/surveys'));
    await page.click('text=Locations (QR codes, kiosks)');
    await page.waitForSelector('text=Kraków store');
    await check(page, 'locations');
    await page.click('button:has-text("Turn kiosk mode on")');
    await page.waitForSelector('text=Kiosk mode is on for Kraków store');
    expect(await page.getAttribute('a[href*="/k/"]', 'href')).toMatch(/\/k\/[a-z0-9]+$/);
    await check(page, 'locations-kiosk');

    // A new trigger, not saved, tried on a pasted event as the form stands.
    await page.goto(at(`/app/triggers/new?survey=${surveyId}`));
    await page.fill(
      '#f-eventJson',
      JSON.stringify({
        id: 'try-1',
        type: 'order.delivered',
        contact: { id: 'c-1', email: 'c-1@example.com' },
      }),
    );
    await expect
      .poll(() => page.textContent('#dry-run-outcome'), { timeout: 20_000 })
      .toMatch(/Would invite by email/);
    await check(page, 'trigger-new-dry-run');
    expect(Number((await sql`select count(*)::int as n from triggers`)[0]?.n)).toBe(1);
    await context.close();
  });
});
