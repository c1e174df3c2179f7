// The contact rules through real planning on Postgres: dedupe keys and the workspace's global rule.
import {
  createSurvey,
  createTrigger,
  defaultFollowupQuestion,
  ingestEvents,
  planStoredEvent,
  updateTrigger,
  updateWorkspace,
} from '@surveyflow/core';
import { anEvent, seedWorkspace, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

const reasons = (db: { database: { sql: (s: TemplateStringsArray) => Promise<unknown[]> } }) =>
  db.database
    .sql`select e.external_id, d.outcome, d.reason from event_decisions d join events e on e.id = d.event_id order by e.external_id`;

describe('contact rules in Postgres', () => {
  test('a second event with the same dedupe key makes nothing new, even for racing planners', async ({
    db,
  }) => {
    const { workspaceId, trigger } = await seedWorkspace(db.database, { throttleDays: 0 });
    await updateTrigger(db.database, workspaceId, trigger.id, { dedupeKey: 'properties.orderId' });
    // Two contacts, same order: only the trigger's dedupe key connects them.
    const ingested = await ingestEvents(db.database, workspaceId, [
      anEvent('e-1', { properties: { orderId: 'A-1' } }),
      anEvent('e-2', { properties: { orderId: 'A-1' }, contact: { id: 'c-2', email: 'bob@example.com' } }),
      anEvent('e-3', { properties: { orderId: 'A-2' } }),
    ]);
    await Promise.all(ingested.map((r) => planStoredEvent(db.database, r.eventId ?? '', new Date())));
    expect(await db.database.sql`select dedupe_value from invitations order by dedupe_value`).toEqual([
      { dedupe_value: 'A-1' },
      { dedupe_value: 'A-2' },
    ]);
    const rows = (await reasons(db)) as { reason: string | null }[];
    expect(rows.filter((r) => r.reason === 'duplicate_key')).toHaveLength(1);
  });

  test('the global rule stops a second survey within the window; the first is not affected', async ({
    db,
  }) => {
    const { workspaceId } = await seedWorkspace(db.database);
    await updateWorkspace(db.database, workspaceId, { globalContactDays: 90 });
    const csat = await createSurvey(db.database, workspaceId, {
      kind: 'csat',
      name: 'Support CSAT',
      question: { en: 'How did we do?' },
      followupQuestion: defaultFollowupQuestion,
      actions: [],
    });
    await createTrigger(db.database, workspaceId, {
      surveyId: csat.id,
      name: 'after ticket',
      eventTypes: ['ticket.solved'],
      channels: ['email'],
      delay: 'PT0S',
      throttleDays: 0,
      enabled: true,
    });
    const [delivered, solved] = await ingestEvents(db.database, workspaceId, [
      anEvent('order-1', { occurredAt: new Date('2026-11-01T10:00:00Z') }),
      anEvent('ticket-1', { type: 'ticket.solved', occurredAt: new Date('2026-11-20T10:00:00Z') }),
    ]);
    // Each planned when it happened.
    await planStoredEvent(db.database, delivered?.eventId ?? '', new Date('2026-11-01T10:00:00Z'));
    await planStoredEvent(db.database, solved?.eventId ?? '', new Date('2026-11-20T10:00:00Z'));
    expect(await reasons(db)).toEqual([
      { external_id: 'order-1', outcome: 'invited', reason: null },
      { external_id: 'ticket-1', outcome: 'skipped', reason: 'global_rule' },
    ]);
  });

  test('an event planned long after its send time is skipped as expired; a timely one is invited', async ({
    db,
  }) => {
    const { workspaceId } = await seedWorkspace(db.database);
    const [late, timely] = await ingestEvents(db.database, workspaceId, [
      anEvent('backfill-1', { occurredAt: new Date('2026-10-01T10:00:00Z') }),
      anEvent('fresh-1', {
        occurredAt: new Date('2026-10-20T10:00:00Z'),
        contact: { id: 'c-2', email: 'b@example.com' },
      }),
    ]);
    const now = new Date('2026-10-21T10:00:00Z');
    await planStoredEvent(db.database, late?.eventId ?? '', now);
    await planStoredEvent(db.database, timely?.eventId ?? '', now);
    expect(await reasons(db)).toEqual([
      { external_id: 'backfill-1', outcome: 'skipped', reason: 'expired' },
      { external_id: 'fresh-1', outcome: 'invited', reason: null },
    ]);
  });
});
