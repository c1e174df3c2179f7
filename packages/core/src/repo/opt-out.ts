// Opting out and back in: honoured at once on every path (unsubscribe link, one-click header, mailto, API, SMS STOP, carrier).
import { and, eq, inArray, isNotNull, isNull, like, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import {
  caseEvents,
  cases,
  contacts,
  events,
  invitations,
  notifications,
  responses,
  webhookDeliveries,
} from '../db/schema.ts';
import { emitWebhookEvent } from './webhooks.ts';

/**
 * Opts a contact out now: nothing more is planned for them, waiting invitations are cancelled and
 * reminders stop. Returns false when the contact had already opted out (the first time stands).
 */
export type OptOutPath = 'link' | 'mail' | 'api' | 'sms' | 'carrier';

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

export async function contactByExternalId({ db }: Database, workspaceId: string, externalId: string) {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, externalId)));
  return row ?? null;
}

export type ContactChanges = {
  email?: string | null | undefined;
  phone?: string | null | undefined;
  name?: string | null | undefined;
  locale?: string | null | undefined;
  timezone?: string | null | undefined;
};

/** Corrects a contact's details; a new email address clears a bounce recorded on the old one. */
export async function updateContact(
  { db }: Database,
  workspaceId: string,
  externalId: string,
  changes: ContactChanges,
  now: Date,
) {
  const [row] = await db
    .update(contacts)
    .set({
      ...changes,
      ...(changes.email !== undefined ? { emailBouncedAt: null } : {}),
      updatedAt: now,
    })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, externalId)))
    .returning();
  return row ?? null;
}

/**
 * Erases what identifies a person (right to erasure): their addresses, name and language; the
 * properties of their events and answers; their comments, and what alerts and case histories quoted
 * of them. Their scores stay, anonymous, so metrics do not change. The producer's id stays as an
 * opt-out, so the same customer is never asked again. Returns false for an unknown contact.
 */
export async function eraseContact(
  database: Database,
  workspaceId: string,
  externalId: string,
  now: Date,
): Promise<boolean> {
  const contact = await contactByExternalId(database, workspaceId, externalId);
  if (!contact) return false;
  await optOutContact(database, contact.id, now, 'api');
  await database.db.transaction(async (tx) => {
    await tx
      .update(contacts)
      .set({
        email: null,
        phone: null,
        name: null,
        locale: null,
        timezone: null,
        emailBouncedAt: null,
        updatedAt: now,
      })
      .where(eq(contacts.id, contact.id));
    await tx.update(events).set({ properties: {} }).where(eq(events.contactId, contact.id));
    const answered = await tx
      .update(responses)
      .set({ comment: null, properties: {}, updatedAt: now })
      .where(eq(responses.contactId, contact.id))
      .returning({ id: responses.id });
    await tx
      .update(invitations)
      .set({ tokenSealed: null, nextReminderAt: null })
      .where(eq(invitations.contactId, contact.id));
    // Messages to them, and alerts about their answers, keep only that they existed.
    const about = [
      eq(notifications.contactId, contact.id),
      ...answered.map((r) => like(notifications.dedupeKey, `%${r.id}%`)),
    ];
    await tx
      .update(notifications)
      .set({ recipient: '[erased]', subject: '[erased]', html: '', text: '[erased]', headers: null })
      .where(or(...about));
    if (answered.length > 0) {
      // Webhook messages about their answers (still to send, or in the log) keep their type only.
      await tx
        .update(webhookDeliveries)
        .set({ body: sql`json_build_object('type', ${webhookDeliveries.eventType}, 'erased', true)::text` })
        .where(or(...answered.map((r) => like(webhookDeliveries.body, `%${r.id}%`))));
      const theirCases = tx
        .select({ id: cases.id })
        .from(cases)
        .where(
          inArray(
            cases.responseId,
            answered.map((r) => r.id),
          ),
        );
      await tx
        .update(caseEvents)
        .set({ detail: sql`${caseEvents.detail} - 'comment'` })
        .where(inArray(caseEvents.caseId, theirCases));
    }
  });
  return true;
}
