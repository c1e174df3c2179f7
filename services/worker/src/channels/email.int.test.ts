// The SMTP adapter's hand-over point, on a real SMTP server: recorded only once the server is ready for the message
// itself (connected, greeted, sender and recipient accepted, 354 to DATA), never for a message that cannot go.
import { HandOverRefusedError, ProviderUnavailableError } from '@surveyflow/core';
import { test } from '@surveyflow/testkit';
import { startSmtpSink } from '@surveyflow/testkit/smtp';
import { describe, expect } from 'vitest';
import { createEmailChannel } from './email.ts';

const message = { to: 'jane@example.com', subject: 'How did we do?', html: '<p>Hi</p>', text: 'Hi' };

describe('email hand-over', () => {
  test('is recorded after the recipient was accepted and before the message arrives', async ({
    smtp,
    db,
  }) => {
    const email = createEmailChannel({ smtpUrl: smtp.url, from: 'shop@example.com', database: db.database });
    let recipientsAccepted = 0;
    smtp.rejectRecipient = () => {
      recipientsAccepted += 1;
      return null;
    };
    const seen: { recipientsAccepted: number; received: number }[] = [];
    const sent = await email.send(message, async () => {
      seen.push({ recipientsAccepted, received: smtp.messages.length });
      return true;
    });
    // Once, with RCPT TO already answered and nothing of the message received yet.
    expect(seen).toEqual([{ recipientsAccepted: 1, received: 0 }]);
    expect(smtp.messages.map((m) => m.messageId)).toEqual([sent.messageId]);
    await email.close();
  });

  test('refused, nothing is delivered: the server drops the unfinished transaction', async ({ smtp, db }) => {
    const email = createEmailChannel({ smtpUrl: smtp.url, from: 'shop@example.com', database: db.database });
    await expect(email.send(message, async () => false)).rejects.toBeInstanceOf(HandOverRefusedError);
    // A later message on a fresh connection goes through, and it is the only one the server kept.
    await email.send({ ...message, to: 'joe@example.com' }, async () => true);
    expect(smtp.messages.map((m) => m.to)).toEqual([['joe@example.com']]);
    await email.close();
  });

  test('never for a server that is down or refuses the recipient', async ({ smtp, db }) => {
    const email = createEmailChannel({ smtpUrl: smtp.url, from: 'shop@example.com', database: db.database });
    let handOvers = 0;
    const handOver = async () => {
      handOvers += 1;
      return true;
    };
    smtp.rejectRecipient = () => ({ code: 421, message: '4.3.2 Service not available' });
    await expect(email.send(message, handOver)).rejects.toBeInstanceOf(ProviderUnavailableError);
    smtp.rejectRecipient = null;
    await smtp.stop();
    await expect(email.send(message, handOver)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await smtp.start();
    expect(handOvers).toBe(0);
    await email.send(message, handOver);
    expect(handOvers).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    await email.close();
  });

  test('over a pooled connection, is recorded for each message at its own 354', async ({ smtp, db }) => {
    const email = createEmailChannel({
      smtpUrl: smtp.url,
      from: 'shop@example.com',
      database: db.database,
      pool: { size: 1, maxMessages: 100 },
    });
    let recipientsAccepted = 0;
    smtp.rejectRecipient = () => {
      recipientsAccepted += 1;
      return null;
    };
    const seen: { recipientsAccepted: number; received: number }[] = [];
    for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) {
      await email.send({ ...message, to }, async () => {
        seen.push({ recipientsAccepted, received: smtp.messages.length });
        return true;
      });
    }
    expect(seen).toEqual([
      { recipientsAccepted: 1, received: 0 },
      { recipientsAccepted: 2, received: 1 },
      { recipientsAccepted: 3, received: 2 },
    ]);
    expect(smtp.connections).toBe(1);
    await email.close();
  });

  test('a refused hand-over in the pool sends nothing and spoils no other message', async ({ smtp, db }) => {
    const email = createEmailChannel({
      smtpUrl: smtp.url,
      from: 'shop@example.com',
      database: db.database,
      pool: { size: 2, maxMessages: 100 },
    });
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) =>
        email.send({ ...message, to: `${name}@example.com` }, async () => i % 3 !== 1),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual([
      expect.any(HandOverRefusedError),
      expect.any(HandOverRefusedError),
    ]);
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual([
      'a@example.com',
      'c@example.com',
      'd@example.com',
      'f@example.com',
    ]);
    expect(smtp.connections).toBeLessThanOrEqual(4);
    await email.close();
  });

  test('a Russian message and an English one arrive as they were written, whichever encoding each is given', async ({
    smtp,
    db,
  }) => {
    const email = createEmailChannel({ smtpUrl: smtp.url, from: 'shop@example.com', database: db.database });
    const russian = {
      to: 'ivan@example.com',
      subject: 'Как мы справились?',
      html: '<p>Насколько вероятно, что вы порекомендуете нас? <a href="https://s.test/s/t">Ответить</a></p>',
      text: 'Насколько вероятно, что вы порекомендуете нас? Ответить: https://s.test/s/t',
    };
    await email.send(russian, async () => true);
    await email.send(message, async () => true);
    const [ru, en] = smtp.messages;
    expect([ru?.subject, ru?.text.trim(), ru?.html?.trim()]).toEqual([
      russian.subject,
      russian.text,
      russian.html,
    ]);
    expect([en?.subject, en?.text.trim(), en?.html?.trim()]).toEqual([
      message.subject,
      message.text,
      message.html,
    ]);
    await email.close();
  });

  // The pool opens its own sockets (TCP_NODELAY); nodemailer's TLS still runs on them, from the first byte or after
  // STARTTLS, and the hand-over still waits for each message's 354.
  for (const tls of ['implicit', 'starttls'] as const) {
    test(`over TLS (${tls}), on the pool's own connection`, async ({ db }) => {
      const server = await startSmtpSink({ tls });
      const email = createEmailChannel({
        smtpUrl: `${server.url}?tls.rejectUnauthorized=false`,
        from: 'shop@example.com',
        database: db.database,
        pool: { size: 1, maxMessages: 100 },
      });
      try {
        const seen: number[] = [];
        for (const to of ['a@example.com', 'b@example.com'])
          await email.send({ ...message, to }, async () => {
            seen.push(server.messages.length);
            return true;
          });
        expect(seen).toEqual([0, 1]);
        expect(server.messages.map((m) => [m.to[0], m.secure])).toEqual([
          ['a@example.com', true],
          ['b@example.com', true],
        ]);
        expect(server.connections).toBe(1);
      } finally {
        await email.close();
        await server.close();
      }
    });
  }

  test('a server certificate it does not trust: nothing is handed over or delivered', async ({ db }) => {
    const server = await startSmtpSink({ tls: 'implicit' });
    const email = createEmailChannel({
      smtpUrl: server.url,
      from: 'shop@example.com',
      database: db.database,
    });
    try {
      let handOvers = 0;
      await expect(
        email.send(message, async () => {
          handOvers += 1;
          return true;
        }),
      ).rejects.toThrow(/certificate/);
      expect(handOvers).toBe(0);
      expect(server.messages).toEqual([]);
    } finally {
      await email.close();
      await server.close();
    }
  });
});
