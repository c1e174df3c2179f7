// Planning on real Postgres: replays are no-ops and racing planners cannot break the throttle.
import { createDatabase, ingestEvents, planStoredEvent } from '@surveyflow/core';
import { anEvent, seedWorkspace, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

describe('planStoredEvent', () => {
  test('60 events for one contact planned at once by 6 connection pools make one invitation; the rest say throttled', async ({
    db,
  }) => {
    const { workspaceId } = await seedWorkspace(db.database);
    const events = Array.from({ length: 60 }, (_, i) => anEvent(`race-${i}`));
    const ingested = await ingestEvents(db.database, workspaceId, events);
    // Separate pools stand in for separate worker processes: no shared memory, only Postgres.
    const pools = Array.from({ length: 6 }, () => createDatabase(db.url, { max: 4 }));
    try {
      const now = new Date('2026-11-20T10:00:00Z');
      await Promise.all(
        ingested.map((r, i) => planStoredEvent(pools[i % pools.length] ?? db.database, r.eventId ?? '', now)),
      );
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
    expect(await db.database.sql`select 1 from invitations`).toHaveLength(1);
    const reasons = await db.database.sql<{ outcome: string; reason: string | null; n: number }[]>`
      select outcome, reason, count(*)::int as n from event_decisions group by outcome, reason order by outcome`;
    expect(reasons).toEqual([
      { outcome: 'invited', reason: null, n: 1 },
      { outcome: 'skipped', reason: 'throttled', n: 59 },
    ]);
  });

  test('an event no trigger listens for is planned with reason no_trigger', async ({ db }) => {
    const { workspaceId } = await seedWorkspace(db.database);
    const [r] = await ingestEvents(db.database, workspaceId, [anEvent('t-1', { type: 'ticket.solved' })]);
    await planStoredEvent(db.database, r?.eventId ?? '', new Date());
    expect(await db.database.sql`select outcome, reason from event_decisions`).toEqual([
      { outcome: 'skipped', reason: 'no_trigger' },
    ]);
  });
});
