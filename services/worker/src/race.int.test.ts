// Throttle under concurrency with real process boundaries: three worker processes race on one contact's events.
import { closeContext, ingestEvents, openContext } from '@surveyflow/core';
import { freePort } from '@surveyflow/local-servers';
import {
  anEvent,
  seedWorkspace,
  startServiceProcess,
  TEST_SECRET,
  test,
  testConfig,
  waitFor,
} from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

describe('three worker processes', () => {
  test('racing on 200 events of one contact make exactly one invitation; every other event says throttled', async ({
    db,
    redisUrl,
    queuePrefix,
    smtp,
  }) => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      SECRET_KEY: TEST_SECRET,
      SMTP_URL: smtp.url,
      HOST: '127.0.0.1',
    };
    const workers = await Promise.all(
      [1, 2, 3].map(async () => startServiceProcess('worker', { ...env, PORT: String(await freePort()) })),
    );
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    try {
      const { workspaceId } = await seedWorkspace(ctx.database);
      const ingested = await ingestEvents(
        ctx.database,
        workspaceId,
        Array.from({ length: 200 }, (_, i) => anEvent(`burst-${i}`)),
      );
      await ctx.queues.addMany(
        'event.plan',
        ingested.map((r) => ({ eventId: r.eventId ?? '' })),
      );
      await waitFor(
        async () => {
          const [row] = await ctx.database.sql<
            { n: number }[]
          >`select count(*)::int as n from events where planned_at is null`;
          expect(row?.n).toBe(0);
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(await ctx.database.sql`select 1 from invitations`).toHaveLength(1);
      expect(
        await ctx.database
          .sql`select outcome, reason, count(*)::int as n from event_decisions group by 1, 2 order by 1`,
      ).toEqual([
        { outcome: 'invited', reason: null, n: 1 },
        { outcome: 'skipped', reason: 'throttled', n: 199 },
      ]);
      await smtp.waitFor((m) => m.to.includes('jane@example.com'), 30_000);
      expect(smtp.messages).toHaveLength(1);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
      await closeContext(ctx);
    }
  }, 120_000);
});
