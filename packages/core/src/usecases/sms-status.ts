// Twilio's word on each text: delivery statuses from callbacks, and a carrier-level STOP (21610) honoured as an opt-out.
import { and, eq } from 'drizzle-orm';
import { mergeSmsStatus } from '../domain/sms/status.ts';
import type { Database } from '../store/client.ts';
import { contacts, invitations, notifications, smsStatuses } from '../store/schema.ts';
import { optOutPhone } from './opt-out.ts';

/** Twilio's "the recipient has opted out of messages from this sender". */
export const TWILIO_OPTED_OUT = '21610';

/**
 * Records a status callback; returns the status now kept. Concurrent callbacks for one message
 * serialise on its row, so the merge rule holds however they interleave.
 */
export async function recordSmsStatus(
  { db }: Database,
  update: { messageSid: string; status: string; errorCode: string | null },
  now: Date,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx
      .insert(smsStatuses)
      .values({
        messageSid: update.messageSid,
        status: update.status,
        errorCode: update.errorCode,
        updatedAt: now,
      })
      .onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(smsStatuses)
      .where(eq(smsStatuses.messageSid, update.messageSid))
      .for('update');
    if (!row) throw new Error(`sms status ${update.messageSid} vanished`);
    const status = mergeSmsStatus(row.status, update.status);
    if (status !== row.status) {
      await tx
        .update(smsStatuses)
        .set({ status, errorCode: update.errorCode, updatedAt: now })
        .where(eq(smsStatuses.messageSid, update.messageSid));
    }
    return status;
  });
}

/**
 * Undeliverable because the recipient told the carrier STOP: the same as a STOP to us. The message
 * may be an invitation or a later message (thank-you, referral).
 */
export async function optOutMessageRecipient(
  database: Database,
  messageSid: string,
  now: Date,
): Promise<void> {
  const [invitation] = await database.db
    .select({ phone: contacts.phone })
    .from(invitations)
    .innerJoin(contacts, eq(contacts.id, invitations.contactId))
    .where(eq(invitations.providerMessageId, messageSid));
  const [notification] = invitation
    ? []
    : await database.db
        .select({ phone: notifications.recipient })
        .from(notifications)
        .where(and(eq(notifications.providerMessageId, messageSid), eq(notifications.channel, 'sms')));
  const phone = invitation?.phone ?? notification?.phone;
  if (phone) await optOutPhone(database, phone, now, 'carrier');
}
