// Reminders: a second message for an unanswered invitation, claimed under a lease and sent at most once each, with the
// same two phases as the invitation's own send (claimed, then handed over) so a crash costs only what reached the provider.
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import { unsealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { contacts, invitations, responses, surveys, triggers, workspaces } from '../store/schema.ts';
import type { ClaimedInvitation } from './send-invitation.ts';

const DAY_MS = 86_400_000;

/** Why a due reminder is not sent after all. */
export type ReminderStop = 'answered' | 'opted_out' | 'email_bounced' | 'expired';

/** A claimed reminder whose job never ran (Redis lost it) is claimed again after this long. */
const REMINDER_LEASE_MS = 10 * 60_000;

/**
 * Leases every invitation whose reminder is due (SKIP LOCKED, like the due scanner): its next
 * reminder time moves a lease ahead, so a lost job is picked up again. The reminder job decides
 * whether it is still wanted and sets the real next time (or none).
 */
export async function claimDueReminders(
  { db }: Database,
  now: Date,
  limit: number,
): Promise<{ invitationId: string; reminder: number }[]> {
  const rows = await db.execute<{ id: string; reminders_sent: number }>(sql`
    update invitations set next_reminder_at = ${new Date(now.getTime() + REMINDER_LEASE_MS).toISOString()}::timestamptz
    where id in (
      select id from invitations
      where next_reminder_at <= ${now.toISOString()}::timestamptz
      order by next_reminder_at
      limit ${limit}
      for update skip locked
    )
    returning id, reminders_sent`);
  return rows.map((r) => ({ invitationId: r.id, reminder: r.reminders_sent + 1 }));
}

export type ClaimedReminder = Omit<ClaimedInvitation, 'reminders'>;

/**
 * Claims reminder number n of an invitation: only one caller ever gets it. None is sent once the
 * contact answered, opted out, or the link expired; the next one is scheduled if the trigger wants more.
 */
export async function claimReminder(
  { db }: Database,
  invitationId: string,
  n: number,
  now: Date,
  secret: string,
): Promise<ClaimedReminder | { skipped: ReminderStop } | null> {
  return db.transaction(async (tx) => {
    const [invitation] = await tx
      .update(invitations)
      .set({ remindersSent: n, reminderClaimedAt: now, reminderHandedOverAt: null })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.remindersSent, n - 1),
          eq(invitations.status, 'sent'),
        ),
      )
      .returning();
    if (!invitation?.tokenSealed) return null;
    const stop = async (skipped: ReminderStop) => {
      await tx
        .update(invitations)
        .set({ nextReminderAt: null, reminderClaimedAt: null })
        .where(eq(invitations.id, invitationId));
      return { skipped };
    };
    const [row] = await tx
      .select({
        contact: contacts,
        survey: surveys,
        workspace: workspaces,
        trigger: triggers,
        answered: responses.id,
      })
      .from(contacts)
      .innerJoin(surveys, eq(surveys.id, invitation.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, invitation.workspaceId))
      .leftJoin(triggers, eq(triggers.id, invitation.triggerId ?? sql`null`))
      .leftJoin(responses, eq(responses.invitationId, invitation.id))
      .where(eq(contacts.id, invitation.contactId));
    if (!row) throw new Error(`invitation ${invitationId} lost its contact or survey`);
    if (row.answered) return stop('answered');
    if (row.contact.optedOutAt) return stop('opted_out');
    if (row.contact.emailBouncedAt) return stop('email_bounced');
    if (!invitation.tokenExpiresAt || invitation.tokenExpiresAt <= now) return stop('expired');
    const more = row.trigger && n < row.trigger.reminderCount;
    await tx
      .update(invitations)
      .set({
        nextReminderAt:
          more && row.trigger ? new Date(now.getTime() + row.trigger.reminderAfterDays * DAY_MS) : null,
      })
      .where(eq(invitations.id, invitationId));
    const { trigger: _trigger, answered: _answered, ...rest } = row;
    return { invitation, ...rest, token: unsealToken(invitation.tokenSealed, secret) };
  });
}

/**
 * The last step before the provider call for reminder n, as handOverInvitation is for the first message: it holds
 * only for the claim that is still current (claimed at `claimedAt`, not released or taken since).
 */
export async function handOverReminder(
  { db }: Database,
  id: string,
  n: number,
  claimedAt: Date,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ reminderHandedOverAt: now })
    .where(
      and(
        eq(invitations.id, id),
        eq(invitations.remindersSent, n),
        eq(invitations.reminderClaimedAt, claimedAt),
        isNull(invitations.reminderHandedOverAt),
      ),
    )
    .returning({ id: invitations.id });
  return rows.length > 0;
}

/**
 * How a claimed reminder ended: sent (its message id kept), released so a retry can claim it again, or failed for
 * good (it stays counted, never resent). Each clears the claim.
 */
export async function settleReminder({ db }: Database, id: string, n: number, outcome: SendOutcome) {
  const claim = and(eq(invitations.id, id), eq(invitations.remindersSent, n));
  const cleared = { reminderClaimedAt: null, reminderHandedOverAt: null };
  if ('sent' in outcome) {
    await db
      .update(invitations)
      .set({ lastReminderMessageId: outcome.sent, ...cleared })
      .where(eq(invitations.id, id));
  } else if ('retry' in outcome) {
    await db
      .update(invitations)
      .set({ remindersSent: n - 1, ...cleared })
      .where(claim);
  } else {
    await db.update(invitations).set(cleared).where(claim);
  }
}

/**
 * Reminder claims whose sender died, by phase, as recoverStaleSends does for invitations. Not handed over: released
 * for the caller to enqueue again (and leased as the due scanner leases, in case that job is lost too). Handed over with no outcome: the provider
 * may have it, so at most once wins: the claim is cleared and the reminder counts as sent, never resent on its own.
 */
export async function recoverStaleReminders(
  { db }: Database,
  now: Date,
  cutoffs: { claimedBefore: Date; handedOverBefore: Date },
): Promise<{ requeued: { invitationId: string; reminder: number }[]; interrupted: number }> {
  const requeued = await db
    .update(invitations)
    .set({
      remindersSent: sql`${invitations.remindersSent} - 1`,
      reminderClaimedAt: null,
      nextReminderAt: new Date(now.getTime() + REMINDER_LEASE_MS),
    })
    .where(
      and(
        isNotNull(invitations.reminderClaimedAt),
        isNull(invitations.reminderHandedOverAt),
        lt(invitations.reminderClaimedAt, cutoffs.claimedBefore),
      ),
    )
    .returning({ id: invitations.id, sent: invitations.remindersSent });
  const interrupted = await db
    .update(invitations)
    .set({ reminderClaimedAt: null, reminderHandedOverAt: null })
    .where(
      and(
        isNotNull(invitations.reminderClaimedAt),
        lt(invitations.reminderHandedOverAt, cutoffs.handedOverBefore),
      ),
    )
    .returning({ id: invitations.id });
  return {
    requeued: requeued.map((r) => ({ invitationId: r.id, reminder: r.sent + 1 })),
    interrupted: interrupted.length,
  };
}
