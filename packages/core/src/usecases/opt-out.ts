// Opting out and back in: honoured at once on every path (unsubscribe link, one-click header, mailto, API, SMS STOP, carrier).
import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { contacts, invitations } from '../store/schema.ts';
import { emitWebhookEvent } from './webhooks.ts';

export type OptOutPath = 'link' | 'mail' | 'api' | 'sms' | 'carrier' | 'console';

/**
 * Opts a contact out now: nothing more is planned for them, waiting invitations are cancelled and
 * reminders stop. Returns false when the contact had already opted out (the first time stands).
 */
export async function optOutContact(
  { db }: Database,
  contactId: string,
  now: Date,
  via: OptOutPath,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(contacts)
      .set({ optedOutAt: now, optedOutVia: via, updatedAt: now })
      .where(and(eq(contacts.id, contactId), isNull(contacts.optedOutAt)))
      .returning();
    if (changed) {
      await emitWebhookEvent(
        tx,
        changed.workspaceId,
        'contact.unsubscribed',
        {
          contact: { id: changed.externalId, email: changed.email, phone: changed.phone },
          via,
          at: now.toISOString(),
        },
        now,
      );
    }
    await tx
      .update(invitations)
      .set({ status: 'cancelled', failureReason: 'opted_out', tokenSealed: null })
      .where(and(eq(invitations.contactId, contactId), inArray(invitations.status, ['scheduled', 'queued'])));
    await tx
      .update(invitations)
      .set({ nextReminderAt: null })
      .where(and(eq(invitations.contactId, contactId), isNotNull(invitations.nextReminderAt)));
    return Boolean(changed);
  });
}

/** Undoes an opt-out (the "I did not mean it" button, or the API). Cancelled invitations stay cancelled. */
export async function optInContact({ db }: Database, contactId: string, now: Date): Promise<void> {
  await db
    .update(contacts)
    .set({ optedOutAt: null, optedOutVia: null, updatedAt: now })
    .where(eq(contacts.id, contactId));
}

/** The mail server said the address does not exist: email stops being a channel for this contact. */
export async function markEmailBounced({ db }: Database, contactId: string, now: Date): Promise<void> {
  await db
    .update(contacts)
    .set({ emailBouncedAt: now, updatedAt: now })
    .where(and(eq(contacts.id, contactId), isNull(contacts.emailBouncedAt)));
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
