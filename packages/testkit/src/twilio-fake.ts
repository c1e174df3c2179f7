// A Twilio-compatible HTTP fake on loopback: the real `twilio` client sends to it, and it calls back like Twilio, signed.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { smsSegments } from '@surveyflow/core';
import twilio from 'twilio';

type MessageStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export type FakeMessage = {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  numSegments: number;
  /** 'queued' when created; follows whatever sendStatus last reported. */
  status: MessageStatus;
  dateCreated: Date;
};

export type TwilioFake = {
  /** http://127.0.0.1:PORT — what TWILIO_API_URL should say. */
  url: string;
  accountSid: string;
  authToken: string;
  readonly messages: FakeMessage[];
  /** Numbers that replied STOP: a send to them answers 400 with error 21610. */
  readonly optedOut: Set<string>;
  /** The next `count` creates answer this status (Twilio error 20429 or 20500) and create nothing. */
  failNext(status: 429 | 500, count?: number): void;
  waitForMessages(n: number, timeoutMs?: number): Promise<FakeMessage[]>;
  /** POSTs a signed status callback to the message's StatusCallback URL; resolves with the HTTP status. */
  sendStatus(sid: string, status: MessageStatus, extra?: { errorCode?: string }): Promise<number>;
  /** POSTs an incoming text to a webhook as Twilio would; the answer should be TwiML. */
  inbound(
    url: string,
    msg: { from: string; to: string; body: string },
    opts?: { signature?: 'valid' | 'wrong' | 'none' },
  ): Promise<{ status: number; body: string; contentType: string }>;
  close(): Promise<void>;
};

type TwilioError = { status: number; code: number; message: string };

const messagesPath = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const e164 = /^\+[1-9]\d{6,14}$/;
const failures = {
  429: { status: 429, code: 20429, message: 'Too Many Requests' },
  500: { status: 500, code: 20500, message: 'Internal Server Error' },
} as const;

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export async function startTwilioFake(
  opts: { accountSid?: string; authToken?: string } = {},
): Promise<TwilioFake> {
  const accountSid = opts.accountSid ?? sid('AC');
  const authToken = opts.authToken ?? randomBytes(16).toString('hex');
  const messages: FakeMessage[] = [];
  const waiters = new Set<() => void>();
  const pendingFailures: (429 | 500)[] = [];
  const optedOut = new Set<string>();

  function create(accountInPath: string, form: URLSearchParams): { status: number; body: object } {
    if (accountInPath !== accountSid) return notFound(`/2010-04-01/Accounts/${accountInPath}/Messages.json`);
    const failure = pendingFailures.shift();
    if (failure) return errorBody(failures[failure]);
    const refusal = validate(form, optedOut);
    if (refusal) return errorBody(refusal);
    const message: FakeMessage = {
      sid: sid('SM'),
      to: form.get('To') ?? '',
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body: form.get('Body') ?? '',
      statusCallback: form.get('StatusCallback'),
      numSegments: smsSegments(form.get('Body') ?? '').segments,
      status: 'queued',
      dateCreated: new Date(),
    };
    messages.push(message);
    for (const wake of [...waiters]) wake();
    return { status: 201, body: resource(accountSid, message) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const match = req.method === 'POST' ? messagesPath.exec(path) : null;
    if (!match?.[1]) return reply(res, notFound(path));
    if (req.headers.authorization !== basicAuth(accountSid, authToken)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      return reply(res, errorBody({ status: 401, code: 20003, message: 'Authenticate' }));
    }
    reply(res, create(match[1], new URLSearchParams(await readBody(req))));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) =>
      reply(res, errorBody({ status: 500, code: 20500, message: err.message })),
    );
  });

  const fake: TwilioFake = {
    url: '',
    accountSid,
    authToken,
    messages,
    optedOut,
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) pendingFailures.push(status);
    },
    waitForMessages(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice(0, n));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} messages within ${timeoutMs} ms; received ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async sendStatus(messageSid, status, extra = {}) {
      const message = messages.find((m) => m.sid === messageSid);
      if (!message?.statusCallback) throw new Error(`no message ${messageSid} with a StatusCallback`);
      message.status = status;
      const params = defined({
        MessageSid: message.sid,
        MessageStatus: status,
        SmsSid: message.sid,
        SmsStatus: status,
        AccountSid: accountSid,
        MessagingServiceSid: message.messagingServiceSid,
        To: message.to,
        From: message.from,
        ErrorCode: extra.errorCode,
        ApiVersion: '2010-04-01',
      });
      const res = await post(
        message.statusCallback,
        params,
        twilio.getExpectedTwilioSignature(authToken, message.statusCallback, params),
      );
      await res.arrayBuffer();
      return res.status;
    },
    async inbound(url, msg, { signature = 'valid' } = {}) {
      const messageSid = sid('SM');
      const params = {
        MessageSid: messageSid,
        SmsSid: messageSid,
        SmsMessageSid: messageSid,
        AccountSid: accountSid,
        From: msg.from,
        To: msg.to,
        Body: msg.body,
        NumMedia: '0',
        NumSegments: String(smsSegments(msg.body).segments),
        SmsStatus: 'received',
        ApiVersion: '2010-04-01',
      };
      const token = signature === 'wrong' ? `${authToken}x` : authToken;
      const res = await post(
        url,
        params,
        signature === 'none' ? null : twilio.getExpectedTwilioSignature(token, url, params),
      );
      return {
        status: res.status,
        body: await res.text(),
        contentType: res.headers.get('content-type') ?? '',
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The client's keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the Twilio fake has no TCP address');
  fake.url = `http://127.0.0.1:${address.port}`;
  return fake;
}

