// The reconciler repairs only what is really lost: a backlog waiting in Redis, however old, is left alone and not reported.
import { randomUUID } from 'node:crypto';
import {
  claimDueInvitations,
  closeContext,
  ingestEvents,
  jobId,
  openContext,
  planChunkJob,
  planStoredEvent,
} from '@surveyflow/core';
import { anEvent, seedWorkspace, test, testConfig, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { reconcile } from './reconciler.ts';

describe('reconciler during a backlog', () => {
  test('40 sends and 20 plannings waiting past the reconcile age are not re-queued; the 5 whose jobs vanished are, once', async ({
    db,
    redisUrl,
    queuePrefix,
  }) => {
    const ctx = openContext(
      testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { RECONCILE_AFTER_MS: '1' } }),
    );
    try {
      const { workspaceId } = await seedWorkspace(ctx.database);
      // A backlog: 40 invitations queued with their send jobs waiting (no worker runs), 20 events waiting to be planned.
      const now = new Date();
      const planned = await ingestEvents(
        ctx.database,
        workspaceId,
        Array.from({ length: 40 }, (_, i) =>
          anEvent(`sent-${i}`, { contact: { id: `c${i}`, email: `c${i}@example.com` } }),
        ),
      );
      for (const r of planned) await planStoredEvent(ctx.database, r.eventId ?? '', now);
      const due = await claimDueInvitations(ctx.database, new Date(), 100);
      expect(due).toHaveLength(40);
      await ctx.queues.addInvitationSends(due);
      const unplanned = await ingestEvents(
        ctx.database,
        workspaceId,
        Array.from({ length: 20 }, (_, i) => anEvent(`later-${i}`, { contact: { id: `l${i}` } })),
      );
      await ctx.queues.addMany(
        'event.plan',
        unplanned.map((r) => ({ eventId: r.eventId ?? '' })),
      );
      const sendQueue = ctx.queues.queue('send.email');
      // Older than RECONCILE_AFTER_MS (1 ms): the reconciler looks at every one of them.
      await waitFor(async () => {
        const [row] = await ctx.database.sql<{ n: number }[]>`
          select count(*)::int as n from invitations where queued_at < now() - interval '5 milliseconds'`;
        expect(row?.n).toBe(40);
      });

      expect(await reconcile(ctx)).toEqual({
        events: 0,
        invitations: 0,
        notifications: 0,
        responses: 0,
        edits: 0,
        resent: 0,
        interrupted: 0,
        sends: 0,
      });
      expect(await sendQueue.getWaitingCount()).toBe(40);

      // Five send jobs really vanish (as after a partial Redis loss): those, and only those, come back.
      const gone = due.slice(0, 5).map((r) => jobId('invitation.send', { invitationId: r.id }));
      for (const id of gone) await sendQueue.remove(id);
      expect(await sendQueue.getWaitingCount()).toBe(35);
      expect(await reconcile(ctx)).toMatchObject({ events: 0, invitations: 5 });
      expect(await sendQueue.getWaitingCount()).toBe(40);
      for (const id of gone) expect(await sendQueue.getJobState(id)).toBe('waiting');
      // And once: the next pass finds nothing lost.
      expect(await reconcile(ctx)).toMatchObject({ events: 0, invitations: 0 });
    } finally {
      await closeContext(ctx);
    }
  });

  test('chunks of events waiting as one job each are left alone; a chunk whose job vanished comes back under its id, with its unplanned events only', async ({
    db,
    redisUrl,
    queuePrefix,
  }) => {
    const ctx = openContext(
      testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { RECONCILE_AFTER_MS: '1' } }),
    );
    try {
      const { workspaceId } = await seedWorkspace(ctx.database);
      const chunks = [];
      for (const name of ['a', 'b']) {
        const planJob = randomUUID();
        const stored = await ingestEvents(
          ctx.database,
          workspaceId,
          Array.from({ length: 10 }, (_, i) => anEvent(`${name}-${i}`, { contact: { id: `${name}${i}` } })),
          planJob,
        );
        chunks.push(...planChunkJob(planJob, stored));
      }
      await ctx.queues.addMany('events.plan', chunks);
      const [a, b] = chunks;
      if (!a || !b) throw new Error('two chunks expected');
      const eventQueue = ctx.queues.queue('events');
      await new Promise((r) => setTimeout(r, 5));
      expect(await reconcile(ctx)).toMatchObject({ events: 0 });
      expect(await eventQueue.getWaitingCount()).toBe(2);

      // Chunk b's job vanishes after one of its events was planned (as if a worker got that far).
      await planStoredEvent(ctx.database, b.eventIds[0] ?? '', new Date());
      await eventQueue.remove(jobId('events.plan', b));
      expect(await reconcile(ctx)).toMatchObject({ events: 9 });
      const back = await eventQueue.getJob(`events.plan-${b.chunkId}`);
      expect(back?.data).toEqual({ chunkId: b.chunkId, eventIds: b.eventIds.slice(1) });
      expect(await eventQueue.getJobState(`events.plan-${a.chunkId}`)).toBe('waiting');
      expect(await reconcile(ctx)).toMatchObject({ events: 0 });
    } finally {
      await closeContext(ctx);
    }
  });
});
