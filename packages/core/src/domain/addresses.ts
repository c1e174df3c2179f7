// Which address a message to a customer goes to, given how they answered and what they can still receive.
import { z } from 'zod';
import type { ChannelName } from './kinds.ts';

/** What reachability depends on: the contact's addresses, a bounce on the email, an opt-out. */
export type Reachable = {
  email: string | null;
  phone: string | null;
  optedOutAt: Date | null;
  emailBouncedAt: Date | null;
};

/**
 * Where a message to a customer goes, or null when they cannot or must not be reached (anonymous,
 * opted out, no working address). `auto` answers on the channel they answered by (SMS stays SMS),
 * else the other one.
 */
export function customerAddress(
  contact: Reachable | null,
  answeredBy: ChannelName,
  choice: 'auto' | 'email' | 'sms',
): { channel: 'email' | 'sms'; to: string } | null {
  if (!contact || contact.optedOutAt) return null;
  const email = contact.emailBouncedAt ? null : contact.email;
  const order = choice === 'auto' ? (answeredBy === 'sms' ? ['sms', 'email'] : ['email', 'sms']) : [choice];
  for (const c of order) {
    if (c === 'email' && email) return { channel: 'email', to: email };
    if (c === 'sms' && contact.phone) return { channel: 'sms', to: contact.phone };
  }
  return null;
}

const emailSchema = z.email().max(320);

/** An address mail can be sent to, as the API accepts it. */
export function isValidEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

/** An E.164 number such as +48600100200, as the API and Twilio take it. */
export const phonePattern = /^\+[1-9]\d{6,14}$/;

export function isValidPhone(value: string): boolean {
  return phonePattern.test(value);
}

/** A language tag such as en or pl-PL. */
export const localePattern = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;
