// Concurrent sends share their claim, hand-over and settlement statements; each invitation still goes to exactly one sender.
import {
  claimDueInvitations,
  claimInvitationForSend,
  handOverInvitation,
  settleInvitation,
} from '@surveyflow/core';
import { anEvent, plannedEvent, seedWorkspace, TEST_SECRET, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

const opts = { tokenTtlDays: 30, secret: TEST_SECRET };

describe('batched sends', () => {
  test('claims made at the same moment: each invitation once, a repeated claim gets nothing', async ({
    db,
  }) => {
    const { database } = db;
    const { workspaceId } = await seedWorkspace(database);
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const event = anEvent(`order-${i}`, { contact: { id: `cust-${i}`, email: `c${i}@example.com` } });
      ids.push(...(await plannedEvent(database, workspaceId, event, now)).invitationIds);
    }
    await claimDueInvitations(database, new Date(now.getTime() + 86_400_000), 100);
    // Every invitation asked for three times in the same turn: all in one batch.
    const claims = await Promise.all(
      ids.flatMap((id) => [1, 2, 3].map(() => claimInvitationForSend(database, id, now, opts))),
    );
    const won = claims.filter((c) => c !== null);
    expect(won.map((c) => c.invitation.id).sort()).toEqual([...ids].sort());
    expect(new Set(won.map((c) => c.token)).size).toBe(ids.length);
    expect(won.every((c) => c.contact.id === c.invitation.contactId)).toBe(true);

    // Hand-overs: the current claim wins once; a stale claim time or a repeat wins nothing.
    const stale = new Date(now.getTime() - 1000);
    const handOvers = await Promise.all(
      won.flatMap((c) => [
        handOverInvitation(database, c.invitation.id, c.invitation.claimedAt ?? now, now),
        handOverInvitation(database, c.invitation.id, c.invitation.claimedAt ?? now, now),
        handOverInvitation(database, c.invitation.id, stale, now),
      ]),
    );
    expect(handOvers.filter(Boolean)).toHaveLength(ids.length);
    expect(handOvers.filter((_, i) => i % 3 === 0).every(Boolean)).toBe(true);

    await Promise.all(
      won.map((c, i) =>
        settleInvitation(database, c.invitation.id, { sent: `<m${i}@test>`, at: now, segments: i }),
      ),
    );
    const rows = await database.sql<{ id: string; status: string; provider_message_id: string }[]>`
      select id, status, provider_message_id from invitations`;
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'sent'));
    expect(new Set(rows.map((r) => r.provider_message_id)).size).toBe(ids.length);
  });

  test('an invitation whose contact opted out since planning is cancelled, the others in its batch go on', async ({
    db,
  }) => {
    const { database } = db;
    const { workspaceId } = await seedWorkspace(database);
    const now = new Date();
    const a = await plannedEvent(
      database,
      workspaceId,
      anEvent('a', { contact: { id: 'a', email: 'a@x.test' } }),
    );
    const b = await plannedEvent(
      database,
      workspaceId,
      anEvent('b', { contact: { id: 'b', email: 'b@x.test' } }),
    );
    await claimDueInvitations(database, new Date(now.getTime() + 86_400_000), 100);
    await database.sql`update contacts set opted_out_at = now() where external_id = 'a'`;
    const [ca, cb] = await Promise.all(
      [a, b].map((p) => claimInvitationForSend(database, p.invitationIds[0] ?? '', now, opts)),
    );
    expect(ca).toBeNull();
    expect(cb?.contact.externalId).toBe('b');
    const rows = await database.sql<{ status: string; failure_reason: string | null }[]>`
      select status, failure_reason from invitations order by status`;
    expect(rows).toEqual([
      { status: 'cancelled', failure_reason: 'opted_out' },
      { status: 'sending', failure_reason: null },
    ]);
  });
});
