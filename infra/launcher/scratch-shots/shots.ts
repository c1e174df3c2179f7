import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapWorkspace, loadConfig, ManualClock, migrateDatabase } from '@surveyflow/core';
import { freePort, startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';
import { chromium } from 'playwright-core';
import { startSystem } from '../src/system.ts';

const TEST_SECRET = 'test-secret-key-0123456789abcdefghijklmnop';
const KEY = 'sf_live_system_test_key_0123456789abcdef';
const OUT = '/tmp/shots';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(fn: () => Promise<T | null | false | undefined>, what: string, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(100);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'sf-shots-'));
await chmod(dir, 0o755);
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: false });
const redis = await startRedisServer({ dataDir: join(dir, 'redis') });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const cfg = loadConfig({
  LOG_LEVEL: 'silent', DUE_SCAN_INTERVAL_MS: '100', NODE_ENV: 'test',
  PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, FOLLOWUP_COMMENT_WAIT_MS: '0',
  DATABASE_URL: pg.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'shots',
});
const config = { ...cfg, DATABASE_URL: pg.url, REDIS_URL: redis.url, SECRET_KEY: TEST_SECRET } as never;
await migrateDatabase(pg.url);
const clock = new ManualClock(new Date());
const system = await startSystem(config, { clock, listen: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const sql = system.ctx.database.sql;
try {
  await bootstrapWorkspace(system.ctx.database, { apiKey: KEY, name: 'Shop', alertEmail: 'a@shop.test', timezone: 'UTC' });
  const api = async (method: string, url: string, payload?: unknown) => {
    const res = await system.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${KEY}` } });
    if (res.statusCode >= 400) console.log('API', method, url, res.statusCode, res.body.slice(0, 300));
    return res;
  };
  const [survey] = (await api('GET', '/v1/surveys')).json().data;
  console.log('survey', JSON.stringify(survey).slice(0, 600));

  // 1) QR sheet
  const ids: string[] = [];
  for (let n = 1; n <= 6; n++) {
    await api('POST', '/v1/events', { id: `order-100${n}`, type: 'order.created', contact: { id: `qr-${n}`, email: `qr${n}@example.com` }, properties: { orderId: `A-${n}`, store: 'Main St' } });
    const r = await api('POST', '/v1/invitations', { channel: 'qr', surveyId: survey.id, eventId: `order-100${n}` });
    ids.push(r.json().id);
  }
  const sheetRes = await fetch(`${base}/v1/invitations/qr-sheet?ids=${ids.join(',')}`, { headers: { authorization: `Bearer ${KEY}` } });
  const sheetHtml = await sheetRes.text();
  console.log('sheet', sheetRes.status, sheetHtml.length);
  {
    const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${KEY}` });
    await page.goto(`${base}/v1/invitations/qr-sheet?ids=${ids.join(',')}`);
    await page.screenshot({ path: `${OUT}/01-qr-sheet.png`, fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${OUT}/01b-qr-sheet-print.png`, fullPage: true });
    await page.pdf({ path: `${OUT}/qr-sheet.pdf`, format: 'A4' }).catch((e) => console.log('pdf', e.message));
    await page.close();
  }

  // 2) Location page on a phone
  const loc = (await api('POST', '/v1/locations', { surveyId: survey.id, name: 'Main St shop', properties: { region: 'north' } })).json();
  console.log('location', loc.url);
  {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    await page.goto(`${base}/l/${loc.code ?? new URL(loc.url).pathname.split('/').pop()}`);
    await page.screenshot({ path: `${OUT}/02-location-page.png`, fullPage: true });
    const boxes = await page.locator('.scale label').evaluateAll((els) => els.map((e) => { const b = e.getBoundingClientRect(); return [Math.round(b.width), Math.round(b.height), Math.round(b.right)]; }));
    console.log('scale label boxes', JSON.stringify(boxes));
    await page.click('label[for=score-3]');
    await page.click('button[type=submit]');
    await page.waitForLoadState('load');
    await page.screenshot({ path: `${OUT}/03-location-followup.png`, fullPage: true });
    await page.fill('textarea[name=comment]', 'Long queue at the till').catch((e) => console.log('fill', e.message));
    await page.click('button[type=submit]:not(.secondary)').catch((e) => console.log('click', e.message));
    await page.waitForLoadState('load');
    await page.screenshot({ path: `${OUT}/04-location-thanks.png`, fullPage: true });
    clock.advance(60 * 60_000);
    await page.goto(`${base}${new URL(loc.url).pathname}`);
    await page.click('label[for=score-10]');
    const [resp] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
    console.log('second submit status', resp.status());
    await page.waitForLoadState('load');
    await page.screenshot({ path: `${OUT}/05-location-device-limit.png`, fullPage: true });
    await ctx.close();
  }

  // 3) Close the loop emails
  await api('PATCH', '/v1/workspace', { referralUrl: 'https://shop.example.com/welcome' });
  const outbox = async (pred: (m: Record<string, string>) => boolean, what: string) =>
    waitFor(async () => ((await sql`select * from dev_outbox order by id`) as unknown as Record<string, string>[]).find(pred), what);
  const answer = async (who: string, score: number, comment?: string, name?: string) => {
    await api('POST', '/v1/events', { id: `order-${who}`, type: 'order.delivered', occurredAt: clock.now().toISOString(),
      contact: { id: who, email: `${who}@example.com`, name: name ?? who[0]!.toUpperCase() + who.slice(1) }, properties: { orderId: `A-${who}` } });
    const inv = await outbox((m) => m.recipient.includes(`${who}@example.com`), `invitation ${who}`);
    const path = /\/s\/[\w-]{32}/.exec(inv.html ?? inv.text)?.[0] ?? '';
    const res = await system.app.inject({ method: 'POST', url: path, payload: { score, ...(comment ? { comment } : {}) }, headers: { accept: 'application/json' } });
    console.log('answer', who, score, res.statusCode);
    return inv;
  };
  const inv = await answer('pia', 10, 'Fast & friendly <3');
  await answer('paul', 8);
  await answer('dana', 2, 'Arrived <b>broken</b> & "nobody" answered my emails\nSecond line');
  await answer('dave', 1, 'Never arrived');
  const thanks = await outbox((m) => m.recipient.includes('pia@') && m.subject !== inv.subject, 'thanks');
  const passive = await outbox((m) => m.recipient.includes('paul@') && /10/.test(m.subject ?? ''), 'passive');
  const alert = await outbox((m) => /Detractor alert/.test(m.subject ?? '') && /Dana/.test(m.subject ?? ''), 'alert');
  const cases = await waitFor(async () => { const d = (await api('GET', '/v1/cases?status=open')).json().data; return d.length === 2 ? d : null; }, 'cases');
  const danaCase = cases.find((c: { contact?: { id?: string } }) => JSON.stringify(c).includes('dana')) ?? cases[0];
  const resolved = await api('PATCH', `/v1/cases/${danaCase.id}`, { status: 'resolved', resolution: 'Refunded and sent a replacement',
    closingMessage: 'We are sorry, Dana. We have refunded your order & a replacement is on its way.\n\nAnna from <Shop> care' });
  console.log('resolved', resolved.statusCode, resolved.body);
  console.log('outbox so far', JSON.stringify((await sql`select channel, recipient, subject from dev_outbox order by id`)));
  const closing = await outbox((m) => /About your feedback/.test(m.subject ?? ''), 'closing');
  clock.advance(49 * 3_600_000);
  await system.worker.scanner.scan();
  const notice = await outbox((m) => /overdue/i.test(m.subject ?? ''), 'escalation');
  const emails: [string, Record<string, string>][] = [
    ['06-email-invitation', inv], ['07-email-promoter-thanks', thanks], ['08-email-passive', passive],
    ['09-email-detractor-alert', alert], ['10-email-case-closing', closing], ['11-email-escalation', notice],
  ];
  for (const [name, m] of emails) {
    console.log(`\n== ${name}: subject=${m.subject} to=${m.recipient}\n--- text:\n${m.text}\n`);
    for (const [w, h, suffix] of [[800, 900, ''], [390, 844, '-mobile']] as const) {
      const page = await browser.newPage({ viewport: { width: w, height: h } });
      await page.setContent(m.html ?? `<pre>${m.text}</pre>`, { waitUntil: 'load' });
      await page.screenshot({ path: `${OUT}/${name}${suffix}.png`, fullPage: true });
      await page.close();
    }
  }

  // 4) SMS into the dev outbox
  const [trigger] = (await api('GET', '/v1/triggers')).json().data;
  await api('PATCH', `/v1/triggers/${trigger.id}`, { channels: ['sms'] });
  await api('POST', '/v1/events', { id: 'o-sms-1', type: 'order.delivered', occurredAt: clock.now().toISOString(), contact: { id: 'c-sms', phone: '+48600100200' } });
  const sms = await outbox((m) => m.channel === 'sms', 'sms');
  console.log('sms', JSON.stringify(sms));
  {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(`${base}/dev/outbox`);
    await page.screenshot({ path: `${OUT}/12-dev-outbox-top.png` });
    await page.screenshot({ path: `${OUT}/13-dev-outbox-full.png`, fullPage: true });
    await page.close();
    const m = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await m.goto(`${base}/dev/outbox`);
    await m.screenshot({ path: `${OUT}/14-dev-outbox-mobile.png` });
    await m.close();
  }
} catch (e) {
  console.error('FAILED', e);
} finally {
  await browser.close();
  await system.stop();
  await redis.stop();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
