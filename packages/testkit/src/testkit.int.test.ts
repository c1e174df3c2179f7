// The harness itself: real servers, migrated and isolated databases, a Redis that answers, an SMTP sink that keeps mail.
import { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import { describe, expect, inject } from 'vitest';
import { createTestDatabase, startSmtpSink, test, uniquePrefix, waitFor } from './index.ts';

describe('db', () => {
  test('a fresh database has the migrated tables and no rows', async ({ db }) => {
    expect(await db.database.sql`select id from workspaces`).toEqual([]);
    const [migrations] = await db.database.sql<{ n: number }[]>`
      select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(migrations?.n).toBeGreaterThan(0);
  });

  test('two test databases do not see each other', async ({ db }) => {
    const other = await createTestDatabase();
    try {
      expect(other.name).not.toBe(db.name);
      await db.database.sql`create table only_here (n int)`;
      await db.database.sql`insert into only_here values (1)`;
      await expect(other.database.sql`select n from only_here`).rejects.toThrow(/does not exist/);
    } finally {
      await other.drop();
    }
  });

  test('a dropped database is gone', async () => {
    const scratch = await createTestDatabase();
    await scratch.drop();
    const admin = await createTestDatabase();
    try {
      const rows = await admin.database.sql`select 1 from pg_database where datname = ${scratch.name}`;
      expect(rows).toEqual([]);
    } finally {
      await admin.drop();
    }
  });

  test('the template refuses connections, so copies never wait on a session', async ({ db }) => {
    const [template] = await db.database.sql<{ datallowconn: boolean; datistemplate: boolean }[]>`
      select datallowconn, datistemplate from pg_database where datname = ${inject('templateDb')}`;
    expect(template).toEqual({ datallowconn: false, datistemplate: true });
  });
});

describe('redis', () => {
  test('answers PING', async ({ redisUrl }) => {
    const redis = new Redis(redisUrl, { lazyConnect: true });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  // Two tests in a row: each claims a key under its prefix that must not exist yet, so a prefix
  // shared between tests (one fixed for the file, say) fails the second.
  const prefixes: string[] = [];
  test.for(['first', 'second'])(
    'each test gets its own queue prefix, with nothing left under it by another (%s)',
    async (_, { queuePrefix, redisUrl }) => {
      expect(queuePrefix).toMatch(/^q[0-9a-f]{10}$/);
      expect(prefixes).not.toContain(queuePrefix);
      prefixes.push(queuePrefix);
      const redis = new Redis(redisUrl, { lazyConnect: true });
      try {
        expect(await redis.set(`${queuePrefix}:claimed-by-one-test`, '1', 'EX', 60, 'NX')).toBe('OK');
      } finally {
        redis.disconnect();
      }
    },
  );

  test('uniquePrefix never repeats', () => {
    const many = Array.from({ length: 1000 }, () => uniquePrefix('q'));
    expect(new Set(many).size).toBe(many.length);
  });
});

describe('smtp', () => {
  test('keeps a message sent by nodemailer, parsed', async ({ smtp }) => {
    const transport = createTransport({ url: smtp.url });
    try {
      const info = await transport.sendMail({
        from: 'Surveyflow <surveys@shop.test>',
        to: 'jane@example.com',
        subject: 'How did we do?',
        text: 'Tell us: https://example.test/s/abc',
        html: '<p>Tell us</p>',
        headers: { 'List-Unsubscribe': '<https://example.test/u/abc>' },
      });
      const mail = await smtp.waitFor((m) => m.subject === 'How did we do?');
      expect(mail).toMatchObject({
        from: 'surveys@shop.test',
        to: ['jane@example.com'],
        text: 'Tell us: https://example.test/s/abc',
        html: '<p>Tell us</p>',
        messageId: info.messageId,
        envelope: { from: 'surveys@shop.test', to: ['jane@example.com'] },
      });
      expect(mail.headers.get('list-unsubscribe')).toBe('<https://example.test/u/abc>');
      smtp.clear();
      expect(smtp.messages).toEqual([]);
    } finally {
      transport.close();
    }
  });

  test('accepts a sender that logs in', async ({ smtp }) => {
    const transport = createTransport({ url: smtp.url, auth: { user: 'mailer', pass: 'secret' } });
    await transport.sendMail({ from: 'a@shop.test', to: 'b@example.com', subject: 'hi', text: 'x' });
    transport.close();
    expect(smtp.messages.map((m) => m.subject)).toEqual(['hi']);
  });

  test('a refused recipient gets the given 5xx reply and nothing is kept', async () => {
    const sink = await startSmtpSink({
      rejectRecipient: (address) =>
        address.startsWith('gone@') ? { code: 550, message: '5.1.1 mailbox unavailable' } : null,
    });
    const transport = createTransport({ url: sink.url });
    try {
      const refused = transport.sendMail({
        from: 'a@shop.test',
        to: 'gone@example.com',
        subject: 's',
        text: 't',
      });
      await expect(refused).rejects.toMatchObject({
        responseCode: 550,
        response: expect.stringMatching(/5\.1\.1/),
      });
      await transport.sendMail({ from: 'a@shop.test', to: 'here@example.com', subject: 'ok', text: 't' });
      expect(sink.messages.map((m) => m.to)).toEqual([['here@example.com']]);
    } finally {
      transport.close();
      await sink.close();
    }
  });

  test('waitFor names what did arrive when the expected mail does not', async ({ smtp }) => {
    await expect(smtp.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(/received: none/);
  });
});

describe('waitFor', () => {
  test('retries until the assertion passes and returns its value', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        expect(calls).toBeGreaterThanOrEqual(3);
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  test('treats false and null as not yet', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls < 3 ? null : 'ready'), { intervalMs: 1 })).toBe('ready');
  });

  test('throws the last error when time is up', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still red');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('still red');
  });
});
