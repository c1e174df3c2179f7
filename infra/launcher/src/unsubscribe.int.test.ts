// Opting out through the email (RFC 8058 one-click and the footer page) and through the API, honoured at once.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { test } from './testing.ts';

describe('unsubscribe', () => {
  test('the email carries one-click unsubscribe; a scanner GET changes nothing; the POST opts out at once; undo opts back in', async ({
    shopWith,
    smtp,
  }) => {
    const { system, api } = await shopWith({ env: { PUBLIC_URL: 'http://s.test' } });
    const event = (id: string) =>
      api('POST', '/v1/events', {
        id,
        type: 'order.delivered',
        contact: { id: 'c-1', email: 'eve@example.com' },
      });
    const optedOut = async () =>
      (await system.ctx.database.sql`select opted_out_at from contacts where external_id = 'c-1'`)[0]
        ?.opted_out_at;

    await event('o-1');
    const mail = await smtp.waitFor((m) => m.to.includes('eve@example.com'));
    const header = String(mail.headers.get('list-unsubscribe') ?? '');
    const url = /<(http:\/\/s\.test\/u\/[A-Za-z0-9_-]{32})>/.exec(header)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(String(mail.headers.get('list-unsubscribe-post'))).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toContain(`href="${url}"`);
    const path = new URL(url).pathname;

    // A link scanner opens the page: nothing changes.
    const page = await system.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(await optedOut()).toBeNull();

    // The mail client's one-click POST (RFC 8058) opts out at once.
    const oneClick = await system.app.inject({
      method: 'POST',
      url: path,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.statusCode).toBe(200);
    expect(await optedOut()).not.toBeNull();

    // Far past any throttle, a new event is skipped with opted_out.
    await system.ctx.database.sql`update invitations set send_at = send_at - interval '400 days'`;
    await event('o-2');
    await waitFor(async () => expect((await api('GET', '/v1/events/o-2')).json().status).toBe('planned'));
    expect((await api('GET', '/v1/events/o-2')).json().decisions[0]).toMatchObject({ reason: 'opted_out' });

    // Undo from the confirmation page.
    const undo = await system.app.inject({ method: 'POST', url: `${path}/undo` });
    expect(undo.statusCode).toBe(200);
    expect(await optedOut()).toBeNull();
  });

  test('the API unsubscribe cancels a waiting invitation at once; unknown contacts are 404', async ({
    shop,
  }) => {
    const { api } = shop;
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    await api('PATCH', `/v1/triggers/${trigger.id}`, { delay: 'P2D' });
    await api('POST', '/v1/events', {
      id: 'o-1',
      type: 'order.delivered',
      contact: { id: 'c-9', email: 'zed@example.com' },
    });
    await waitFor(async () =>
      expect((await api('GET', '/v1/events/o-1')).json().decisions[0]?.invitation?.status).toBe('scheduled'),
    );

    const res = await api('POST', '/v1/contacts/c-9/unsubscribe');
    expect(res.json()).toEqual({ id: 'c-9', optedOut: true, alreadyOptedOut: false });
    expect((await api('GET', '/v1/events/o-1')).json().decisions[0].invitation).toMatchObject({
      status: 'cancelled',
      failureReason: 'opted_out',
    });
    expect((await api('POST', '/v1/contacts/c-9/unsubscribe')).json().alreadyOptedOut).toBe(true);
    expect((await api('POST', '/v1/contacts/nobody/unsubscribe')).statusCode).toBe(404);
    expect((await api('POST', '/v1/contacts/c-9/resubscribe')).json()).toEqual({
      id: 'c-9',
      optedOut: false,
    });
  });

  test('with UNSUBSCRIBE_MAILTO, List-Unsubscribe also offers mailto:, and the forwarded mail opts out; a wrong secret is 403', async ({
    shopWith,
    smtp,
  }) => {
    const secret = 'inbound-secret-0123456789abcdef';
    const { system, api } = await shopWith({
      env: { UNSUBSCRIBE_MAILTO: 'unsubscribe@mail.shop.test', INBOUND_EMAIL_TOKEN: secret },
    });
    await api('POST', '/v1/events', {
      id: 'o-1',
      type: 'order.delivered',
      contact: { id: 'c-1', email: 'eve@example.com' },
    });
    const mail = await smtp.waitFor((m) => m.to.includes('eve@example.com'));
    const header = mail.headers.get('list-unsubscribe') ?? '';
    const mailto = /<mailto:unsubscribe@mail\.shop\.test\?subject=([^>]+)>/.exec(header)?.[1] ?? '';
    const subject = decodeURIComponent(mailto);
    expect(subject).toMatch(/^unsubscribe [\w-]{32}$/);
    expect(header).toMatch(/^<http:\/\/localhost:3000\/u\/[\w-]{32}>, <mailto:/);

    const inbound = (path: string, payload: object) =>
      system.app.inject({ method: 'POST', url: path, payload });
    expect(
      (await inbound('/email/inbound/not-the-secret-at-all-000000', { Subject: subject })).statusCode,
    ).toBe(403);
    const optedOut = async () =>
      (await system.ctx.database.sql`select opted_out_at from contacts where external_id = 'c-1'`)[0]
        ?.opted_out_at;
    expect(await optedOut()).toBeNull();
    // Postmark posts JSON with "Subject"; a reply keeps "Re:" in front.
    const res = await inbound(`/email/inbound/${secret}`, { Subject: `Re: ${subject}` });
    expect(res.json()).toEqual({ received: true });
    expect(await optedOut()).not.toBeNull();
    // Unknown tokens are answered the same way and change nothing.
    expect(
      (
        await inbound(`/email/inbound/${secret}`, {
          subject: 'unsubscribe AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        })
      ).json(),
    ).toEqual({ received: true });
  });
});
