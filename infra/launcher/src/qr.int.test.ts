// QR codes end to end: an order-bound code decodes to its survey link and the answer lands on that order; location codes take anonymous answers, one per device.
import { ManualClock } from '@surveyflow/core';
import { queuesIdle, waitFor } from '@surveyflow/testkit';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

/** What a phone camera would read from the PNG. */
function decode(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

describe('QR codes', () => {
  test('an order-bound code: made once per order, decodes to the link, and the scanned answer is tied to the order; email by hand too', async ({
    shop,
    smtp,
  }) => {
    const { system, api } = shop;
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    await api('POST', '/v1/events', {
      id: 'order-1001',
      type: 'order.created',
      contact: { id: 'c-1', email: 'eve@example.com' },
      properties: { store: 'Main St' },
    });

    const bad = await api('POST', '/v1/invitations', { channel: 'fax' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['channel', 'eventId', 'surveyId']);
    const unknown = await api('POST', '/v1/invitations', {
      channel: 'qr',
      surveyId: survey.id,
      eventId: 'nope',
    });
    expect(unknown.statusCode).toBe(404);

    const created = await api('POST', '/v1/invitations', {
      channel: 'qr',
      surveyId: survey.id,
      eventId: 'order-1001',
    });
    expect(created.statusCode).toBe(201);
    const invitation = created.json();
    expect(invitation).toMatchObject({ channel: 'qr', status: 'sent', eventId: 'order-1001' });
    expect(invitation.url).toMatch(/^http:\/\/localhost:3000\/s\/[\w-]{32}$/);
    // Reprinting the receipt prints the same code.
    const again = await api('POST', '/v1/invitations', {
      channel: 'qr',
      surveyId: survey.id,
      eventId: 'order-1001',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: invitation.id, url: invitation.url });

    for (const query of ['', '?size=200&margin=1&ecl=L', '?size=600&ecl=H']) {
      const png = await api('GET', `/v1/invitations/${invitation.id}/qr.png${query}`);
      expect(png.headers['content-type']).toBe('image/png');
      expect(decode(png.rawPayload)).toBe(invitation.url);
    }
    const svg = await api('GET', `/v1/invitations/${invitation.id}/qr.svg?size=256`);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<svg[^>]*width="256"/);
    const badSize = await api('GET', `/v1/invitations/${invitation.id}/qr.png?size=5`);
    expect(badSize.statusCode).toBe(400);
    expect(badSize.json().error.details[0].field).toBe('size');

    // Scanned and answered: the response belongs to order-1001 and carries its properties.
    const path = new URL(invitation.url).pathname;
    expect((await system.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const answered = await system.app.inject({
      method: 'POST',
      url: path,
      payload: { score: 4, comment: 'Box was crushed' },
      headers: { accept: 'application/json' },
    });
    expect(answered.statusCode).toBe(201);
    const [response] = await system.ctx.database.sql`
      select r.score, r.channel, r.properties, e.external_id from responses r join events e on e.id = r.event_id`;
    expect(response).toEqual({
      score: 4,
      channel: 'qr',
      properties: { store: 'Main St' },
      external_id: 'order-1001',
    });

    // By hand on the other channels too: email goes out with the next scan; no phone, no SMS.
    const direct = { surveyId: survey.id, eventId: 'order-1001' };
    const emailed = await api('POST', '/v1/invitations', { ...direct, channel: 'email' });
    expect(emailed.statusCode).toBe(201);
    await smtp.waitFor((m) => m.to.includes('eve@example.com'));
    expect((await api('POST', '/v1/invitations', { ...direct, channel: 'email' })).json().id).toBe(
      emailed.json().id,
    );
    const noPhone = await api('POST', '/v1/invitations', { ...direct, channel: 'sms' });
    expect(noPhone.statusCode).toBe(400);
    expect(noPhone.json().error.details[0]).toMatchObject({ field: 'channel' });
  });

  test('a trigger with channel qr makes the code when the order is created; a sheet prints many; nothing is emailed', async ({
    shop,
    smtp,
  }) => {
    const { system, api } = shop;
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const trigger = await api('POST', '/v1/triggers', {
      surveyId: survey.id,
      eventTypes: ['order.created'],
      channels: ['qr'],
      throttleDays: 0,
      dedupeKey: 'properties.orderId',
    });
    expect(trigger.statusCode).toBe(201);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      await api('POST', '/v1/events', {
        id: `created-${n}`,
        type: 'order.created',
        contact: { id: `c-${n}`, email: `c${n}@example.com` },
        properties: { orderId: `A-${n}` },
      });
      const view = await waitForDecision(api, `created-${n}`);
      ids.push(view.invitation.id);
    }
    const png = await api('GET', `/v1/invitations/${ids[0]}/qr.png`);
    const url = decode(png.rawPayload);
    expect(url).toMatch(/\/s\/[\w-]{32}$/);
    expect((await api('GET', `/v1/invitations/${ids[0]}`)).json().url).toBe(url);

    const sheet = await api('GET', `/v1/invitations/qr-sheet?ids=${ids.join(',')}`);
    expect(sheet.statusCode).toBe(200);
    expect(sheet.headers['content-type']).toContain('text/html');
    expect(sheet.body.match(/<svg/g)).toHaveLength(3);
    expect(sheet.body).toContain('created-2');
    const badSheet = await api('GET', '/v1/invitations/qr-sheet?ids=x,y');
    expect(badSheet.statusCode).toBe(400);
    expect(badSheet.json().error.details[0].field).toMatch(/^ids/);

    await queuesIdle(system.ctx.queues);
    expect(smtp.messages).toHaveLength(0);
  });

  test('a location code takes anonymous answers tagged with the place: the why joins the answer, a second answer from the same device waits', async ({
    shopWith,
  }) => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { system, api } = await shopWith({ clock });
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const bad = await api('POST', '/v1/locations', { surveyId: survey.id, name: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('name');
    const created = await api('POST', '/v1/locations', {
      surveyId: survey.id,
      name: 'Main St shop',
      properties: { region: 'north' },
    });
    expect(created.statusCode).toBe(201);
    const location = created.json();
    expect(location.url).toMatch(/^http:\/\/localhost:3000\/l\/[a-z2-9]{10}$/);
    expect(decode((await api('GET', `/v1/locations/${location.id}/qr.png`)).rawPayload)).toBe(location.url);

    const path = new URL(location.url).pathname;
    const page = await system.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Shop · Main St shop');
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).toMatch(/^sf_device=/);
    const post = (payload: object, headers: Record<string, string> = { cookie }) =>
      system.app.inject({
        method: 'POST',
        url: path,
        payload,
        headers: { accept: 'application/json', ...headers },
      });

    expect((await post({ score: 3 })).statusCode).toBe(201);
    const why = await post({ score: 3, comment: 'Long queue at the till' });
    expect(why.statusCode).toBe(200);
    expect(why.json().status).toBe('updated');

    clock.advance(60 * 60_000);
    const stuffed = await post({ score: 10 });
    expect(stuffed.statusCode).toBe(429);
    expect(stuffed.json().error.code).toBe('device_limit');
    expect(stuffed.json().error.message).toContain(
      'You can answer again after Nov 21, 2026, 10:00 AM (UTC).',
    );
    // Forged cookies and made-up X-Forwarded-For (no proxy is trusted by default) do not make a new device.
    const forged = (n: number) => ({
      cookie: `sf_device=AAAAAAAAAAAAAAAAAAAAA${n}.forged`,
      'x-forwarded-for': `203.0.113.${n}`,
      'user-agent': 'stuffer',
    });
    expect((await post({ score: 0 }, forged(1))).statusCode).toBe(201);
    expect((await post({ score: 0 }, forged(2))).json().status).toBe('updated');
    // Another phone answers freely; a day later the first may answer again.
    expect((await post({ score: 9 }, { 'user-agent': 'other phone' })).statusCode).toBe(201);
    clock.advance(24 * 60 * 60_000);
    expect((await post({ score: 8 })).statusCode).toBe(201);

    const rows = await system.ctx.database.sql`
      select r.score, r.comment, r.contact_id, r.invitation_id, r.properties, l.name
      from responses r join locations l on l.id = r.location_id order by r.created_at, r.score`;
    expect(rows.map((r) => [r.score, r.comment])).toEqual([
      [3, 'Long queue at the till'],
      [0, null],
      [9, null],
      [8, null],
    ]);
    expect(rows[0]).toMatchObject({
      contact_id: null,
      invitation_id: null,
      properties: { region: 'north', location: 'Main St shop' },
      name: 'Main St shop',
    });
    expect((await system.app.inject({ method: 'GET', url: '/l/zzzzzzzzzz' })).statusCode).toBe(404);
    // Anonymous answers are listed like any other, with the place instead of a contact.
    const listed = (await api('GET', '/v1/responses')).json().data;
    expect(listed).toHaveLength(4);
    expect(listed[0]).toMatchObject({
      contact: null,
      location: { id: location.id, name: 'Main St shop' },
      channel: 'qr',
    });

    // A script that fetches a fresh signed cookie for every answer is capped per network address.
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const fresh = await system.app.inject({ method: 'GET', url: path });
      const jar = String(fresh.headers['set-cookie']).split(';')[0] ?? '';
      statuses.push((await post({ score: 0 }, { cookie: jar, 'user-agent': `bot ${i}` })).statusCode);
    }
    expect(statuses).toContain(429);
    const since = new Date(clock.now().getTime() - 24 * 3_600_000).toISOString();
    expect(
      await system.ctx.database
        .sql`select count(*)::int as n from responses where created_at > ${since}::timestamptz`,
    ).toEqual([{ n: 30 }]);
  });
});

/** The event's first decision, once planning has made its invitation. */
const waitForDecision = (api: Shop['api'], id: string) =>
  waitFor(async () => {
    const decision = (await api('GET', `/v1/events/${id}`)).json().decisions?.[0];
    return decision?.invitation ? decision : null;
  });
