// Who is asked, when, and why not: the pure planning rules applied to one event (no I/O here).
import { Duration, IANAZone } from 'luxon';
import type { ChannelName } from './db/schema.ts';

/** Every reason an event can end without an invitation; documented in the README. */
export const skipReasons = {
  no_trigger: 'No enabled trigger listens for this event type.',
  opted_out: 'The contact has opted out of surveys.',
  no_channel: 'The contact has no address for any of the trigger’s channels.',
  throttled: 'The contact was already invited to this survey within the trigger’s throttle window.',
} as const;
export type SkipReason = keyof typeof skipReasons;

export type TriggerRule = {
  id: string;
  surveyId: string;
  channels: readonly ChannelName[];
  /** ISO 8601 duration. */
  delay: string;
  throttleDays: number;
};

export type ContactFacts = { email: string | null; phone: string | null; optedOutAt: Date | null };

/** An invitation already made for this contact (any trigger), as far as throttling is concerned. */
export type PastInvitation = { surveyId: string; sendAt: Date };

export type Decision =
  | { outcome: 'invited'; triggerId: string; surveyId: string; channel: ChannelName; sendAt: Date }
  | {
      outcome: 'skipped';
      triggerId: string | null;
      surveyId: string | null;
      reason: SkipReason;
      detail: Record<string, string | number>;
    };

const DAY_MS = 86_400_000;

export function isValidDuration(iso: string): boolean {
  const d = Duration.fromISO(iso);
  return d.isValid && d.toMillis() >= 0;
}

export function durationMs(iso: string): number {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new RangeError(`not an ISO 8601 duration: ${iso}`);
  return d.toMillis();
}

export const isValidTimeZone = (zone: string) => IANAZone.isValidZone(zone);

function addressFor(channel: ChannelName, contact: ContactFacts): string | null {
  switch (channel) {
    case 'email':
      return contact.email;
  }
}

/**
 * Decides, for one event, what each matching trigger does. Invitations made earlier in the same
 * call count for throttling, so two triggers on one survey never invite twice.
 */
export function planEvent(input: {
  occurredAt: Date;
  contact: ContactFacts;
  triggers: readonly TriggerRule[];
  history: readonly PastInvitation[];
}): Decision[] {
  const { occurredAt, contact, triggers } = input;
  if (triggers.length === 0) {
    return [{ outcome: 'skipped', triggerId: null, surveyId: null, reason: 'no_trigger', detail: {} }];
  }
  const history = [...input.history];
  return triggers.map((trigger): Decision => {
    const skip = (reason: SkipReason, detail: Record<string, string | number> = {}): Decision => ({
      outcome: 'skipped',
      triggerId: trigger.id,
      surveyId: trigger.surveyId,
      reason,
      detail,
    });
    if (contact.optedOutAt) return skip('opted_out', { optedOutAt: contact.optedOutAt.toISOString() });
    const channel = trigger.channels.find((c) => addressFor(c, contact));
    if (!channel) return skip('no_channel', { channels: trigger.channels.join(',') });
    const sendAt = new Date(occurredAt.getTime() + durationMs(trigger.delay));
    const blocking = throttledBy(history, trigger.surveyId, sendAt, trigger.throttleDays);
    if (blocking) {
      return skip('throttled', {
        throttleDays: trigger.throttleDays,
        previousSendAt: blocking.sendAt.toISOString(),
        until: new Date(blocking.sendAt.getTime() + trigger.throttleDays * DAY_MS).toISOString(),
      });
    }
    history.push({ surveyId: trigger.surveyId, sendAt });
    return { outcome: 'invited', triggerId: trigger.id, surveyId: trigger.surveyId, channel, sendAt };
  });
}

/** The earliest invitation to the same survey less than `days` away from `sendAt`, on either side. */
export function throttledBy(
  history: readonly PastInvitation[],
  surveyId: string,
  sendAt: Date,
  days: number,
): PastInvitation | undefined {
  if (days <= 0) return undefined;
  const window = days * DAY_MS;
  return history
    .filter((h) => h.surveyId === surveyId && Math.abs(h.sendAt.getTime() - sendAt.getTime()) < window)
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime())[0];
}
