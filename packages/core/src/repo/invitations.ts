// The life of an invitation after planning: claimed when due, claimed again to send (at most once), then sent or failed.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import { newSurveyToken, sealToken, unsealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import {
  type ChannelName,
  contacts,
  invitations,
  responses,
  surveys,
  triggers,
  workspaces,
} from '../store/schema.ts';

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
      .set({ remindersSent: n })
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
      await tx.update(invitations).set({ nextReminderAt: null }).where(eq(invitations.id, invitationId));
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

/** How a claimed reminder ended: sent (its message id kept), or released so a retry can claim it again. */
export async function settleReminder({ db }: Database, id: string, n: number, outcome: SendOutcome) {
  if ('sent' in outcome) {
    await db.update(invitations).set({ lastReminderMessageId: outcome.sent }).where(eq(invitations.id, id));
  } else if ('retry' in outcome) {
    await db
      .update(invitations)
      .set({ remindersSent: n - 1 })
      .where(and(eq(invitations.id, id), eq(invitations.remindersSent, n)));
  }
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
