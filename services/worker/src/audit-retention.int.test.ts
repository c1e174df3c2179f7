// The daily audit retention job on real Postgres and Redis: one schedule for the fleet, and each workspace's
// entries older than its audit_retention_days deleted, nobody else's.
import { closeContext, createWorkspace, openContext, queueNames, recordAudit } from '@surveyflow/core';
import { test, testConfig } from '@surveyflow/testkit';
import { describe, expect, vi } from 'vitest';
import { AUDIT_RETENTION_EVERY_MS, startWorker } from './worker.ts';

const DAY = 86_400_000;

describe('audit retention', () => {
  test('runs daily and deletes what is older than each workspace keeps, on the job registry', async ({
    db,
    redisUrl,
    queuePrefix,
  }) => {
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    const workers: ReturnType<typeof startWorker>[] = [];
    try {
      const short = await createWorkspace(ctx.database, { name: 'Keeps 30 days' });
      const long = await createWorkspace(ctx.database, { name: 'Keeps a year' });
      await ctx.database.sql`update workspaces set audit_retention_days = 30 where id = ${short.workspaceId}`;
      const now = Date.now();
      for (const ws of [short, long]) {
        for (const ageDays of [400, 40, 10]) {
          await recordAudit(ctx.database.db, {
            workspaceId: ws.workspaceId,
            actor: { kind: 'system', label: 'test' },
            action: 'test.entry',
            detail: { ageDays },
          });
          await ctx.database.sql`
            update audit_log set created_at = ${new Date(now - ageDays * DAY).toISOString()}::timestamptz
            where workspace_id = ${ws.workspaceId} and detail->>'ageDays' = ${String(ageDays)}`;
        }
      }

      // Two workers upserting the same schedulers keep one schedule each (audit and data retention).
      workers.push(startWorker(ctx), startWorker(ctx));
      const queue = ctx.queues.queue(queueNames.followups);
      await vi.waitFor(async () => expect(await queue.getJobSchedulersCount()).toBe(2));
      const scheduler = await queue.getJobScheduler('audit.retention');
      expect(scheduler?.every).toBe(AUDIT_RETENTION_EVERY_MS);

      // The first run is due at once; the worker processes it through the registry.
      await vi.waitFor(
        async () => {
          const left = await ctx.database.sql<{ workspace_id: string; age: string }[]>`
            select workspace_id, detail->>'ageDays' as age from audit_log where action = 'test.entry' order by 1, 2`;
          expect(left.filter((r) => r.workspace_id === short.workspaceId).map((r) => r.age)).toEqual(['10']);
          expect(
            left
              .filter((r) => r.workspace_id === long.workspaceId)
              .map((r) => r.age)
              .sort(),
          ).toEqual(['10', '40']);
        },
        { timeout: 10_000, interval: 200 },
      );
      // Entries of the workspaces' own creation (today) stay.
      const [{ n } = { n: 0 }] = await ctx.database.sql<{ n: number }[]>`
        select count(*)::int as n from audit_log where action = 'workspace.create'`;
      expect(n).toBe(2);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await closeContext(ctx);
    }
  });
});
