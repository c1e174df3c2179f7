// Webhook delivery claims on real Postgres: due deliveries are leased once; none is ever attempted past the maximum.

import { claimDueWebhookDeliveries, createWebhook, emitWebhookEvent } from '@surveyflow/core';
import { seedWorkspace, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

describe('claimDueWebhookDeliveries', () => {
  test('leases a due delivery once, and fails one whose last attempt was claimed but never recorded', async ({
    db,
  }) => {
    const { workspaceId } = await seedWorkspace(db.database);
    await createWebhook(db.database, workspaceId, {
      url: 'https://hooks.example.com/a',
      eventTypes: ['case.created'],
    });
    const now = new Date();
    await emitWebhookEvent(db.database.db, workspaceId, 'case.created', { n: 1 }, now);
    await emitWebhookEvent(db.database.db, workspaceId, 'case.created', { n: 2 }, now);
    // The second one's worker claimed its last (2nd) attempt and died before recording it.
    await db.database.sql`update webhook_deliveries set attempts = 2 where body like '%"n":2%'`;

    const claimed = await claimDueWebhookDeliveries(db.database, now, 10, 2);
    expect(claimed.map((c) => c.attempt)).toEqual([1]);
    expect(await claimDueWebhookDeliveries(db.database, now, 10, 2)).toEqual([]);
    expect(await db.database.sql`select status from webhook_deliveries order by body`).toEqual([
      { status: 'pending' },
      { status: 'failed' },
    ]);
  });
});
