// A real SMTP server on loopback that keeps every message it receives, parsed, for tests to read.
import { readFileSync } from 'node:fs';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  /** Addresses from the From header. */
  from: string;
  /** Addresses from the To header. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  /** Header values as sent (unfolded), by lower-case name; repeated headers joined by newlines. */
  headers: Map<string, string>;
  /** Attached files and inline images, decoded. */
  attachments: {
    filename: string | undefined;
    contentType: string;
    cid: string | undefined;
    content: Buffer;
  }[];
  /** What the client said in MAIL FROM and RCPT TO (accepted recipients only). */
  envelope: { from: string; to: string[] };
  /** Whether the message came over TLS (smtps:// or after STARTTLS). */
  secure: boolean;
};

/** Refuse a recipient with this SMTP reply (e.g. 550 for a hard bounce, 450 for a soft one), or accept with null. */
export type RecipientPolicy = (address: string) => { code: number; message: string } | null;

/**
 * Plain SMTP (the default); TLS from the first byte (smtps://, port 465's way); or plain with STARTTLS offered. The
 * certificate is a self-signed one for localhost and 127.0.0.1 kept for tests (tls/, valid until 2126): a client
 * trusts it with `?tls.rejectUnauthorized=false` in its URL.
 */
export type SmtpSecurity = 'none' | 'implicit' | 'starttls';

const testCertificate = () => ({
  key: readFileSync(new URL('./tls/localhost-key.pem', import.meta.url)),
  cert: readFileSync(new URL('./tls/localhost-cert.pem', import.meta.url)),
});

export type SmtpSink = {
  /** smtp://127.0.0.1:PORT (smtps:// with `tls: 'implicit'`); any AUTH credentials are accepted. */
  url: string;
  messages: ReceivedMail[];
  /** Settable mid-test; starts as the `rejectRecipient` option. */
  rejectRecipient: RecipientPolicy | null;
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  /** An outage: stops listening (connections are refused) until `start()` listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Connections accepted so far (a sender that waits out an outage probes instead of hammering). */
  connections: number;
  close(): Promise<void>;
};

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? ''));

/** mailparser's own header map holds parsed objects (List-Unsubscribe becomes { url }); tests assert on the wire text. */
function rawHeaders(lines: readonly { key: string; line: string }[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}\n${value}`);
  }
  return headers;
}

export async function startSmtpSink(
  opts: { rejectRecipient?: RecipientPolicy; tls?: SmtpSecurity } = {},
): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const tls = opts.tls ?? 'none';
  const server = new SMTPServer({
    authOptional: true,
    // Senders configured with credentials must still get through over plain SMTP on loopback.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    ...(tls === 'none' ? { disabledCommands: ['STARTTLS'] } : testCertificate()),
    secure: tls === 'implicit',
    logger: false,
    // A sender's pooled connection left open must not hold a test's teardown for the default 30 s.
    closeTimeout: 500,
    onConnect(_session, callback) {
      sink.connections += 1;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const refusal = sink.rejectRecipient?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const mailFrom = session.envelope.mailFrom;
          messages.push({
            from: addresses(mail.from).join(', '),
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : null,
            messageId: mail.messageId ?? '',
            headers: rawHeaders(mail.headerLines),
            attachments: mail.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              cid: a.cid,
              content: a.content,
            })),
            envelope: {
              from: mailFrom ? mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            secure: session.secure,
          });
          for (const wake of [...waiters]) wake();
          callback();
        })
        .catch(callback);
    },
  });

  const sink: SmtpSink = {
    url: '',
    messages,
    rejectRecipient: opts.rejectRecipient ?? null,
    // 20 s: a loaded CI machine has been seen to take over 10 s for a mail behind a due scan and a retry.
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const received = messages.map((m) => `${m.to.join(', ')} "${m.subject}"`).join('; ') || 'none';
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: ${received}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      messages.length = 0;
    },
    connections: 0,
    stop: () => new Promise((resolve) => server.server.close(() => resolve())),
    start: () => listen(port),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  // A client that dies mid-session (a SIGKILLed worker) resets its connection: that is its failure, not the sink's,
  // and an unhandled 'error' would take down the process holding the sink.
  server.on('error', () => {});
  const listen = (at: number) =>
    new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(at, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const address = server.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the SMTP sink has no TCP address');
  const port = address.port;
  sink.url = `${tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${port}`;
  return sink;
}
