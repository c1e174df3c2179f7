// The life of an invitation after planning: claimed when due, claimed again to send (at most once), then sent or failed.
import { and, eq, inArray, like, lt, or, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import { newSurveyToken, sealToken, unsealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { type ChannelName, contacts, invitations, surveys, triggers, workspaces } from '../store/schema.ts';
import {
  currentClaim,
  diedBeforeHandOver,
  diedInsideCall,
  gaveUpPrefix,
  interruptedReason,
  stoppedBeforeCallReason,
} from '../store/send-phases.ts';

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

/** Why a send that gave up on a transient error failed; such an invitation may be resent by hand. */

/**
 * Claims whose sender died, by phase. Not yet handed over (claimed before `claimedBefore`, no
 * `handed_over_at`): nothing left the building, so it goes back to queued for the caller to enqueue
 * again. Handed over (before `handedOverBefore`) with no outcome: the provider may have it, so at most
 * once wins and it is marked interrupted, never sent again on its own.
 */
export async function recoverStaleSends(
  { db }: Database,
  now: Date,
  cutoffs: { claimedBefore: Date; handedOverBefore: Date; queuedBefore?: Date },
): Promise<{ requeued: InvitationToSend[]; interrupted: number }> {
  const stale = diedBeforeHandOver(invitations, cutoffs.claimedBefore);
  // A send whose sender keeps dying before the provider call (a message that crashes it) stops at the horizon.
  if (cutoffs.queuedBefore)
    await db
      .update(invitations)
      .set({
        status: 'failed',
        failureReason: stoppedBeforeCallReason,
      })
      .where(and(stale, lt(invitations.queuedAt, cutoffs.queuedBefore)));
  const requeued = await db
    .update(invitations)
    .set({ status: 'queued', claimedAt: null })
    .where(stale)
    .returning({ id: invitations.id, channel: invitations.channel });
  // The token stays: if the message did arrive, its link must keep working.
  const interrupted = await db
    .update(invitations)
    .set({
      status: 'interrupted',
      interruptedAt: now,
      failureReason: interruptedReason,
    })
    .where(diedInsideCall(invitations, cutoffs.handedOverBefore))
    .returning({ id: invitations.id });
  return { requeued, interrupted: interrupted.length };
}

/**
 * The last step before the provider call: records that the message is being handed over. It holds
 * only for the claim that is still current (a sender that stalled past its lease and was replaced
 * finds its claim gone and sends nothing).
 */
export async function handOverInvitation(
  { db }: Database,
  id: string,
  claimedAt: Date,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ handedOverAt: now })
    .where(currentClaim(invitations, id, claimedAt))
    .returning({ id: invitations.id });
  return rows.length > 0;
}

/**
 * An operator's resend of an invitation that was interrupted or gave up on a transient error: back
 * to queued, once (a second call finds it queued, sending or sent). It may duplicate a message that
 * did arrive; that is the operator's call. Returns null when there is no such invitation, false when
 * it is in another state.
 */
export async function resendInvitation(
  { db }: Database,
  workspaceId: string,
  id: string,
  now: Date,
): Promise<InvitationToSend | false | null> {
  const [row] = await db
    .update(invitations)
    .set({
      status: 'queued',
      queuedAt: now,
      claimedAt: null,
      handedOverAt: null,
      failureReason: null,
      resentAt: now,
    })
    .where(
      and(
        eq(invitations.id, id),
        eq(invitations.workspaceId, workspaceId),
        or(
          eq(invitations.status, 'interrupted'),
          and(eq(invitations.status, 'failed'), like(invitations.failureReason, `${gaveUpPrefix}%`)),
        ),
      ),
    )
    .returning({ id: invitations.id, channel: invitations.channel });
  if (row) return row;
  const [exists] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId)));
  return exists ? false : null;
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
    const fresh = newSurveyToken();
    // A link minted before (by a claim that may have delivered it) is kept; otherwise a new one.
    const noKeptLink = sql`(${invitations.tokenSealed} is null or ${invitations.tokenHash} is null)`;
    const [invitation] = await tx
      .update(invitations)
      .set({
        status: 'sending',
        tokenHash: sql`case when ${noKeptLink} then ${fresh.hash} else ${invitations.tokenHash} end`,
        tokenSealed: sql`case when ${noKeptLink} then ${sealToken(fresh.token, opts.secret)} else ${invitations.tokenSealed} end`,
        tokenExpiresAt: sql`case when ${noKeptLink}
          then ${new Date(now.getTime() + tokenTtlDays * DAY_MS).toISOString()}::timestamptz
          else ${invitations.tokenExpiresAt} end`,
        claimedAt: now,
        handedOverAt: null,
      })
      .where(and(eq(invitations.id, invitationId), eq(invitations.status, 'queued')))
      .returning();
    if (!invitation) return null;
    const token =
      invitation.tokenHash === fresh.hash || !invitation.tokenSealed
        ? fresh.token
        : unsealToken(invitation.tokenSealed, opts.secret);
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
 * A send marked interrupted while it was still running records its outcome all the same.
 */
export async function settleInvitation({ db }: Database, id: string, outcome: SendOutcome) {
  // A send that outlived its lease and was marked interrupted still records its provider's word.
  const from = 'sent' in outcome ? (['sending', 'interrupted'] as const) : (['sending'] as const);
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
        : // Nothing left the building; the link (if any) is kept for the next claim.
          { status: 'queued' as const, claimedAt: null, handedOverAt: null };
  await db
    .update(invitations)
    .set(set)
    .where(and(eq(invitations.id, id), inArray(invitations.status, [...from])));
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
