// The SMS adapter with the real twilio client pointed at the loopback fake: what gets sent, and which failures are final.
import { HandOverRefusedError, PermanentDeliveryError } from '@surveyflow/core';
import { type TestDatabase, type TwilioFake, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { createSmsChannel } from './sms.ts';

const from = '+15005550001';
const to = '+15005550006';

function channelFor(
  fake: TwilioFake,
  db: TestDatabase,
  overrides: Partial<Parameters<typeof createSmsChannel>[0]> = {},
) {
  return createSmsChannel({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    from,
    apiUrl: fake.url,
    database: db.database,
    devOutbox: false,
    ...overrides,
  });
}

describe('through Twilio', () => {
  test('a text reaches Twilio with recipient, sender, body and status callback; the SID and parts come back', async ({
    twilio: fake,
    db,
  }) => {
    const body = `How likely are you to recommend Demo shop? Reply 0-10. ${'x'.repeat(120)}`;
    const sent = await channelFor(fake, db).send({
      to,
      body,
      statusCallbackUrl: 'https://sf.test/sms/status/inv_1',
    });
    const [message] = await fake.waitForMessages(1);
    expect(message).toMatchObject({ to, from, body, statusCallback: 'https://sf.test/sms/status/inv_1' });
    expect(sent).toEqual({ messageId: message?.sid, segments: 2 });
  });

  test('the hand-over comes immediately before the request; refused, nothing reaches Twilio', async ({
    twilio: fake,
    db,
  }) => {
    const sms = channelFor(fake, db);
    await expect(sms.send({ to, body: 'Hi' }, async () => false)).rejects.toBeInstanceOf(
      HandOverRefusedError,
    );
    expect(fake.messages).toHaveLength(0);
    const atHandOver: number[] = [];
    await sms.send({ to, body: 'Hi' }, async () => {
      atHandOver.push(fake.messages.length);
      return true;
    });
    expect(atHandOver).toEqual([0]);
    expect(fake.messages).toHaveLength(1);
  });

  test('a Messaging Service sends without a From number', async ({ twilio: fake, db }) => {
    const messagingServiceSid = `MG${'ab'.repeat(16)}`;
    await channelFor(fake, db, { from: undefined, messagingServiceSid }).send({ to, body: 'Thanks!' });
    expect(fake.messages).toMatchObject([{ from: null, messagingServiceSid, statusCallback: null }]);
  });

  test('a recipient who replied STOP fails for good as recipient_opted_out', async ({ twilio: fake, db }) => {
    fake.optedOut.add(to);
    const failure = await channelFor(fake, db)
      .send({ to, body: 'hi' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PermanentDeliveryError);
    expect(failure).toMatchObject({
      kind: 'recipient_opted_out',
      message: expect.stringMatching(/^twilio 21610: /),
    });
  });

  test('an invalid number (21211) is rejected for good', async ({ twilio: fake, db }) => {
    const failure = await channelFor(fake, db)
      .send({ to: '12345', body: 'hi' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PermanentDeliveryError);
    expect(failure).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^twilio 21211: /) });
  });

  test('a wrong auth token (401) is rejected for good', async ({ twilio: fake, db }) => {
    const failure = await channelFor(fake, db, { authToken: 'not-the-token-at-all' })
      .send({ to, body: 'hi' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PermanentDeliveryError);
    expect(failure).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^twilio 20003: /) });
  });

  test('429 and 500 are left to the queue: not permanent, and not retried by the client', async ({
    twilio: fake,
    db,
  }) => {
    const channel = channelFor(fake, db);
    for (const status of [429, 500] as const) {
      fake.failNext(status);
      const failure = await channel.send({ to, body: 'hi' }).catch((e: unknown) => e);
      expect(failure).not.toBeInstanceOf(PermanentDeliveryError);
      expect(failure).toMatchObject({ status });
    }
    expect(fake.messages).toEqual([]);
    await channel.send({ to, body: 'hi' });
    expect(fake.messages).toHaveLength(1);
  });

  test('an unreachable API is a transient failure', async ({ twilio: fake, db }) => {
    await fake.close();
    const failure = await channelFor(fake, db)
      .send({ to, body: 'hi' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(PermanentDeliveryError);
  });
});

describe('dev outbox', () => {
  const outbox = (db: TestDatabase) =>
    db.database.sql`select channel, message_id, sender, recipient, subject, text from dev_outbox order by id`;

  test('without a Twilio account, a text is kept in the dev outbox', async ({ db }) => {
    const channel = createSmsChannel({
      apiUrl: 'https://api.twilio.com',
      database: db.database,
      devOutbox: false,
    });
    const sent = await channel.send({ to, body: 'Привет! Как мы справились?' });
    expect(sent).toEqual({ messageId: expect.stringMatching(/^SMdev[0-9a-f]+$/), segments: 1 });
    expect(await outbox(db)).toEqual([
      {
        channel: 'sms',
        message_id: sent.messageId,
        sender: 'dev',
        recipient: to,
        subject: null,
        text: 'Привет! Как мы справились?',
      },
    ]);
  });

  test('DEV_OUTBOX keeps texts out of Twilio even with an account', async ({ twilio: fake, db }) => {
    const sent = await channelFor(fake, db, { devOutbox: true }).send({ to, body: 'a'.repeat(161) });
    expect(sent.segments).toBe(2);
    expect(await outbox(db)).toMatchObject([{ sender: from, recipient: to, message_id: sent.messageId }]);
    expect(fake.messages).toEqual([]);
  });
});
