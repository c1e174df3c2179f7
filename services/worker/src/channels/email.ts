// The email adapter: nodemailer over SMTP, or into the dev outbox (Postgres) when no SMTP server is configured.
import net from 'node:net';
import { Readable } from 'node:stream';
import {
  type Database,
  type EmailChannel,
  type EmailMessage,
  type HandOver,
  HandOverRefusedError,
  PermanentDeliveryError,
  ProviderUnavailableError,
  storeDevOutboxMessage,
} from '@surveyflow/core';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type MailMessage from 'nodemailer/lib/mailer/mail-message.js';
import SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

type SmtpError = Error & { responseCode?: number; response?: string; code?: string; command?: string };

/** Failures that say the server is not taking mail at all right now, before any message was handed over. */
const unavailableCodes = new Set(['ECONNECTION', 'EDNS']);

export type DkimKey = { domainName: string; keySelector: string; privateKey: string };

/** How many SMTP connections stay open for reuse, and how many messages each carries before a fresh one. */
export type SmtpPoolOptions = { size: number; maxMessages: number };

export function createEmailChannel(opts: {
  smtpUrl?: string | undefined;
  from: string;
  database: Database;
  /** Signs every message (DKIM) so receivers can tell it really comes from the domain. */
  dkim?: DkimKey | undefined;
  pool?: SmtpPoolOptions | undefined;
}): EmailChannel {
  if (opts.smtpUrl)
    return smtpChannel(opts.smtpUrl, opts.from, opts.dkim, opts.pool ?? { size: 5, maxMessages: 100 });
  return devOutboxChannel(opts.from, opts.database, opts.dkim);
}

/** Env vars cannot hold newlines everywhere, so a PEM may arrive with literal \n in it. */
const dkimOptions = (dkim: DkimKey | undefined) =>
  dkim ? { dkim: { ...dkim, privateKey: dkim.privateKey.replaceAll('\\n', '\n') } } : {};

/**
 * 5xx is the server's final word on this message. It is a hard bounce, the address itself dead, when
 * the enhanced status says so (5.1.x: no such mailbox or domain) or, without one, the basic code does
 * (550, 551, 553); "550 5.7.1 spam" is about the message, not the address.
 */
function smtpFailure(e: SmtpError): Error {
  // 421 "service not available", 451 "local error, try later"; or no connection at all.
  if (
    e.responseCode === 421 ||
    e.responseCode === 451 ||
    (e.code && unavailableCodes.has(e.code)) ||
    (!e.responseCode && e.command === 'CONN')
  ) {
    return new ProviderUnavailableError(`smtp ${e.responseCode ?? e.code}: ${e.message}`, { cause: e });
  }
  if (!e.responseCode || e.responseCode < 500) return e;
  const enhanced = /\b5\.(\d{1,3})\.\d{1,3}\b/.exec(e.response ?? e.message);
  const hard = enhanced ? enhanced[1] === '1' : [550, 551, 553].includes(e.responseCode);
  return new PermanentDeliveryError(
    `smtp ${e.responseCode}: ${e.message}`,
    hard ? 'hard_bounce' : 'rejected',
  );
}

