// The two phases of a send, shared by every outbox that talks to a provider (invitations, notifications):
// claimed (`sending`, `claimed_at`), then handed over (`handed_over_at`, set just before the provider call).
import { type AnyColumn, and, eq, isNotNull, isNull, lt } from 'drizzle-orm';

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
