// The email adapter: nodemailer over SMTP, or into the dev outbox (Postgres) when no SMTP server is configured.
import {
  type Database,
  type EmailChannel,
  type EmailMessage,
  PermanentDeliveryError,
  schema,
} from '@surveyflow/core';
import nodemailer from 'nodemailer';

type SmtpError = Error & { responseCode?: number; code?: string };

export function createEmailChannel(opts: {
  smtpUrl?: string | undefined;
  from: string;
  database: Database;
}): EmailChannel {
  if (opts.smtpUrl) return smtpChannel(opts.smtpUrl, opts.from);
  return devOutboxChannel(opts.from, opts.database);
}

function smtpChannel(url: string, from: string): EmailChannel {
  const transport = nodemailer.createTransport(url, { from });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(mailOptions(from, message));
        return { messageId: info.messageId };
      } catch (err) {
        const e = err as SmtpError;
        // 5xx is the server's final word on this message; 4xx and network errors may pass on a retry.
        if (e.responseCode && e.responseCode >= 500) {
          throw new PermanentDeliveryError(`smtp ${e.responseCode}: ${e.message}`);
        }
        throw err;
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** Builds the real MIME message with nodemailer (so the Message-ID is real) and keeps it for /dev/outbox. */
function devOutboxChannel(from: string, { db }: Database): EmailChannel {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail(mailOptions(from, message));
      await db.insert(schema.devOutbox).values({
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
  return { from, to: m.to, subject: m.subject, html: m.html, text: m.text, headers: m.headers ?? {} };
}
