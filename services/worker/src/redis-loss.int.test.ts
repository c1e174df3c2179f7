// A Redis of the test's own, flushed or stopped under a running worker: lost work comes back within seconds,
// and an outage is told once in the logs, never as stack dumps on stderr.
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { closeContext, ingestEvents, openContext } from '@surveyflow/core';
import { startRedisServer } from '@surveyflow/local-servers';
import { anEvent, test as base, seedWorkspace, testConfig, uniquePrefix, waitFor } from '@surveyflow/testkit';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, vi } from 'vitest';
import { startWorker } from './worker.ts';

type LogLine = { level: number; msg: string; [key: string]: unknown };

/** A pino logger writing into an array, the way an operator's log shipper would read the JSON. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** `ownRedis`: a redis-server for this test alone (it gets flushed and stopped), with its data dir and port. */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
const test = base.extend('ownRedis', async ({}, { onCleanup }) => {
  const dataDir = `/tmp/${uniquePrefix('sf-redis-')}`;
  let server = await startRedisServer({ dataDir });
  const port = Number(new URL(server.url).port);
  onCleanup(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    url: server.url,
    stop: () => server.stop(),
    async restart() {
      server = await startRedisServer({ dataDir, port });
    },
  };
});

describe('Redis loses its data or goes away', () => {
  test('after FLUSHALL with 50 invitations waiting, every one is enqueued again within 15 s and each contact is emailed once', async ({
    db,
    smtp,
    ownRedis,
  }) => {
    const { log, lines } = capturedLogger();
    const config = testConfig({
      databaseUrl: db.url,
      redisUrl: ownRedis.url,
      queuePrefix: uniquePrefix('q'),
      // The slow path (rows older than a minute, every 30 s) would take 90 s: only the marker can heal in time.
      env: { SMTP_URL: smtp.url, EMAIL_RATE_PER_SECOND: '10' },
    });
    const ctx = openContext(config, { log });
    const worker = startWorker(ctx);
    const admin = new Redis(ownRedis.url);
    try {
      const marker = `${config.QUEUE_PREFIX}:alive`;
      await waitFor(async () => (await admin.exists(marker)) === 1);
      const { workspaceId } = await seedWorkspace(ctx.database);
      const results = await ingestEvents(
        ctx.database,
        workspaceId,
        Array.from({ length: 50 }, (_, i) =>
          anEvent(`o-${i}`, { contact: { id: `c-${i}`, email: `c${i}@example.com`, locale: 'en' } }),
        ),
      );
      await ctx.queues.addMany(
        'event.plan',
        results.flatMap((r) => (r.eventId ? [{ eventId: r.eventId }] : [])),
      );
      // Mid-flight: some sent, the rest planned and waiting behind the rate limit (or not yet planned).
      await waitFor(() => smtp.messages.length >= 5, { intervalMs: 10 });
      const flushedAt = Date.now();
      await admin.flushall();

      await waitFor(async () => (await admin.exists(marker)) === 1, { timeoutMs: 15_000 });
      const healMs = Date.now() - flushedAt;
      await waitFor(
        async () => {
          const [row] = await ctx.database.sql<{ n: number }[]>`
            select count(*)::int as n from invitations where status = 'sent'`;
          return row?.n === 50;
        },
        { timeoutMs: 15_000 },
      );
      const doneMs = Date.now() - flushedAt;
      console.log(`redis flush healed in ${healMs} ms; all 50 sent ${doneMs} ms after the flush`);
      expect(healMs).toBeLessThan(15_000);
      expect(doneMs).toBeLessThan(15_000);

      // Once each: the jobs that were running during the flush finished without sending twice.
      const perRecipient = new Map<string, number>();
      for (const m of smtp.messages)
        for (const to of m.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
      expect(perRecipient.size).toBe(50);
      expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
      expect(lines.some((l) => l.msg.startsWith('redis had lost its queues'))).toBe(true);
      // "Missing key for job …" from BullMQ is expected here: never an error line.
      expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    } finally {
      admin.disconnect();
      await worker.close();
      await closeContext(ctx);
    }
  });

  test('a Redis that stops and comes back is one "redis unavailable" line and one "redis back" line, nothing on stderr', async ({
    db,
    ownRedis,
  }) => {
    const { log, lines } = capturedLogger();
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk, ...rest) => {
      stderr.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    const config = testConfig({
      databaseUrl: db.url,
      redisUrl: ownRedis.url,
      queuePrefix: uniquePrefix('q'),
    });
    const ctx = openContext(config, { log });
    const worker = startWorker(ctx);
    try {
      await waitFor(() => lines.some((l) => l.msg === 'worker started'));
      await ownRedis.stop();
      await waitFor(() => lines.some((l) => l.msg === 'redis unavailable'));
      // Several reconnect attempts by every connection (the producer's and one per queue worker).
      await new Promise((r) => setTimeout(r, 3000));
      await ownRedis.restart();
      await waitFor(() => lines.some((l) => l.msg === 'redis back'), { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 1500));

      const said = (msg: string) => lines.filter((l) => l.msg === msg);
      expect(said('redis unavailable')).toHaveLength(1);
      expect(said('redis unavailable')[0]).toMatchObject({
        level: 40,
        dependency: 'redis',
        code: expect.any(String),
      });
      expect(said('redis back')).toHaveLength(1);
      expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(stderr.join('')).not.toMatch(/ECONNREFUSED|Unhandled error event|\n\s+at /);
    } finally {
      spy.mockRestore();
      await worker.close();
      await closeContext(ctx);
    }
  });
});
