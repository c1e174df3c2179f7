// The two phases of a send, shared by every outbox that talks to a provider (invitations, notifications):
// claimed (`sending`, `claimed_at`), then handed over (`handed_over_at`, set just before the provider call).
import { type AnyColumn, and, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Database } from './client.ts';
import { invitations, notifications } from './schema.ts';

type PhaseColumns = { id: AnyColumn; status: AnyColumn; claimedAt: AnyColumn; handedOverAt: AnyColumn };

/** Failure reasons starting with this were transient until the retry horizon: an operator may resend them. */
export const gaveUpPrefix = 'gave up';
export const stoppedBeforeCallReason = `${gaveUpPrefix}: the sender stopped before the provider call until the retry horizon`;
export const interruptedReason =
  'interrupted: the sender stopped inside the provider call; it may or may not have arrived';

/** The row's current claim, not yet handed over: only its holder may hand it over. */
export const currentClaim = (c: PhaseColumns, id: string, claimedAt: Date) =>
  and(eq(c.id, id), eq(c.status, 'sending'), eq(c.claimedAt, claimedAt), isNull(c.handedOverAt));

/** Claims whose sender died before the provider call: safe to send again. */
export const diedBeforeHandOver = (c: PhaseColumns, claimedBefore: Date) =>
  and(eq(c.status, 'sending'), isNull(c.handedOverAt), lt(c.claimedAt, claimedBefore));

/** Claims whose sender died inside the provider call: ambiguous, never resent on their own. */
export const diedInsideCall = (c: PhaseColumns, handedOverBefore: Date) =>
  and(eq(c.status, 'sending'), isNotNull(c.handedOverAt), lt(c.handedOverAt, handedOverBefore));

/** The outboxes that talk to a provider, with the state a recovered claim goes back to and the time its wait began. */
const outboxes = {
  // An invitation sent in a batch goes back to its batch (that job runs again, or is enqueued again).
  invitations: {
    table: invitations,
    backTo: 'queued',
    waitingSince: invitations.queuedAt,
    batch: invitations.sendBatch,
  },
  notifications: {
    table: notifications,
    backTo: 'pending',
    waitingSince: notifications.createdAt,
    batch: null,
  },
} as const;

/**
 * Claims whose sender died, by phase, for either outbox. Not yet handed over (claimed before `claimedBefore`,
 * no `handed_over_at`): nothing left the building, so it goes back to waiting for the caller to enqueue again
 * — unless it has been waiting since before `queuedBefore` (a message that keeps crashing its sender stops
 * there, failed). Handed over (before `handedOverBefore`) with no outcome: the provider may have it, so at
 * most once wins and it is marked interrupted, never sent again on its own (its token stays: if the message
 * did arrive, its link must keep working).
 */
export async function recoverStaleClaims<K extends keyof typeof outboxes>(
  { db }: Database,
  outbox: K,
  now: Date,
  cutoffs: { claimedBefore: Date; handedOverBefore: Date; queuedBefore?: Date },
): Promise<{
  requeued: { id: string; channel: (typeof outboxes)[K]['table']['$inferSelect']['channel'] }[];
  interrupted: number;
}> {
  // One code path for two tables: drizzle types each table's update apart, so the shared one is told it is the invitations'.
  const { table, backTo, waitingSince, batch } = outboxes[
    outbox
  ] as unknown as (typeof outboxes)['invitations'];
  const stale = diedBeforeHandOver(table, cutoffs.claimedBefore);
  if (cutoffs.queuedBefore)
    await db
      .update(table)
      .set({ status: 'failed', failureReason: stoppedBeforeCallReason })
      .where(and(stale, lt(waitingSince, cutoffs.queuedBefore)));
  const requeued = await db
    .update(table)
    .set({ status: backTo, claimedAt: null })
    .where(stale)
    .returning({ id: table.id, channel: table.channel, ...(batch ? { sendBatch: batch } : {}) });
  const interrupted = await db
    .update(table)
    .set({ status: 'interrupted', interruptedAt: now, failureReason: interruptedReason })
    .where(diedInsideCall(table, cutoffs.handedOverBefore))
    .returning({ id: table.id });
  return { requeued: requeued as never, interrupted: interrupted.length };
}
