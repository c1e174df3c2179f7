// The preamble every invitation send shares, email or text, its own job or a batch's: claim, address, then the delivery.
import {
  type AppContext,
  type ClaimedInvitation,
  claimInvitationForSend,
  type HandOver,
  handOverInvitation,
  type PermanentDeliveryError,
  settleInvitation,
} from '@surveyflow/core';
import type { Job } from 'bullmq';
import { type Delivery, deliver } from './deliver.ts';

const DAY_MS = 86_400_000;

/** What a channel adds to a claimed invitation: where it goes, the message, and how it is sent. */
export type InvitationChannel<M> = {
  /** The contact's address on this channel, if they have one. */
  address: (claimed: ClaimedInvitation) => string | null;
  /** The failure reason when they have none. */
  noAddress: string;
  compose: (claimed: ClaimedInvitation, to: string) => M;
  send: (message: M, handOver: HandOver) => Promise<{ messageId: string; segments?: number }>;
  onPermanent?: (err: PermanentDeliveryError, claimed: ClaimedInvitation) => Promise<void>;
  /** Whether the trigger's reminders follow this channel's invitation (email: yes; a second unprompted text: no). */
  reminders: boolean;
};

/**
 * The delivery of a claimed invitation, or null when the contact has no address on the channel (the
 * row is then failed with the channel's reason, and nothing is sent).
 */
export async function invitationDelivery<M>(
  ctx: AppContext,
  claimed: ClaimedInvitation,
  channel: InvitationChannel<M>,
): Promise<(Delivery<{ messageId: string; segments?: number }> & { since: Date }) | null> {
  const { invitation, reminders } = claimed;
  const id = invitation.id;
  const to = channel.address(claimed);
  if (!to) {
    await settleInvitation(ctx.database, id, { failed: channel.noAddress });
    return null;
  }
  const claimedAt = invitation.claimedAt ?? ctx.clock.now();
  const nextReminderAt =
    channel.reminders && reminders ? new Date(claimedAt.getTime() + reminders.afterDays * DAY_MS) : null;
  const message = channel.compose(claimed, to);
  return {
    handOver: () => handOverInvitation(ctx.database, id, claimedAt, ctx.clock.now()),
    send: (handOver) => channel.send(message, handOver),
    settle: (outcome) =>
      settleInvitation(ctx.database, id, 'sent' in outcome ? { ...outcome, nextReminderAt } : outcome),
    onPermanent: channel.onPermanent
      ? (err) => channel.onPermanent?.(err, claimed) ?? Promise.resolve()
      : undefined,
    since: invitation.queuedAt ?? claimedAt,
    validUntil: invitation.tokenExpiresAt,
  };
}

/** An invitation that is its job's only work: claimed (at most once), then delivered with BullMQ's retries. */
export async function sendInvitation<M>(
  ctx: AppContext,
  channel: InvitationChannel<M>,
  invitationId: string,
  job: Job,
  token: string | undefined,
) {
  const claimed = await claimInvitationForSend(ctx.database, invitationId, ctx.clock.now(), {
    tokenTtlDays: ctx.config.TOKEN_TTL_DAYS,
    secret: ctx.config.SECRET_KEY,
  });
  if (!claimed) return { sent: false };
  const delivery = await invitationDelivery(ctx, claimed, channel);
  if (!delivery) return { sent: false };
  return { sent: (await deliver(ctx, job, token, delivery)) !== null };
}