function smtpChannel(
  url: string,
  from: string,
  dkim: DkimKey | undefined,
  pool: SmtpPoolOptions,
): EmailChannel {
  // One pool per process: the connection, greeting, TLS and login are paid once per SMTP_MAX_MESSAGES messages.
  const transport = nodemailer.createTransport(
    new HandingOverTransport({
      url,
      pool: true,
      maxConnections: pool.size,
      maxMessages: pool.maxMessages,
      getSocket: noDelaySocket,
    }),
    { from, ...dkimOptions(dkim) },
  );
  return {
    async send(message, handOver) {
      try {
        const options: Mail.Options & { [handOverKey]?: HandOver | undefined } = mailOptions(from, message);
        options[handOverKey] = handOver;
        const info = await transport.sendMail(options);
        return { messageId: info.messageId };
      } catch (err) {
        if (err instanceof HandOverRefusedError) throw err;
        // Other 4xx and network errors may pass on a retry: they go back as they are.
        throw smtpFailure(err as SmtpError);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Opens each pooled connection with TCP_NODELAY (nodemailer's `getSocket`, which it otherwise leaves for proxies).
 * SMTP writes a message as several small writes and then waits for the reply; with Nagle's algorithm on (Node's
 * default for a socket) the last write waits for the server's delayed ACK, 40 ms on Linux, once per message. On
 * loopback that held a pool of 5 to about 105 mails/s, 5× below what the same pool sends without it. nodemailer then
 * greets, upgrades to TLS (smtps:// or STARTTLS) and logs in on this socket as on its own.
 */
export function noDelaySocket(
  options: SMTPPool.Options,
  callback: (err: Error | null, socketOptions: { connection: net.Socket }) => void,
): void {
  // Handed over while still connecting, and at once: nodemailer listens for its errors before any can arrive (they
  // come from the event loop), writes once it is open, and treats a refused or failed connection as one of its own
  // (the pool drops that connection; the error says CONN). Its greeting timeout covers the wait.
  const connection = net.connect({
    host: options.host ?? 'localhost',
    port: Number(options.port) || (options.secure ? 465 : 587),
    noDelay: true,
    keepAlive: true,
  });
  callback(null, { connection });
}

/** Where sendMail's options carry the hook to the transport (nodemailer copies only string keys). */
const handOverKey = 'surveyflowHandOver';

/**
 * nodemailer's own SMTP pool, with each message's hand-over at the last safe moment. A pooled connection
 * is connected, greeted and (logged in) once; per message it gives MAIL FROM and RCPT TO and sends DATA
 * before it reads the message, and only once the server has answered 354 ("go ahead") to that message's
 * DATA does it start reading: that first read is where this message's hand-over is recorded. A crash
 * before it leaves the server with an unfinished transaction, which it discards (RFC 5321 §4.1.1.4), so
 * the claim can safely be sent again; a refused recipient or a refused connection never reaches it.
 * After a refused hand-over or any failure the pool closes that connection, so no half-sent transaction
 * is ever continued by the next message.
 */
class HandingOverTransport extends SMTPPool {
  override send(mail: MailMessage, callback: Parameters<SMTPPool['send']>[1]): void {
    const handOver = (mail.data as { [handOverKey]?: HandOver | undefined })[handOverKey];
    if (!handOver) {
      super.send(mail, callback);
      return;
    }
    // A refused envelope (421 to RCPT TO) makes the connection drain the message unsent: no hand-over for that.
    let finished = false;
    // The pool sends a message again on another connection when its own closed without an error; that
    // is safe only while the hand-over was never asked for (the first server may have the message).
    let asked = false;
    const once: HandOver = async () => {
      if (asked) throw new Error('smtp connection closed after the message was handed over');
      asked = true;
      return handOver();
    };
    const node = mail.message;
    const compose = node.createReadStream.bind(node);
    node.createReadStream = (options) => handingOver(compose(options), once, () => finished);
    super.send(mail, (err, info) => {
      finished = true;
      callback(err, info);
    });
  }
}

/** The message, held back until the hand-over is recorded; refused, it fails instead and nothing is sent. */
function handingOver(message: Readable, handOver: HandOver, finished: () => boolean): Readable {
  return Readable.from(
    (async function* () {
      if (finished()) {
        message.destroy();
        return;
      }
      if (!(await handOver())) {
        message.destroy();
        throw new HandOverRefusedError();
      }
      // In one piece: the composed message arrives as dozens of small chunks, each of which would be a write (and,
      // with TCP_NODELAY, a packet) of its own.
      const chunks: Buffer[] = [];
      for await (const chunk of message) chunks.push(chunk as Buffer);
      yield Buffer.concat(chunks);
    })(),
    { objectMode: false },
  );
}

/** Builds the real MIME message with nodemailer (so the Message-ID is real) and keeps it for /dev/outbox. */
function devOutboxChannel(from: string, database: Database, dkim: DkimKey | undefined): EmailChannel {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
    ...dkimOptions(dkim),
  });
  return {
    async send(message, handOver) {
      const info = await transport.sendMail(mailOptions(from, message));
      if (handOver && !(await handOver())) throw new HandOverRefusedError();
      await storeDevOutboxMessage(database, {
        channel: 'email',
        messageId: info.messageId,
        sender: from,
        recipient: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers ?? {},
      });
      return { messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}

function mailOptions(from: string, m: EmailMessage) {
  const attachments = (m.attachments ?? []).map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    cid: a.cid,
    content: Buffer.from(a.contentBase64, 'base64'),
  }));
  return {
    from,
    to: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    textEncoding: textEncodingFor(m.text),
    headers: m.headers ?? {},
    ...(attachments.length > 0 ? { attachments } : {}),
  };
}

/**
 * How the parts and headers of a message are encoded, decided once from its plain text by nodemailer's own rule
 * (quoted-printable when Latin letters outnumber other characters, as in English or Polish; base64 otherwise, as in
 * Russian). Left to nodemailer, the rule is run with two global regular expressions over every part and header,
 * which was 9 % of a worker's CPU while sending.
 */
export function textEncodingFor(text: string): 'quoted-printable' | 'base64' {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
    else if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}
