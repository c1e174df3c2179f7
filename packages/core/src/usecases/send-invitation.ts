// The life of an invitation after planning: claimed when due, claimed again to send (at most once), then sent or failed.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import { newSurveyToken, sealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { type ChannelName, contacts, invitations, surveys, triggers, workspaces } from '../store/schema.ts';

const DAY_MS = 86_400_000;

/**
 * Moves due invitations from scheduled to queued; SKIP LOCKED lets any number of scanners run.
 * (Raw SQL takes ISO strings: drizzle's postgres-js driver leaves Date serialisation to columns.)
 */
export async function claimDueInvitations(
  { db }: Database,
  now: Date,
  limit: number,
): Promise<InvitationToSend[]> {
  const rows = await db.execute<InvitationToSend>(sql`
    update invitations set status = 'queued', queued_at = ${now.toISOString()}::timestamptz
    where id in (
      select id from invitations
      where status = 'scheduled' and send_at <= ${now.toISOString()}::timestamptz and channel <> 'qr'
      order by send_at
      limit ${limit}
      for update skip locked
    )
    returning id, channel`);
  return [...rows];
}

export type InvitationToSend = { id: string; channel: ChannelName };

/** Queued invitations whose job never ran (Redis lost it): enqueue them again. */
export async function staleQueuedInvitations(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<InvitationToSend[]> {
  return db
    .select({ id: invitations.id, channel: invitations.channel })
    .from(invitations)
    .where(and(eq(invitations.status, 'queued'), lt(invitations.queuedAt, olderThan)))
    .limit(limit);
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
  /** The survey link token, for the message about to be sent (stored only hashed and sealed). */
  token: string;
  /** The trigger's reminder policy, if it has one. */
  reminders: { count: number; afterDays: number } | null;
};

/**
 * Claims a queued invitation for sending: only one caller ever gets it. A contact who opted out
 * since planning is not sent anything (the invitation is cancelled instead).
 */
export async function claimInvitationForSend(
  { db }: Database,
  invitationId: string,
  now: Date,
  opts: { tokenTtlDays: number; secret: string },
): Promise<ClaimedInvitation | null> {
  const tokenTtlDays = opts.tokenTtlDays;
  return db.transaction(async (tx) => {
    const { token, hash } = newSurveyToken();
    const [invitation] = await tx
      .update(invitations)
      .set({
        status: 'sending',
        tokenHash: hash,
        tokenSealed: sealToken(token, opts.secret),
        tokenExpiresAt: new Date(now.getTime() + tokenTtlDays * DAY_MS),
        claimedAt: now,
      })
      .where(and(eq(invitations.id, invitationId), eq(invitations.status, 'queued')))
      .returning();
    if (!invitation) return null;
    const [row] = await tx
      .select({ contact: contacts, survey: surveys, workspace: workspaces, trigger: triggers })
      .from(contacts)
      .innerJoin(surveys, eq(surveys.id, invitation.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, invitation.workspaceId))
      .leftJoin(triggers, eq(triggers.id, invitation.triggerId ?? sql`null`))
      .where(eq(contacts.id, invitation.contactId));
    if (!row) throw new Error(`invitation ${invitationId} lost its contact or survey`);
    // Opted out, or the address bounced, since planning: nothing is sent.
    const stopped = row.contact.optedOutAt
      ? 'opted_out'
      : invitation.channel === 'email' && row.contact.emailBouncedAt
        ? 'email_bounced'
        : null;
    if (stopped) {
      await tx
        .update(invitations)
        .set({ status: 'cancelled', failureReason: stopped, tokenHash: null, tokenSealed: null })
        .where(eq(invitations.id, invitationId));
      return null;
    }
    const { trigger, ...rest } = row;
    const reminders =
      trigger && trigger.reminderCount > 0
        ? { count: trigger.reminderCount, afterDays: trigger.reminderAfterDays }
        : null;
    return { invitation, ...rest, token, reminders };
  });
}

/**
 * Records how a claimed send ended: sent (with the provider's message id), failed for good (the
 * reason lands on the row), or to be retried (nothing left the building, so it may be claimed again).
 */
export async function settleInvitation({ db }: Database, id: string, outcome: SendOutcome) {
  const set =
    'sent' in outcome
      ? {
          status: 'sent' as const,
          providerMessageId: outcome.sent,
          sentAt: outcome.at,
          nextReminderAt: outcome.nextReminderAt ?? null,
          segments: outcome.segments ?? null,
        }
      : 'failed' in outcome
        ? {
            status: 'failed' as const,
            failureReason: outcome.failed.slice(0, 500),
            tokenHash: null,
            tokenSealed: null,
          }
        : { status: 'queued' as const, tokenHash: null, tokenSealed: null, tokenExpiresAt: null };
  await db
    .update(invitations)
    .set(set)
    .where(and(eq(invitations.id, id), eq(invitations.status, 'sending')));
}

/** The workspace of an invitation and its own email rate limit, read before claiming a send. */
export async function invitationRateLimit({ db }: Database, invitationId: string) {
  const [row] = await db
    .select({ workspaceId: invitations.workspaceId, perSecond: workspaces.emailRatePerSecond })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.id, invitationId));
  return row ?? null;
}
