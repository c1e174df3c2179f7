// The SMS side of the system of record: delivery statuses from callbacks, opt-out by phone, and the conversation a reply belongs to.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { mergeSmsStatus } from '../domain/sms/status.ts';
import { unsealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { contacts, invitations, notifications, smsStatuses } from '../store/schema.ts';
import { optOutContact } from './opt-out.ts';
import { findSurveyLink, type SurveyLink } from './responses.ts';

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

/** Every contact with this phone number, in any workspace: a STOP to our number covers them all. */
async function contactIdsByPhone({ db }: Database, phone: string): Promise<string[]> {
  const rows = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.phone, phone));
  return rows.map((r) => r.id);
}

/** STOP: opts out every contact with the number at once; returns how many were newly opted out. */
export async function optOutPhone(
  database: Database,
  phone: string,
  now: Date,
  via: 'sms' | 'carrier' = 'sms',
): Promise<number> {
  let changed = 0;
  for (const id of await contactIdsByPhone(database, phone)) {
    if (await optOutContact(database, id, now, via)) changed++;
  }
  return changed;
}

/**
 * START / UNSTOP: the number may be texted again. Only a STOP by text (or at the carrier) is undone by
 * a text: someone who unsubscribed by link, mail or through the API stays out.
 */
export async function optInPhone(database: Database, phone: string, now: Date): Promise<void> {
  await database.db
    .update(contacts)
    .set({ optedOutAt: null, optedOutVia: null, updatedAt: now })
    .where(and(eq(contacts.phone, phone), inArray(contacts.optedOutVia, ['sms', 'carrier'])));
}

/**
 * The survey a text from this phone is about: the latest SMS invitation sent to it, as the same
 * link the survey page opens (so answering by text and by page share one code path). Null when we
 * never texted the number a survey.
 */
export async function smsConversation(
  database: Database,
  phone: string,
  secret: string,
): Promise<SurveyLink | null> {
  const [latest] = await database.db
    .select({ sealed: invitations.tokenSealed })
    .from(invitations)
    .innerJoin(contacts, eq(contacts.id, invitations.contactId))
    .where(and(eq(contacts.phone, phone), eq(invitations.channel, 'sms'), eq(invitations.status, 'sent')))
    .orderBy(desc(invitations.sentAt))
    .limit(1);
  if (!latest?.sealed) return null;
  return findSurveyLink(database, unsealToken(latest.sealed, secret));
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
