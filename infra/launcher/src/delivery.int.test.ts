// Crashes and outages through the whole system: an interrupted send is listed and resent by hand; Twilio's 429s are waited out.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { test } from './testing.ts';

describe('an interrupted send', () => {
  test('is listed as interrupted, resent once by POST /resend (409 after), and never sent again on its own', async ({
    shopWith,
    smtp,
  }) => {
    const { api, system } = await shopWith({
      env: { RECONCILE_INTERVAL_MS: '200', RECONCILE_AFTER_MS: '500', DELIVERY_LEASE_MS: '1000' },
    });
    const sql = system.ctx.database.sql;
    await api('POST', '/v1/events', {
      id: 'o-1',
      type: 'order.delivered',
      contact: { id: 'c-1', email: 'jane@example.com' },
    });
    await smtp.waitFor((m) => m.to.includes('jane@example.com'));
    const [sent] = await waitFor(async () => {
      const rows = await sql<{ id: string; status: string }[]>`select id, status from invitations`;
      return rows[0]?.status === 'sent' ? rows : null;
    });
    const id = sent?.id ?? '';
    // The sender died inside the SMTP transaction: handed over, no outcome recorded.
    await sql`update invitations set status = 'sending', sent_at = null, provider_message_id = null,
      claimed_at = now() - interval '1 minute', handed_over_at = now() - interval '1 minute' where id = ${id}`;

    const interrupted = await waitFor(async () => {
      const data = (await api('GET', '/v1/invitations?status=interrupted')).json().data;
      return data.length > 0 ? data : null;
    });
    expect(interrupted).toMatchObject([{ id, status: 'interrupted', channel: 'email' }]);
    expect(interrupted[0].failureReason).toMatch(/^interrupted: /);
    // Nothing sends it again on its own (the reconciler has run several times in this second).
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages).toHaveLength(1);

    const resent = await api('POST', `/v1/invitations/${id}/resend`);
    expect(resent.statusCode).toBe(202);
    expect(resent.json()).toEqual({ id, channel: 'email', status: 'queued' });
    await waitFor(() => expect(smtp.messages).toHaveLength(2));
    // The same link as the message that may have arrived.
    const link = (text: string) => /\/s\/([A-Za-z0-9_-]{32})/.exec(text)?.[1];
    expect(link(smtp.messages[1]?.text ?? '')).toBe(link(smtp.messages[0]?.text ?? ''));
    await waitFor(async () =>
      expect((await sql`select status from invitations where id = ${id}`)[0]?.status).toBe('sent'),
    );

    const again = await api('POST', `/v1/invitations/${id}/resend`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBeTruthy();
    const missing = await api('POST', '/v1/invitations/00000000-0000-4000-8000-000000000000/resend');
    expect(missing.statusCode).toBe(404);
    expect(smtp.messages).toHaveLength(2);
  });
});

describe('a Twilio outage', () => {
  test('a run of 429s longer than 8 attempts is waited out: the text is sent once, nothing fails', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await shopWith({
      listen: true,
      env: {
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+15005550006',
        TWILIO_API_URL: twilio.url,
        SMS_RATE_PER_SECOND: '50',
        DELIVERY_BACKOFF_BASE_MS: '10',
        DELIVERY_BACKOFF_MAX_MS: '100',
      },
    });
    const [trigger] = (await shop.api('GET', '/v1/triggers')).json().data;
    await shop.api('PATCH', `/v1/triggers/${trigger.id}`, { channels: ['sms'] });
    twilio.failNext(429, 12);
    await shop.api('POST', '/v1/events', {
      id: 'o-sms',
      type: 'order.delivered',
      contact: { id: 'c-sms', phone: '+48600100200' },
    });
    await twilio.waitForMessages(1, 15_000);
    const sql = shop.system.ctx.database.sql;
    await waitFor(async () =>
      expect(await sql`select status, failure_reason from invitations`).toEqual([
        { status: 'sent', failure_reason: null },
      ]),
    );
    expect(twilio.messages).toHaveLength(1);
  });
});