/** The checks Twilio makes before accepting a message, in its order and with its error codes. */
function validate(form: URLSearchParams, optedOut: Set<string>): TwilioError | null {
  const to = form.get('To');
  if (!to) return { status: 400, code: 21604, message: "A 'To' phone number is required." };
  if (!form.get('From') && !form.get('MessagingServiceSid')) {
    return { status: 400, code: 21603, message: "A 'From' phone number is required." };
  }
  if (!form.get('Body')) return { status: 400, code: 21602, message: 'Message body is required.' };
  if (!e164.test(to)) return { status: 400, code: 21211, message: `Invalid 'To' Phone Number: ${to}` };
  if (optedOut.has(to))
    return { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' };
  return null;
}

/** The message resource as Twilio's API renders it (snake_case, counts as strings, RFC 2822 dates). */
function resource(accountSid: string, m: FakeMessage) {
  const date = m.dateCreated.toUTCString().replace('GMT', '+0000');
  return {
    sid: m.sid,
    account_sid: accountSid,
    to: m.to,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    status: m.status,
    num_segments: String(m.numSegments),
    num_media: '0',
    direction: 'outbound-api',
    date_created: date,
    date_updated: date,
    date_sent: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
    error_code: null,
    error_message: null,
    price: null,
    price_unit: 'USD',
    api_version: '2010-04-01',
  };
}

function errorBody(e: TwilioError) {
  return {
    status: e.status,
    body: {
      code: e.code,
      message: e.message,
      more_info: `https://www.twilio.com/docs/errors/${e.code}`,
      status: e.status,
    },
  };
}

const notFound = (path: string) =>
  errorBody({ status: 404, code: 20404, message: `The requested resource ${path} was not found` });

const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function reply(res: ServerResponse, { status, body }: { status: number; body: object }) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Twilio leaves out a parameter that has no value rather than sending it empty. */
const defined = (params: Record<string, string | null | undefined>) =>
  Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] != null));

function post(url: string, params: Record<string, string>, signature: string | null) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'TwilioProxy/1.1',
      ...(signature === null ? {} : { 'X-Twilio-Signature': signature }),
    },
    body: new URLSearchParams(params),
  });
}
