// The life of an invitation after planning: claimed when due, claimed again to send (at most once), then sent or failed.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { contacts, invitations, surveys, workspaces } from '../db/schema.ts';
import { newSurveyToken } from '../tokens.ts';

const DAY_MS = 86_400_000;

/**
 * Moves due invitations from scheduled to queued; SKIP LOCKED lets any number of scanners run.
 * (Raw SQL takes ISO strings: drizzle's postgres-js driver leaves Date serialisation to columns.)
 */
export async function claimDueInvitations({ db }: Database, now: Date, limit: number): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    update invitations set status = 'queued', queued_at = ${now.toISOString()}::timestamptz
    where id in (
      select id from invitations
      where status = 'scheduled' and send_at <= ${now.toISOString()}::timestamptz
      order by send_at
      limit ${limit}
      for update skip locked
    )
    returning id`);
  return rows.map((r) => r.id);
}

/** Queued invitations whose job never ran (Redis lost it): enqueue them again. */
export async function staleQueuedInvitations(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.status, 'queued'), lt(invitations.queuedAt, olderThan)))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * A send that was claimed but never finished (the process died mid-send) may or may not have
 * reached the customer. At most once wins: it is marked failed, never sent again.
 */
export async function failInterruptedSends({ db }: Database, olderThan: Date): Promise<number> {
  const rows = await db
    .update(invitations)
    .set({ status: 'failed', failureReason: 'interrupted: the sender stopped mid-send; not retried' })
    .where(and(eq(invitations.status, 'sending'), lt(invitations.claimedAt, olderThan)))
    .returning({ id: invitations.id });
  return rows.length;
}

export type ClaimedInvitation = {
  invitation: typeof invitations.$inferSelect;
  contact: typeof contacts.$inferSelect;
  survey: typeof surveys.$inferSelect;
  workspace: typeof workspaces.$inferSelect;
  /** The survey link token; it exists only here and in the message about to be sent. */
  token: string;
};

/**
 * Claims a queued invitation for sending: only one caller ever gets it. A contact who opted out
 * since planning is not sent anything (the invitation is cancelled instead).
 */
export async function claimInvitationForSend(
  { db }: Database,
  invitationId: string,
  now: Date,
  tokenTtlDays: number,
): Promise<ClaimedInvitation | null> {
  return db.transaction(async (tx) => {
    const { token, hash } = newSurveyToken();
    const [invitation] = await tx
      .update(invitations)
      .set({
        status: 'sending',
        tokenHash: hash,
        tokenExpiresAt: new Date(now.getTime() + tokenTtlDays * DAY_MS),
        claimedAt: now,
      })
      .where(and(eq(invitations.id, invitationId), eq(invitations.status, 'queued')))
      .returning();
    if (!invitation) return null;
    const [row] = await tx
      .select({ contact: contacts, survey: surveys, workspace: workspaces })
      .from(contacts)
      .innerJoin(surveys, eq(surveys.id, invitation.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, invitation.workspaceId))
      .where(eq(contacts.id, invitation.contactId));
    if (!row) throw new Error(`invitation ${invitationId} lost its contact or survey`);
    if (row.contact.optedOutAt) {
      await tx
        .update(invitations)
        .set({ status: 'cancelled', failureReason: 'opted_out', tokenHash: null })
        .where(eq(invitations.id, invitationId));
      return null;
    }
    return { invitation, ...row, token };
  });
}

export type SendOutcome = { sent: string; at: Date } | { failed: string } | { retry: true };

/**
 * Records how a claimed send ended: sent (with the provider's message id), failed for good (the
 * reason lands on the row), or to be retried (nothing left the building, so it may be claimed again).
 */
export async function settleInvitation({ db }: Database, id: string, outcome: SendOutcome) {
  const set =
    'sent' in outcome
      ? { status: 'sent' as const, providerMessageId: outcome.sent, sentAt: outcome.at }
      : 'failed' in outcome
        ? { status: 'failed' as const, failureReason: outcome.failed.slice(0, 500), tokenHash: null }
        : { status: 'queued' as const, tokenHash: null, tokenExpiresAt: null };
  await db
    .update(invitations)
    .set(set)
    .where(and(eq(invitations.id, id), eq(invitations.status, 'sending')));
}
