// The outbox: every notifications row (alerts, notices, messages to customers) — written once by its
// dedupe key, claimed by one sender, settled with the provider's word.
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import type { Database, Tx } from './client.ts';
import { type MailAttachment, type NotificationChannel, notifications } from './schema.ts';
import { currentClaim, recoverStaleClaims } from './send-phases.ts';

export type NotificationToSend = { id: string; channel: NotificationChannel };

export type NewNotification = {
  workspaceId: string;
  kind: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string> | null;
  /** Inline images (the digest's chart). */
  attachments?: MailAttachment[] | null;
  /** The customer it goes to: an opt-out before sending cancels it. */
  contactId?: string | null;
  invitationId?: string | null;
  /** What makes the message unique: a replayed job that writes the same key inserts nothing. */
  dedupeKey: string;
};

/** Writes messages to the outbox, each once by its dedupe key; returns the ones new now, for the caller to enqueue. */
export async function enqueueNotifications(tx: Tx, rows: NewNotification[]): Promise<NotificationToSend[]> {
  if (rows.length === 0) return [];
  return tx
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id, channel: notifications.channel });
}

/** One message to the outbox; null when its dedupe key was already written. */
export async function enqueueNotification(tx: Tx, row: NewNotification): Promise<NotificationToSend | null> {
  const [written] = await enqueueNotifications(tx, [row]);
  return written ?? null;
}

export type ClaimedNotification = typeof notifications.$inferSelect;

/**
 * Claims a pending notification for sending; only one caller ever gets it. A message to a customer
 * who opted out since it was written is cancelled instead: opt-outs are honoured at once.
 */
export async function claimNotification(
  { db }: Database,
  id: string,
  now: Date = new Date(),
): Promise<ClaimedNotification | null> {
  const [row] = await db
    .update(notifications)
    .set({
      claimedAt: now,
      handedOverAt: null,
      status: sql`case when exists (select 1 from contacts c where c.id = ${notifications.contactId} and c.opted_out_at is not null)
        then 'cancelled' else 'sending' end`,
    })
    .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')))
    .returning();
  return row?.status === 'sending' ? row : null;
}

/** The last step before the provider call, for the current claim only (see handOverInvitation). */
export async function handOverNotification(
  { db }: Database,
  id: string,
  claimedAt: Date,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(notifications)
    .set({ handedOverAt: now })
    .where(currentClaim(notifications, id, claimedAt))
    .returning({ id: notifications.id });
  return rows.length > 0;
}

/** Claims whose sender died, by phase (send-phases.ts, the same rule as for invitations). */
export const recoverStaleNotifications = (
  database: Database,
  now: Date,
  cutoffs: { claimedBefore: Date; handedOverBefore: Date; queuedBefore?: Date },
): Promise<{ requeued: NotificationToSend[]; interrupted: number }> =>
  recoverStaleClaims(database, 'notifications', now, cutoffs);

export async function settleNotification({ db }: Database, id: string, outcome: SendOutcome) {
  const from = 'sent' in outcome ? (['sending', 'interrupted'] as const) : (['sending'] as const);
  const set =
    'sent' in outcome
      ? { status: 'sent' as const, providerMessageId: outcome.sent, sentAt: outcome.at }
      : 'failed' in outcome
        ? { status: 'failed' as const, failureReason: outcome.failed.slice(0, 500) }
        : { status: 'pending' as const, claimedAt: null, handedOverAt: null };
  await db
    .update(notifications)
    .set(set)
    .where(and(eq(notifications.id, id), inArray(notifications.status, [...from])));
}

/** Pending notifications whose send job was lost. */
export async function pendingNotifications(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<NotificationToSend[]> {
  return db
    .select({ id: notifications.id, channel: notifications.channel })
    .from(notifications)
    .where(and(eq(notifications.status, 'pending'), lt(notifications.createdAt, olderThan)))
    .limit(limit);
}
