// The Twilio fake speaks Twilio's wire format: REST answers shaped like the real API, webhooks signed like the real ones.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { describe, expect } from 'vitest';
import { test as base, type TwilioFake } from './index.ts';

type Received = { url: string; signature: string | undefined; params: Record<string, string> };

const test = base.extend<{ receiver: Awaited<ReturnType<typeof startReceiver>> }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  receiver: async ({}, use) => {
    const receiver = await startReceiver();
    await use(receiver);
    await receiver.close();
  },
});

/** A webhook endpoint that keeps what it was sent and answers with empty TwiML, as our collector would. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const signature = req.headers['x-twilio-signature'];
    received.push({
      url: `${base}${req.url}`,
      signature: typeof signature === 'string' ? signature : undefined,
      params: Object.fromEntries(new URLSearchParams(body)),
    });
    res
      .writeHead(200, { 'Content-Type': 'text/xml' })
      .end('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function createMessage(
  fake: TwilioFake,
  form: Record<string, string>,
  auth = `${fake.accountSid}:${fake.authToken}`,
) {
  return fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
    body: new URLSearchParams(form),
  });
}

const valid = (fake: TwilioFake, r: Received) =>
  twilio.validateRequest(fake.authToken, r.signature ?? '', r.url, r.params);

describe('REST API', () => {
  test('a create answers 201 with a message resource shaped like Twilio’s', async ({ twilio: fake }) => {
    const res = await createMessage(fake, {
      To: '+15005550006',
      From: '+15005550001',
      Body: 'How likely are you to recommend us? €',
      StatusCallback: 'https://example.test/sms/status',
    });
    expect(res.status).toBe(201);
    const [message] = await fake.waitForMessages(1);
    expect(await res.json()).toMatchObject({
      sid: message?.sid,
      account_sid: fake.accountSid,
      to: '+15005550006',
      from: '+15005550001',
      messaging_service_sid: null,
      body: 'How likely are you to recommend us? €',
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      uri: `/2010-04-01/Accounts/${fake.accountSid}/Messages/${message?.sid}.json`,
      error_code: null,
      error_message: null,
      price: null,
      api_version: '2010-04-01',
    });
    expect(message).toMatchObject({ statusCallback: 'https://example.test/sms/status', numSegments: 1 });
    expect(message?.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  test('wrong credentials answer 401 with error 20003 and create nothing', async ({ twilio: fake }) => {
    const res = await createMessage(
      fake,
      { To: '+15005550006', From: '+15005550001', Body: 'hi' },
      `${fake.accountSid}:nope`,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 20003, status: 401 });
    expect(fake.messages).toEqual([]);
  });

  test('anything but creating a message answers 404 JSON', async ({ twilio: fake }) => {
    const res = await fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Calls.json`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ code: 20404, status: 404 });
  });

  test('an opted-out number answers 400 with error 21610', async ({ twilio: fake }) => {
    fake.optedOut.add('+15005550009');
    const res = await createMessage(fake, { To: '+15005550009', From: '+15005550001', Body: 'hi' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 21610,
      message: 'Attempt to send to unsubscribed recipient',
      more_info: 'https://www.twilio.com/docs/errors/21610',
      status: 400,
    });
  });

  test('failNext answers the given status for the next creates, then accepts again', async ({
    twilio: fake,
  }) => {
    fake.failNext(429, 2);
    fake.failNext(500);
    const form = { To: '+15005550006', MessagingServiceSid: `MG${'0'.repeat(32)}`, Body: 'hi' };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await createMessage(fake, form)).status);
    expect(statuses).toEqual([429, 429, 500, 201]);
    expect(fake.messages).toMatchObject([{ from: null, messagingServiceSid: `MG${'0'.repeat(32)}` }]);
  });
});

describe('webhooks', () => {
  test('a status callback is signed so that twilio.validateRequest accepts it', async ({
    twilio: fake,
    receiver,
  }) => {
    const statusCallback = `${receiver.base}/sms/status?invitation=inv_1`;
    await createMessage(fake, {
      To: '+15005550006',
      From: '+15005550001',
      Body: 'hi',
      StatusCallback: statusCallback,
    });
    const [message] = await fake.waitForMessages(1);
    expect(await fake.sendStatus(message?.sid ?? '', 'undelivered', { errorCode: '30003' })).toBe(200);
    const [callback] = receiver.received;
    expect(callback?.url).toBe(statusCallback);
    expect(callback?.params).toMatchObject({
      MessageSid: message?.sid,
      MessageStatus: 'undelivered',
      SmsSid: message?.sid,
      SmsStatus: 'undelivered',
      AccountSid: fake.accountSid,
      To: '+15005550006',
      From: '+15005550001',
      ErrorCode: '30003',
    });
    expect(callback && valid(fake, callback)).toBe(true);
    expect(fake.messages[0]?.status).toBe('undelivered');
  });

  test('an inbound text is signed, and its TwiML answer comes back', async ({ twilio: fake, receiver }) => {
    const answer = await fake.inbound(`${receiver.base}/sms/inbound`, {
      from: '+15005550006',
      to: '+15005550001',
      body: 'STOP',
    });
    expect(answer).toEqual({
      status: 200,
      body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
      contentType: 'text/xml',
    });
    const [inbound] = receiver.received;
    expect(inbound?.params).toMatchObject({
      From: '+15005550006',
      To: '+15005550001',
      Body: 'STOP',
      NumMedia: '0',
      AccountSid: fake.accountSid,
    });
    expect(inbound?.params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(inbound?.params.SmsSid).toBe(inbound?.params.MessageSid);
    expect(inbound && valid(fake, inbound)).toBe(true);
  });

  test('a wrong or missing signature is one twilio.validateRequest rejects', async ({
    twilio: fake,
    receiver,
  }) => {
    const msg = { from: '+15005550006', to: '+15005550001', body: '9' };
    await fake.inbound(`${receiver.base}/sms/inbound`, msg, { signature: 'wrong' });
    await fake.inbound(`${receiver.base}/sms/inbound`, msg, { signature: 'none' });
    const [wrong, none] = receiver.received;
    expect(wrong?.signature).toMatch(/.+/);
    expect(wrong && valid(fake, wrong)).toBe(false);
    expect(none?.signature).toBeUndefined();
    expect(none && valid(fake, none)).toBe(false);
  });
});
