// Who is asked, when, and why not: the planning rules applied to one event, as a pure function.
import { Duration, IANAZone } from 'luxon';
import type { ChannelName } from '../kinds.ts';
import { dedupeValue, evaluateFilter, type Filter, type FilterSubject } from './filters.ts';
import { sampledIn } from './sampling.ts';
import { type QuietHours, type SendWindow, settleSendTime } from './send-window.ts';
import { type PastInvitation, throttleCheck } from './throttle.ts';

export { type PastInvitation, throttledBy } from './throttle.ts';

/**
 * Every reason an event can end without an invitation, in the order the checks run; documented in
 * the README.
 */
export const skipReasons = {
  no_trigger: 'No enabled trigger listens for this event type.',
  filtered_out: 'The event or contact did not match the trigger’s filter.',
  opted_out: 'The contact has opted out of surveys.',
  sampled_out: 'The contact fell outside the trigger’s sample (stable per contact and trigger).',
  duplicate_key: 'An invitation was already made by this trigger for the same dedupe key.',
  no_channel: 'The contact has no address for any of the trigger’s channels.',
  expired: 'The event arrived too late: its send time had passed by more than the trigger’s expireAfter.',
  global_rule: 'The contact was invited to some survey within the workspace’s global contact window.',
  throttled: 'The contact was already invited to this survey within the trigger’s throttle window.',
  cancelled_by_event: 'A later event (a refund, a return) cancelled the invitation before it was sent.',
} as const;
export type SkipReason = keyof typeof skipReasons;

export type TriggerRule = {
  id: string;
  surveyId: string;
  channels: readonly ChannelName[];
  /** ISO 8601 duration. */
  delay: string;
  throttleDays: number;
  filter?: Filter | null;
  sendWindow?: SendWindow | null;
  /** 0–1; 1 asks everyone. */
  sampleRate?: number;
  /** A field such as properties.orderId: one invitation per value per trigger. */
  dedupeKey?: string | null;
  /** Event types that cancel a pending invitation with the same dedupe key. */
  cancelOn?: readonly string[];
  /** ISO 8601 duration: a send time further in the past than this when planned is not sent (null: never). */
  expireAfter?: string | null;
};

export type ContactFacts = {
  externalId: string;
  email: string | null;
  phone: string | null;
  name?: string | null;
  locale?: string | null;
  timezone?: string | null;
  optedOutAt: Date | null;
  /** Set when mail to this address bounced for good: email is no longer a channel for them. */
  emailBouncedAt?: Date | null;
};

export type WorkspaceRules = {
  timezone: string;
  globalContactDays: number;
  /** Hours no message goes out in, on the listed channels (SMS by default). */
  quietHours?: QuietHours | null;
  quietHoursChannels?: readonly string[];
};

export type Decision =
  | {
      outcome: 'invited';
      triggerId: string;
      surveyId: string;
      channel: ChannelName;
      sendAt: Date;
      dedupeValue: string | null;
    }
  | {
      outcome: 'skipped';
      triggerId: string | null;
      surveyId: string | null;
      reason: SkipReason;
      detail: Record<string, string | number>;
    };

export function isValidDuration(iso: string): boolean {
  const d = Duration.fromISO(iso);
  return d.isValid && d.toMillis() >= 0;
}

export function durationMs(iso: string): number {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new RangeError(`not an ISO 8601 duration: ${iso}`);
  return d.toMillis();
}

/**
 * Zones known to be valid. luxon's check builds an Intl.DateTimeFormat on every call (about 0.3 ms and some
 * 25 KB of ICU memory outside the JS heap, which the collector does not see as pressure): a list send asked it
 * twice per row, which was most of its planning time and all of its memory growth. There are a few hundred zones
 * (spelled in any case, so the set is capped); invalid names are not kept (any text can be one).
 */
const validZones = new Set<string>();
export function isValidTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  if (validZones.size < 10_000) validZones.add(zone);
  return true;
}

