// Settings on the whole system: each workspace setting saved in the console and read back by the API, refused values named
// at their field, branding (accent, logo) on the survey page and in the invitation email, webhooks with "Send test" to a
// real receiver, and roles without the permissions refused.
import { verifyWebhook } from '@surveyflow/core';
import { startHttpReceiver } from '@surveyflow/testkit';
import { describe, expect, onTestFinished } from 'vitest';
import {
  type Agent,
  consoleAgent,
  csrfToken,
  linkFromMail,
  logoPng,
  signedInOwner,
  type signIn,
} from './console-agent.ts';
import { SHOP_KEY, type Shop, test } from './testing.ts';

type Sink = Parameters<typeof signIn>[1];

async function invited(shop: Shop, smtp: Sink, owner: Agent, email: string, role: string) {
  const before = smtp.messages.length;
  expect((await owner.submit('/app/team', '/app/team/invite', { email, role })).statusCode).toBe(303);
  const link = await linkFromMail(smtp, email, before);
  const agent = consoleAgent(shop);
  expect((await agent.submit(link, link)).statusCode).toBe(303);
  return agent;
}

/** A form with a file, posted as a browser posts it (multipart), with the page's CSRF token. */
async function upload(shop: Shop, agent: Agent, file: Buffer, name: string, type: string) {
  const page = await agent.get('/app/settings/branding');
  const form = new FormData();
  form.set('_csrf', csrfToken(page.body));
  form.set('logo', new Blob([new Uint8Array(file)], { type }), name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return shop.system.app.inject({
    method: 'POST',
    url: '/app/settings/branding/logo',
    headers: {
      accept: 'text/html',
      cookie: [...agent.jar].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '),
      'content-type': request.headers.get('content-type') ?? '',
    },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

const workspace = async (shop: Shop) => (await shop.api('GET', '/v1/workspace')).json();

const settingsForm = {
  name: 'Shop & Co',
  alertEmail: 'alerts@shop.test',
  timezone: 'Europe/Warsaw',
  globalContactDays: '45',
  quietStart: '21:00',
  quietEnd: '08:00',
  quietHoursChannels: 'email',
  emailRatePerSecond: '12',
  referralUrl: 'https://shop.test/refer',
  auditRetentionDays: '90',
  retentionMonths: '24',
};

describe('console settings', () => {
  test('each workspace setting saved in the console is what GET /v1/workspace answers', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const page = await owner.get('/app/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="globalContactDays"');
    const saved = await owner.submit('/app/settings', '/app/settings', settingsForm);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/app/settings?done=saved');
    expect(await workspace(shop)).toMatchObject({
      name: 'Shop & Co',
      alertEmail: 'alerts@shop.test',
      timezone: 'Europe/Warsaw',
      globalContactDays: 45,
      quietHours: { start: '21:00', end: '08:00' },
      quietHoursChannels: ['email'],
      emailRatePerSecond: 12,
      referralUrl: 'https://shop.test/refer',
      auditRetentionDays: 90,
      retentionMonths: 24,
    });
    expect((await owner.get('/app/settings?done=saved')).body).toContain('Settings saved.');

    // Emptied optional fields clear them.
    await owner.submit('/app/settings', '/app/settings', {
      ...settingsForm,
      alertEmail: '',
      quietStart: '',
      quietEnd: '',
      emailRatePerSecond: '',
      referralUrl: '',
      retentionMonths: '',
    });
    expect(await workspace(shop)).toMatchObject({
      retentionMonths: null,
      alertEmail: null,
      quietHours: null,
      emailRatePerSecond: null,
      referralUrl: null,
    });
  });

  test('a bad value is a 400 page naming the field next to it, and nothing is saved', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const before = await workspace(shop);
    for (const [field, value, said] of [
      ['globalContactDays', '999', 'ws-globalContactDays-error'],
      ['timezone', 'Mars/Olympus', 'ws-timezone-error'],
      ['referralUrl', 'ftp://shop.test', 'ws-referralUrl-error'],
      ['auditRetentionDays', 'forever', 'ws-auditRetentionDays-error'],
      ['retentionMonths', '121', 'ws-retentionMonths-error'],
      ['quietEnd', '21:00', 'ws-quietEnd-error'],
    ] as const) {
      const res = await owner.submit('/app/settings', '/app/settings', { ...settingsForm, [field]: value });
      expect(res.statusCode, field).toBe(400);
      expect(res.body, field).toContain(`id="${said}"`);
      expect(res.body, field).toContain('Nothing was saved');
      // The form comes back as typed.
      expect(res.body, field).toContain(`value="${value}"`);
    }
    expect(await workspace(shop)).toEqual(before);
    // The API takes the same rules.
    const api = await shop.api('PATCH', '/v1/workspace', { globalContactDays: 999 });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.details[0].field).toBe('globalContactDays');
  });

  test('branding: an accent below AA is refused with a shade that passes; the logo (PNG or JPEG only, ≤ 256 KB) and accent are on the survey page and in the invitation email', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const yellow = await owner.submit('/app/settings/branding', '/app/settings/branding', {
      accentColor: '#facc15',
    });
    expect(yellow.statusCode).toBe(400);
    expect(yellow.body).toContain('id="brand-accent-input-error"');
    expect(yellow.body).toMatch(/needs? 4\.5:1 \(WCAG AA\)\. #[0-9a-f]{6} is the nearest darker shade/);
    expect((await workspace(shop)).accentColor).toBeNull();
    const teal = await owner.submit('/app/settings/branding', '/app/settings/branding', {
      accentColor: '#0F766E',
    });
    expect(teal.statusCode).toBe(303);
    expect((await workspace(shop)).accentColor).toBe('#0f766e');
    // The console wears it too.
    expect((await owner.get('/app/settings/branding')).body).toContain('/app/assets/accent/0f766e.css');
    const css = await shop.system.app.inject({ method: 'GET', url: '/app/assets/accent/0f766e.css' });
    expect(css.body).toContain('--accent: #0f766e;');
    expect(css.headers['cache-control']).toContain('immutable');

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const refusedSvg = await upload(shop, owner, svg, 'logo.png', 'image/png');
    expect(refusedSvg.statusCode).toBe(400);
    expect(refusedSvg.body).toContain('must be a PNG or JPEG image');
    const png = await logoPng();
    const huge = Buffer.concat([png.subarray(0, 8), Buffer.alloc(300 * 1024)]);
    const refusedHuge = await upload(shop, owner, huge, 'big.png', 'image/png');
    expect(refusedHuge.statusCode).toBe(400);
    expect(refusedHuge.body).toContain('must be at most 256 KB');
    expect((await workspace(shop)).logo).toBeNull();

    const ok = await upload(shop, owner, png, 'shop.png', 'image/png');
    expect(ok.statusCode).toBe(303);
    const { logo, id } = await workspace(shop);
    expect(logo).toMatchObject({ contentType: 'image/png' });
    expect(logo.url).toMatch(new RegExp(`/brand/${id}/logo-[0-9a-f]{16}\\.png$`));
    const path = new URL(logo.url).pathname;
    const served = await shop.system.app.inject({ method: 'GET', url: path });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.rawPayload.equals(png)).toBe(true);

    // An invitation email carries the logo by its hosted URL and the accent; so does the survey page.
    const before = smtp.messages.length;
    const event = await shop.api('POST', '/v1/events', {
      id: 'order-brand-1',
      type: 'order.delivered',
      contact: { id: 'c-brand', email: 'jane@example.com', locale: 'en' },
    });
    expect(event.statusCode).toBe(202);
    const mail = await smtp.waitFor(
      (m) => m.to.includes('jane@example.com') && smtp.messages.indexOf(m) >= before,
    );
    expect(mail.html).toContain(`<img src="${logo.url}" alt="Shop"`);
    expect(mail.html).toContain('color:#0f766e');
    const survey = /\/s\/[A-Za-z0-9_-]{32}/.exec(mail.text)?.[0] ?? '';
    const page = await shop.system.app.inject({
      method: 'GET',
      url: survey,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<img src="${path}" alt=""`);
    expect(page.body).toContain('--accent: #0f766e;');
    expect(String(page.headers['content-security-policy'])).toContain("img-src 'self'");

    // The API's own logo route: base64 in, the same checks.
    const put = (image: string) =>
      shop.system.app.inject({
        method: 'PUT',
        url: '/v1/workspace/logo',
        headers: { authorization: `Bearer ${SHOP_KEY}` },
        payload: { image },
      });
    const gif = await put(Buffer.from('GIF89a\x01\x00\x01\x00').toString('base64'));
    expect(gif.statusCode).toBe(400);
    expect(gif.json().error.details[0].field).toBe('image');
    expect((await put(png.toString('base64'))).statusCode).toBe(200);
    const removed = await shop.system.app.inject({
      method: 'DELETE',
      url: '/v1/workspace/logo',
      headers: { authorization: `Bearer ${SHOP_KEY}` },
    });
    expect(removed.statusCode).toBe(204);
    expect((await workspace(shop)).logo).toBeNull();
    // An old logo URL (a mail sent before) now finds no logo.
    expect((await shop.system.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
  });

  test('webhooks: add one, send a test to a real receiver (signed like every delivery), see it in the log', async ({
    shop,
    smtp,
  }) => {
    let secret = '';
    const receiver = await startHttpReceiver((request) =>
      verifyWebhook(secret, request.headers, request.body, new Date()) ? 204 : 401,
    );
    onTestFinished(() => receiver.close());
    const owner = await signedInOwner(shop, smtp);
    const empty = await owner.get('/app/settings/webhooks');
    expect(empty.body).toContain('No webhooks yet');
    const refused = await owner.submit('/app/settings/webhooks', '/app/settings/webhooks', {
      url: 'not a url',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="new-url-error"');
    const created = await owner.submit('/app/settings/webhooks', '/app/settings/webhooks', {
      url: receiver.url,
      eventTypes: 'case.created',
    });
    expect(created.statusCode).toBe(200);
    secret = /data-testid="webhook-secret">(whsec_[^<]+)</.exec(created.body)?.[1] ?? '';
    expect(secret).toMatch(/^whsec_/);
    const [hook] = (await shop.api('GET', '/v1/webhooks')).json().data;
    expect(hook).toMatchObject({ url: receiver.url, eventTypes: ['case.created'], enabled: true });

    const detail = `/app/settings/webhooks/${hook.id}`;
    const tested = await owner.submit(detail, `${detail}/test`);
    expect(tested.statusCode).toBe(303);
    expect(tested.headers.location).toContain('test=delivered');
    expect(receiver.requests).toHaveLength(1);
    const [sent] = receiver.requests;
    expect(sent?.headers['webhook-id']).toMatch(/^msg_/);
    expect(sent?.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({
      type: 'webhook.test',
      data: { webhookId: hook.id },
    });
    const log = await owner.get(String(tested.headers.location));
    expect(log.body).toContain('Test delivered: your endpoint answered HTTP 204.');
    expect(log.body).toContain('<code>webhook.test</code>');
    expect(log.body).toContain('#1 HTTP 204');

    // The API's test goes the same way and shows up in the delivery log.
    const api = await shop.api('POST', `/v1/webhooks/${hook.id}/test`);
    expect(api.statusCode).toBe(202);
    await expect
      .poll(async () => (await shop.api('GET', `/v1/webhooks/${hook.id}/deliveries`)).json().data[0], {
        timeout: 30_000,
      })
      .toMatchObject({ id: api.json().deliveryId, eventType: 'webhook.test', status: 'delivered' });
    const page1 = (await shop.api('GET', `/v1/webhooks/${hook.id}/deliveries?limit=1`)).json();
    expect(page1.data).toHaveLength(1);
    const page2 = (
      await shop.api('GET', `/v1/webhooks/${hook.id}/deliveries?limit=1&cursor=${page1.next}`)
    ).json();
    expect(page2.data[0].id).not.toBe(page1.data[0].id);
    expect(page2.next).toBeNull();

    // Edit, disable (a test is then refused), enable.
    const edited = await owner.submit(detail, detail, { url: receiver.url, eventTypes: 'case.resolved' });
    expect(edited.statusCode).toBe(303);
    expect((await shop.api('GET', `/v1/webhooks/${hook.id}`)).json().eventTypes).toEqual(['case.resolved']);
    expect((await owner.submit(detail, `${detail}/disable`)).statusCode).toBe(303);
    const off = (await shop.api('GET', `/v1/webhooks/${hook.id}`)).json();
    expect(off).toMatchObject({ enabled: false, disabledReason: 'switched off by owner@shop.test' });
    expect((await owner.get(detail)).body).toContain('switched off by owner@shop.test');
    expect((await shop.api('POST', `/v1/webhooks/${hook.id}/test`)).statusCode).toBe(409);
    expect((await owner.submit(detail, `${detail}/enable`)).statusCode).toBe(303);
    expect((await shop.api('GET', `/v1/webhooks/${hook.id}`)).json().enabled).toBe(true);
  });

  test("every change in Settings lands in the audit log named as the member, as the API's land named as the key", async ({
    shop,
    smtp,
  }) => {
    const receiver = await startHttpReceiver(() => 204);
    onTestFinished(() => receiver.close());
    const owner = await signedInOwner(shop, smtp);
    expect((await owner.submit('/app/settings', '/app/settings', settingsForm)).statusCode).toBe(303);
    const branding = '/app/settings/branding';
    expect((await owner.submit(branding, branding, { accentColor: '#0f766e' })).statusCode).toBe(303);
    expect((await upload(shop, owner, await logoPng(), 'shop.png', 'image/png')).statusCode).toBe(303);
    expect((await owner.submit(branding, `${branding}/logo/remove`)).statusCode).toBe(303);
    const hooks = '/app/settings/webhooks';
    expect(
      (await owner.submit(hooks, hooks, { url: receiver.url, eventTypes: 'case.created' })).statusCode,
    ).toBe(200);
    const [hook] = (await shop.api('GET', '/v1/webhooks')).json().data;
    const detail = `${hooks}/${hook.id}`;
    expect(
      (await owner.submit(detail, detail, { url: receiver.url, eventTypes: 'case.resolved' })).statusCode,
    ).toBe(303);
    for (const step of ['disable', 'enable', 'remove'])
      expect((await owner.submit(detail, `${detail}/${step}`)).statusCode, step).toBe(303);
    expect(
      (await owner.submit('/app/team', '/app/team/invite', { email: 'ann@shop.test', role: 'agent' }))
        .statusCode,
    ).toBe(303);
    expect(
      (await owner.submit('/app/keys', '/app/keys', { name: 'Shop', scopes: 'events:write' })).statusCode,
    ).toBe(200);

    const entries = async () =>
      (await shop.api('GET', '/v1/audit?limit=100')).json().data as {
        action: string;
        actor: { kind: string; label: string };
        detail: Record<string, unknown>;
      }[];
    const byOwner = (await entries()).filter(
      (e) => e.actor.kind === 'user' && e.actor.label === 'owner@shop.test',
    );
    const actions = byOwner.map((e) => e.action);
    for (const action of [
      'workspace.update',
      'workspace.logo',
      'workspace.logo_remove',
      'webhook.create',
      'webhook.update',
      'webhook.disable',
      'webhook.enable',
      'webhook.delete',
      'member.invite',
      'api_key.create',
    ])
      expect(actions, action).toContain(action);
    const settings = byOwner.filter((e) => e.action === 'workspace.update').map((e) => e.detail);
    expect(settings).toContainEqual(expect.objectContaining({ name: 'Shop & Co', globalContactDays: 45 }));
    expect(settings).toContainEqual({ accentColor: '#0f766e' });

    // The API's changes go the same way, with the key as actor; a signing secret is never written down.
    expect((await shop.api('PATCH', '/v1/workspace', { globalContactDays: 20 })).statusCode).toBe(200);
    expect((await shop.api('POST', '/v1/workspace/event-signing-secret')).statusCode).toBe(201);
    const byKey = (await entries()).filter(
      (e) => e.actor.kind === 'api_key' && e.action === 'workspace.update',
    );
    expect(byKey.map((e) => e.detail)).toEqual([{ eventSigningSecret: 'set' }, { globalContactDays: 20 }]);
  });

  test('agents and viewers see the workspace settings read-only and are refused every settings change (403)', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const [hook] = [
      (
        await shop.api('POST', '/v1/webhooks', {
          url: 'https://127.0.0.1/hooks',
          eventTypes: ['case.created'],
        })
      ).json(),
    ];
    for (const [email, role] of [
      ['ann@shop.test', 'agent'],
      ['vic@shop.test', 'viewer'],
    ] as const) {
      const member = await invited(shop, smtp, owner, email, role);
      const page = await member.get('/app/settings');
      expect(page.statusCode, role).toBe(200);
      expect(page.body, role).toContain('Only admins and owners can change these settings.');
      expect(page.body, role).not.toContain('action="/app/settings"');
      expect(page.body, role).not.toContain('href="/app/keys"');
      expect(page.body, role).not.toContain('href="/app/settings/webhooks"');
      expect(page.body, role).not.toContain('href="/app/settings/branding"');
      for (const url of [
        '/app/settings/branding',
        '/app/settings/webhooks',
        `/app/settings/webhooks/${hook.id}`,
      ]) {
        expect((await member.get(url)).statusCode, `${role} GET ${url}`).toBe(403);
      }
      for (const [action, fields] of [
        ['/app/settings', settingsForm],
        ['/app/settings/branding', { accentColor: '#0f766e' }],
        ['/app/settings/branding/logo/remove', {}],
        ['/app/settings/webhooks', { url: 'https://shop.test/h', eventTypes: 'case.created' }],
        [`/app/settings/webhooks/${hook.id}/test`, {}],
        [`/app/settings/webhooks/${hook.id}/disable`, {}],
      ] as const) {
        // A token from a page of theirs (the read-only settings carry no form).
        const res = await member.postFrom('/app', action, fields);
        expect(res.statusCode, `${role} POST ${action}`).toBe(403);
      }
    }
    expect(await workspace(shop)).toMatchObject({ name: 'Shop', accentColor: null });
    expect((await shop.api('GET', `/v1/webhooks/${hook.id}`)).json().enabled).toBe(true);
  });
});
