// Invariant 11 for Twilio: a captured, correctly signed webhook replayed later changes nothing — through real HTTP.
import { createHmac, randomBytes } from 'node:crypto';
import { onceForInboundSms, onceForSmsStatus } from '@surveyflow/core';
import { queuesIdle, type TwilioFake, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type ShopWith, SMS_FROM, startSmsShop, test } from './testing.ts';

const FROM = SMS_FROM;
const EVE = '+48600100200';

/** Twilio's X-Twilio-Signature: HMAC-SHA1 with the auth token over the URL and the fields sorted by name. */
function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

async function replayShop(shopWith: ShopWith, twilio: TwilioFake) {
  const shop = await startSmsShop(shopWith, twilio);
  const sql = shop.system.ctx.database.sql;
  const order = async (id: string) => {
    // Clear the throttle so each order may text Eve again.
    await sql`update invitations set send_at = send_at - interval '400 days', sent_at = sent_at - interval '400 days'`;
    await shop.api('POST', '/v1/events', {
      id,
      type: 'order.delivered',
      contact: { id: 'c-eve', phone: EVE },
    });
  };
  /**
   * A text from Eve as Twilio posts it, signed; the returned function posts exactly that request, so
   * calling it again is an attacker (or Twilio) replaying a captured request.
   */
  const text = (body: string) => {
    const url = `${shop.publicUrl}/sms/inbound`;
    const messageSid = `SM${randomBytes(16).toString('hex')}`;
    const params = {
      MessageSid: messageSid,
      SmsSid: messageSid,
      SmsMessageSid: messageSid,
      AccountSid: twilio.accountSid,
      From: EVE,
      To: FROM,
      Body: body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const signature = twilioSignature(twilio.authToken, url, params);
    return async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
        },
        body: new URLSearchParams(params),
      });
      return { status: res.status, body: await res.text() };
    };
  };
  const sent = () =>
    waitFor(async () => {
      const rows = await sql`select 1 from invitations where status = 'sent'`;
      return rows.length > 0 ? rows.length : null;
    });
  const eve = async () => {
    const [row] = await sql`select opted_out_at, opted_out_via from contacts where phone = ${EVE}`;
    return row;
  };
  /** What the system has sent or means to send: texts at Twilio, and every notification in the outbox. */
  const outgoing = async () => {
    await queuesIdle(shop.system.ctx.queues);
    const [row] = await sql`select count(*)::int as n from notifications`;
    return { texts: twilio.messages.length, notifications: row?.n };
  };
  return { ...shop, sql, order, text, sent, eve, outgoing };
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('Twilio webhooks replayed', () => {
  test('a replayed "3" after a later "9" changes nothing; a genuinely new text is still applied', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await replayShop(shopWith, twilio);
    await shop.order('o-1');
    await twilio.waitForMessages(1);
    await shop.sent();

    const three = shop.text('3');
    expect((await three()).body).toContain('<Message>What is the main reason for your score?</Message>');
    const nine = await shop.text('9')();
    expect(nine.body).toContain('<Message>What is the main reason for your score?</Message>');
    expect(await shop.sql`select score from responses`).toEqual([{ score: 9 }]);
    const before = await shop.outgoing();

    const replay = await three();
    expect(replay).toEqual({ status: 200, body: EMPTY_TWIML });
    expect(await shop.sql`select score, comment from responses`).toEqual([{ score: 9, comment: null }]);
    expect(await shop.outgoing()).toEqual(before);
    expect(await shop.sql`select count(*)::int as n from sms_inbound_messages`).toEqual([{ n: 2 }]);

    // The ordering rule is our receipt of each SID's first delivery: a new SID, however late, counts.
    expect((await shop.text('8')()).body).toContain('<Message>');
    expect(await shop.sql`select score from responses`).toEqual([{ score: 8 }]);
  });

  test('STOP → START → the STOP replayed: Eve stays opted in and gets no second confirmation', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await replayShop(shopWith, twilio);
    await shop.order('o-1');
    await twilio.waitForMessages(1);
    await shop.sent();

    const stop = shop.text('STOP');
    expect((await stop()).body).toContain('You will get no more messages from Shop');
    expect((await shop.eve())?.opted_out_via).toBe('sms');
    const start = shop.text('START');
    expect((await start()).body).toContain('Reply STOP to opt out');
    expect(await shop.eve()).toEqual({ opted_out_at: null, opted_out_via: null });
    const before = await shop.outgoing();

    expect(await stop()).toEqual({ status: 200, body: EMPTY_TWIML });
    expect(await start()).toEqual({ status: 200, body: EMPTY_TWIML });
    expect(await shop.eve()).toEqual({ opted_out_at: null, opted_out_via: null });
    expect(await shop.outgoing()).toEqual(before);

    // Still opted in, so the next order texts her.
    await shop.order('o-2');
    await twilio.waitForMessages(2);
    expect(twilio.messages.map((m) => m.to)).toEqual([EVE, EVE]);
  });

  test('a 21610 status callback replayed after START does not opt Eve out again', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await replayShop(shopWith, twilio);
    await shop.order('o-1');
    const [sms] = await twilio.waitForMessages(1);
    const sid = sms?.sid ?? '';
    await shop.sent();

    expect(await twilio.sendStatus(sid, 'undelivered', { errorCode: '21610' })).toBe(204);
    expect((await shop.eve())?.opted_out_via).toBe('carrier');
    expect((await shop.text('START')()).body).toContain('Reply STOP to opt out');
    expect(await shop.eve()).toEqual({ opted_out_at: null, opted_out_via: null });

    // The fake posts the very same signed callback again.
    expect(await twilio.sendStatus(sid, 'undelivered', { errorCode: '21610' })).toBe(204);
    expect(await shop.eve()).toEqual({ opted_out_at: null, opted_out_via: null });
    expect(await shop.sql`select status, error_code from sms_statuses`).toEqual([
      { status: 'undelivered', error_code: '21610' },
    ]);
    expect(await shop.sql`select message_sid, status from sms_status_callbacks`).toEqual([
      { message_sid: sid, status: 'undelivered' },
    ]);

    await shop.order('o-2');
    await twilio.waitForMessages(2);
    expect(twilio.messages.map((m) => m.to)).toEqual([EVE, EVE]);
    await waitFor(async () =>
      expect(await shop.sql`select status from invitations order by created_at`).toEqual([
        { status: 'sent' },
        { status: 'sent' },
      ]),
    );
  });

  test("a webhook whose handling failed is not recorded as applied, so Twilio's retry is; after that it is a replay", async ({
    db,
  }) => {
    const now = new Date('2026-12-01T10:00:00Z');
    const boom = async () => {
      throw new Error('Postgres went away');
    };
    const applied = async () => 'applied';
    await expect(onceForInboundSms(db.database, 'SM1', now, boom)).rejects.toThrow('Postgres went away');
    expect(await onceForInboundSms(db.database, 'SM1', now, applied)).toEqual({
      replay: false,
      value: 'applied',
    });
    expect(await onceForInboundSms(db.database, 'SM1', now, applied)).toEqual({ replay: true });

    const callback = { messageSid: 'SM2', status: 'undelivered' };
    await expect(onceForSmsStatus(db.database, callback, now, boom)).rejects.toThrow('Postgres went away');
    expect(await onceForSmsStatus(db.database, callback, now, applied)).toEqual({
      replay: false,
      value: 'applied',
    });
    expect(await onceForSmsStatus(db.database, callback, now, applied)).toEqual({ replay: true });
    // Another status of the same message is news, not a replay.
    expect(await onceForSmsStatus(db.database, { ...callback, status: 'delivered' }, now, applied)).toEqual({
      replay: false,
      value: 'applied',
    });
  });

  test('a replayed HELP gets no second reply, even when both deliveries race', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await replayShop(shopWith, twilio);
    await shop.order('o-1');
    await twilio.waitForMessages(1);
    await shop.sent();

    const help = shop.text('HELP');
    const first = await help();
    expect(first.body).toContain('<Message>Shop surveys: reply with a number 0-10 to answer');
    const before = await shop.outgoing();
    expect(await help()).toEqual({ status: 200, body: EMPTY_TWIML });
    expect(await shop.outgoing()).toEqual(before);
    expect(before).toEqual({ texts: 1, notifications: 0 });

    const raced = shop.text('HELP');
    const answers = await Promise.all([raced(), raced(), raced()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.includes('<Message>'))).toHaveLength(1);
    expect(await shop.sql`select 1 from responses`).toHaveLength(0);
  });
});