function addressFor(channel: ChannelName, contact: ContactFacts): string | null {
  switch (channel) {
    case 'email':
      return contact.emailBouncedAt ? null : contact.email;
    case 'sms':
      return contact.phone;
    case 'qr':
      // Printed by the operator: every contact can get one, it needs no address.
      return contact.externalId;
    case 'widget':
      // Shown when the visitor is on the site (usecases/widget.ts), never planned from an event.
      return null;
  }
}

/** What filters and dedupe keys read: the event type, its properties and the contact's attributes. */
export function subjectOf(
  event: { type: string; properties: Record<string, unknown> },
  contact: ContactFacts,
): FilterSubject {
  return {
    type: event.type,
    properties: event.properties,
    contact: {
      id: contact.externalId,
      email: contact.email,
      phone: contact.phone,
      name: contact.name ?? null,
      locale: contact.locale ?? null,
      timezone: contact.timezone ?? null,
    },
  };
}

/**
 * Decides, for one event, what each matching trigger does. Checks run in the order of
 * `skipReasons`; invitations made earlier in the same call count for throttling and dedupe.
 */
export function planEvent(input: {
  event: { type: string; occurredAt: Date; properties: Record<string, unknown> };
  /** When the planning happens; only used to tell a late event (expired) from a timely one. */
  now?: Date;
  contact: ContactFacts;
  workspace?: WorkspaceRules;
  triggers: readonly TriggerRule[];
  history: readonly PastInvitation[];
}): Decision[] {
  const { event, contact, triggers } = input;
  const workspace = input.workspace ?? { timezone: 'UTC', globalContactDays: 0 };
  if (triggers.length === 0) {
    return [{ outcome: 'skipped', triggerId: null, surveyId: null, reason: 'no_trigger', detail: {} }];
  }
  const subject = subjectOf(event, contact);
  const zone = contact.timezone && isValidTimeZone(contact.timezone) ? contact.timezone : workspace.timezone;
  const history = [...input.history];

  return triggers.map((trigger): Decision => {
    const skip = (reason: SkipReason, detail: Record<string, string | number> = {}): Decision => ({
      outcome: 'skipped',
      triggerId: trigger.id,
      surveyId: trigger.surveyId,
      reason,
      detail,
    });
    const filtered = evaluateFilter(trigger.filter ?? null, subject);
    if (!filtered.pass) return skip('filtered_out', { failed: filtered.failed });
    if (contact.optedOutAt) return skip('opted_out', { optedOutAt: contact.optedOutAt.toISOString() });
    const rate = trigger.sampleRate ?? 1;
    if (!sampledIn(rate, trigger.id, contact.externalId)) return skip('sampled_out', { sampleRate: rate });
    const key = dedupeValue(trigger.dedupeKey ?? null, subject);
    if (key !== null && history.some((h) => h.triggerId === trigger.id && h.dedupeValue === key)) {
      return skip('duplicate_key', { dedupeKey: trigger.dedupeKey ?? '', value: key });
    }
    const channel = trigger.channels.find((c) => addressFor(c, contact));
    if (!channel) return skip('no_channel', { channels: trigger.channels.join(',') });
    const due = new Date(event.occurredAt.getTime() + durationMs(trigger.delay));
    const quiet =
      workspace.quietHours && (workspace.quietHoursChannels ?? ['sms']).includes(channel)
        ? workspace.quietHours
        : null;
    const sendAt = settleSendTime(due, trigger.sendWindow ?? null, quiet, zone);
    if (
      input.now &&
      trigger.expireAfter &&
      sendAt.getTime() + durationMs(trigger.expireAfter) < input.now.getTime()
    ) {
      return skip('expired', { sendAt: sendAt.toISOString(), expireAfter: trigger.expireAfter });
    }
    const throttled = throttleCheck(
      history,
      {
        surveyId: trigger.surveyId,
        throttleDays: trigger.throttleDays,
        globalContactDays: workspace.globalContactDays,
      },
      sendAt,
    );
    if (throttled) return skip(throttled.reason, throttled.detail);
    history.push({ surveyId: trigger.surveyId, sendAt, triggerId: trigger.id, dedupeValue: key });
    return {
      outcome: 'invited',
      triggerId: trigger.id,
      surveyId: trigger.surveyId,
      channel,
      sendAt,
      dedupeValue: key,
    };
  });
}
