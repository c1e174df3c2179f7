// SMS both ways through the whole system, with the real twilio client talking to the loopback Twilio fake.
import { type TwilioFake, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type ShopWith, SMS_FROM, startSmsShop, test } from './testing.ts';

const FROM = SMS_FROM;
const EVE = '+48600100200';

async function smsShop(shopWith: ShopWith, twilio: TwilioFake, env: Record<string, string> = {}) {
  const shop = await startSmsShop(shopWith, twilio, env);
  const order = (id: string, phone = EVE, contactId = `c-${phone}`) =>
    shop.api('POST', '/v1/events', { id, type: 'order.delivered', contact: { id: contactId, phone } });
  const reply = (body: string, signature?: 'valid' | 'wrong' | 'none') =>
    twilio.inbound(
      `${shop.publicUrl}/sms/inbound`,
      { from: EVE, to: FROM, body },
      signature ? { signature } : {},
    );
  const sql = shop.system.ctx.database.sql;
  return { ...shop, order, reply, sql };
}

describe('SMS', () => {
  test('invitation by text → "3" records the score and asks why → the next text is the comment; callbacks in any order end delivered', async ({
    shopWith,
    smtp,
    twilio,
  }) => {
    const shop = await smsShop(shopWith, twilio);
    await shop.order('o-1');
    const [sms] = await twilio.waitForMessages(1);
    expect(sms).toMatchObject({ to: EVE, from: FROM, statusCallback: `${shop.publicUrl}/sms/status` });
    // The link would need a second paid segment, so the text asks for a reply instead.
    expect(sms?.body).toBe(
      'Shop: How likely are you to recommend Shop to a friend or colleague? Reply 0-10. STOP to opt out',
    );
    expect(sms?.numSegments).toBe(1);
    const [invitation] = await waitFor(async () => {
      const rows =
        await shop.sql`select status, provider_message_id, segments from invitations where channel = 'sms'`;
      return rows[0]?.status === 'sent' ? rows : null;
    });
    expect(invitation).toMatchObject({ provider_message_id: sms?.sid, segments: sms?.numSegments });

    // Unsigned or wrongly signed webhooks are refused and record nothing.
    expect((await shop.reply('3', 'none')).status).toBe(403);
    expect((await shop.reply('3', 'wrong')).status).toBe(403);
    expect(await shop.sql`select 1 from responses`).toHaveLength(0);

    const scored = await shop.reply('3');
    expect(scored.status).toBe(200);
    expect(scored.contentType).toContain('text/xml');
    expect(scored.body).toContain('<Message>What is the main reason for your score?</Message>');
    expect(await shop.sql`select score, comment, channel from responses`).toEqual([
      { score: 3, comment: null, channel: 'sms' },
    ]);

    const why = await shop.reply('The parcel came a week late');
    expect(why.body).toContain('<Message>Thank you!');
    expect(await shop.sql`select score, comment from responses`).toEqual([
      { score: 3, comment: 'The parcel came a week late' },
    ]);
    // A later text is not lost: it goes to the team.
    const later = await shop.reply('Also the box was wet');
    expect(later.body).toContain('<Message>Thank you!');
    const forwarded = await smtp.waitFor((m) => m.subject.startsWith('Reply by text'));
    expect(forwarded.to).toEqual(['a@shop.test']);
    expect(forwarded.text).toContain('Also the box was wet');
    // The detractor alert carries the comment.
    const alert = await smtp.waitFor((m) => m.subject.startsWith('Detractor alert'));
    expect(alert.text).toContain('The parcel came a week late');

    // Status callbacks late, twice and out of order: the final state wins and never goes back.
    for (const status of ['delivered', 'sent', 'queued', 'delivered', 'sent'] as const) {
      expect(await twilio.sendStatus(sms?.sid ?? '', status)).toBe(204);
    }
    expect(await shop.sql`select status from sms_statuses where message_sid = ${sms?.sid ?? ''}`).toEqual([
      { status: 'delivered' },
    ]);
  });

  test('STOP opts the phone out at once, answers only the confirmation, and the next order skips with opted_out; START opts back in', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await smsShop(shopWith, twilio);
    await shop.order('o-1');
    await twilio.waitForMessages(1);
    await waitFor(async () => (await shop.sql`select 1 from invitations where status = 'sent'`).length === 1);

    const help = await shop.reply('HELP');
    expect(help.body).toContain('reply with a number 0-10 to answer, STOP to opt out');
    const gibberish = await shop.reply('who is this?');
    expect(gibberish.body).toContain('Sorry, we did not get that');

    const stop = await shop.reply('Stop');
    expect(stop.body).toContain('You will get no more messages from Shop');
    const [contact] = await shop.sql`select opted_out_at from contacts`;
    expect(contact?.opted_out_at).not.toBeNull();
    // Nothing but the confirmation: a score now gets an empty TwiML answer and records nothing.
    const after = await shop.reply('9');
    expect(after.body).not.toContain('<Message>');
    expect(await shop.sql`select 1 from responses`).toHaveLength(0);

    await shop.sql`update invitations set send_at = send_at - interval '400 days'`;
    await shop.order('o-2');
    await waitFor(async () =>
      expect((await shop.api('GET', '/v1/events/o-2')).json().decisions[0]).toMatchObject({
        reason: 'opted_out',
      }),
    );

    // Someone else on the same number who unsubscribed through the API is not opted back in by a text.
    await shop.order('o-3', EVE, 'c-api');
    await shop.api('POST', '/v1/contacts/c-api/unsubscribe');

    const start = await shop.reply('START');
    expect(start.body).toContain('Reply STOP to opt out');
    expect(await shop.sql`select external_id, opted_out_via from contacts order by external_id`).toEqual([
      { external_id: `c-${EVE}`, opted_out_via: null },
      { external_id: 'c-api', opted_out_via: 'api' },
    ]);
  });

  test('Twilio 21610 (the number told the carrier STOP), at send or in a callback, opts the contact out; at send it fails the invitation with that reason', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await smsShop(shopWith, twilio);
    twilio.optedOut.add(EVE);
    await shop.order('o-1');
    const [invitation] = await waitFor(async () => {
      const rows = await shop.sql`select status, failure_reason from invitations`;
      return rows[0]?.status === 'failed' ? rows : null;
    });
    expect(invitation?.failure_reason).toMatch(/^recipient_opted_out: twilio 21610/);
    expect((await shop.sql`select opted_out_at from contacts`)[0]?.opted_out_at).not.toBeNull();
    expect(twilio.messages).toHaveLength(0);

    // The same news can come later, in a status callback: undelivered with 21610.
    const bob = '+48600100300';
    await shop.order('o-2', bob);
    const [sms] = await twilio.waitForMessages(1);
    await waitFor(async () => (await shop.sql`select 1 from invitations where status = 'sent'`).length === 1);
    expect(await twilio.sendStatus(sms?.sid ?? '', 'undelivered', { errorCode: '21610' })).toBe(204);
    const [contact] = await shop.sql`select opted_out_at from contacts where phone = ${bob}`;
    expect(contact?.opted_out_at).not.toBeNull();
  });

  test('texts go out at most SMS_RATE_PER_SECOND per sender; a 429 from Twilio is retried, not lost', async ({
    shopWith,
    twilio,
  }) => {
    const shop = await smsShop(shopWith, twilio, { SMS_RATE_PER_SECOND: '1' });
    twilio.failNext(429);
    for (const n of [1, 2, 3]) await shop.order(`o-${n}`, `+4860010020${n}`);
    const sent = await twilio.waitForMessages(3, 20_000);
    expect(new Set(sent.map((m) => m.to))).toEqual(new Set(['+48600100201', '+48600100202', '+48600100203']));
    const times = sent.map((m) => m.dateCreated.getTime()).sort((a, b) => a - b);
    // Three texts at one per second span at least two seconds (a little slack for timer jitter).
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1800);
  });

  test('without a Twilio account texts land in the dev outbox, and a developer can answer them from there', async ({
    shop,
  }) => {
    const sql = shop.system.ctx.database.sql;
    const [trigger] = (await shop.api('GET', '/v1/triggers')).json().data;
    await shop.api('PATCH', `/v1/triggers/${trigger.id}`, { channels: ['sms'] });
    await shop.api('POST', '/v1/events', {
      id: 'o-1',
      type: 'order.delivered',
      contact: { id: 'c-1', phone: EVE },
    });
    await waitFor(async () => (await sql`select 1 from invitations where status = 'sent'`).length === 1);
    const page = await shop.system.app.inject({ method: 'GET', url: '/dev/outbox' });
    expect(page.body).toContain('action="/dev/sms/reply"');

    const answer = (body: string) =>
      shop.system.app.inject({
        method: 'POST',
        url: '/dev/sms/reply',
        payload: `from=${encodeURIComponent(EVE)}&body=${encodeURIComponent(body)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const scored = await answer('4');
    expect(scored.statusCode).toBe(303);
    expect(await sql`select score from responses`).toEqual([{ score: 4 }]);
    expect(
      (await sql`select text from dev_outbox where subject like 'Reply to%' order by id`).map((r) => r.text),
    ).toEqual(['What is the main reason for your score?']);
    expect((await answer('not a phone')).statusCode).toBe(303);
    const bad = await shop.system.app.inject({
      method: 'POST',
      url: '/dev/sms/reply',
      payload: { from: 'nope', body: '4' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('from');
  });
});
