// Twilio's webhooks applied once: a replayed or re-delivered inbound text or status callback changes nothing (invariant 11).
import { and, eq } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { smsInboundMessages, smsStatusCallbacks } from '../store/schema.ts';

/** What applying a webhook once came to: its result the first time, `replay` every time after. */
export type Once<T> = { replay: false; value: T } | { replay: true };

/**
 * Applies an inbound text (by Twilio's MessageSid) at most once. The SID is claimed first, in its own
 * statement, so two deliveries racing each other apply it once; when applying fails the claim is
 * released, so Twilio's retry is applied.
 *
 * Ordering: Twilio's webhook carries no timestamp, so texts from a phone are applied in the order we
 * first receive them. A replay of an old SID is already recorded and ignored, so it can never overwrite
 * a later answer, opt-out or opt-in; a genuinely late first delivery is applied when it arrives.
 */
export async function onceForInboundSms<T>(
  database: Database,
  messageSid: string,
  now: Date,
  apply: () => Promise<T>,
): Promise<Once<T>> {
  const claimed = await database.db
    .insert(smsInboundMessages)
    .values({ messageSid, receivedAt: now })
    .onConflictDoNothing()
    .returning({ messageSid: smsInboundMessages.messageSid });
  if (claimed.length === 0) return { replay: true };
  try {
    return { replay: false, value: await apply() };
  } catch (err) {
    await database.db.delete(smsInboundMessages).where(eq(smsInboundMessages.messageSid, messageSid));
    throw err;
  }
}

/**
 * Applies a status callback (MessageSid + MessageStatus) at most once, the same way: a replayed
 * "undelivered, 21610" after the customer texted START does not opt them out again.
 */
export async function onceForSmsStatus<T>(
  database: Database,
  callback: { messageSid: string; status: string },
  now: Date,
  apply: () => Promise<T>,
): Promise<Once<T>> {
  const claimed = await database.db
    .insert(smsStatusCallbacks)
    .values({ ...callback, receivedAt: now })
    .onConflictDoNothing()
    .returning({ messageSid: smsStatusCallbacks.messageSid });
  if (claimed.length === 0) return { replay: true };
  try {
    return { replay: false, value: await apply() };
  } catch (err) {
    await database.db
      .delete(smsStatusCallbacks)
      .where(
        and(
          eq(smsStatusCallbacks.messageSid, callback.messageSid),
          eq(smsStatusCallbacks.status, callback.status),
        ),
      );
    throw err;
  }
}
