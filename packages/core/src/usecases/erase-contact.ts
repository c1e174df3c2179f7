// The right to erasure: everything that identifies a person goes, their anonymous scores stay.
import { and, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { forgetCaseTexts, forgottenAnswer, reasonWithoutDetail } from '../store/forget.ts';
import { contactByExternalId } from '../store/queries/contacts.ts';
import {
  cases,
  contacts,
  devOutbox,
  eventDecisions,
  events,
  invitations,
  notifications,
  responses,
  webhookDeliveries,
} from '../store/schema.ts';
import { type Actor, recordAudit } from './audit.ts';
import { optOutContact } from './opt-out.ts';

/** LIKE pattern for a literal substring. */
const containing = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Erases what identifies a person (right to erasure): their addresses, name and language; the
 * properties of their events and answers; their comments; and what messages, alerts, webhook bodies,
 * case histories and skip explanations quoted of them. Their scores stay, anonymous, so metrics do
 * not change. The producer's id stays as an opt-out (and later events do not bring the details
 * back), so the same customer is never asked again. Returns false for an unknown contact.
 */
export async function eraseContact(
  database: Database,
  workspaceId: string,
  externalId: string,
  now: Date,
  /** Who asked, for the audit log (the entry commits with the erasure's last transaction). */
  actor?: Actor,
): Promise<boolean> {
  const contact = await contactByExternalId(database, workspaceId, externalId);
  if (!contact) return false;
  const { db } = database;
  const quoted = [contact.email, contact.phone].filter((v): v is string => Boolean(v));
  // Details first, so even the contact.unsubscribed webhook the opt-out sends carries none.
  await db
    .update(contacts)
    .set({
      email: null,
      phone: null,
      name: null,
      locale: null,
      timezone: null,
      emailBouncedAt: null,
      erasedAt: now,
      updatedAt: now,
    })
    .where(eq(contacts.id, contact.id));
  await optOutContact(database, contact.id, now, 'api');
  await db.transaction(async (tx) => {
    if (actor) {
      // The producer's id only: the entry must not keep what the erasure removes.
      await recordAudit(tx, {
        workspaceId,
        actor,
        action: 'contact.erase',
        target: { kind: 'contact', id: externalId },
      });
    }
    const theirEvents = tx.select({ id: events.id }).from(events).where(eq(events.contactId, contact.id));
    await tx.update(events).set({ properties: {} }).where(eq(events.contactId, contact.id));
    await tx
      .update(eventDecisions)
      .set({ detail: null })
      .where(and(inArray(eventDecisions.eventId, theirEvents), eq(eventDecisions.reason, 'filtered_out')));
    // routed_at follows updated_at, so the reconciler does not announce the wipe as an edit.
    const answered = await tx
      .update(responses)
      .set({
        ...forgottenAnswer,
        updatedAt: now,
        routedAt: now,
      })
      .where(eq(responses.contactId, contact.id))
      .returning({ id: responses.id });
    await tx
      .update(invitations)
      .set({
        tokenSealed: null,
        nextReminderAt: null,
        failureReason: reasonWithoutDetail,
      })
      .where(eq(invitations.contactId, contact.id));
    const theirCases = answered.length
      ? await tx
          .select({ id: cases.id })
          .from(cases)
          .where(
            inArray(
              cases.responseId,
              answered.map((r) => r.id),
            ),
          )
      : [];
    const keys = [...answered.map((r) => r.id), ...theirCases.map((c) => c.id)];
    // Messages to them, and alerts and notices about their answers and cases, keep only that they existed.
    const about = [
      eq(notifications.contactId, contact.id),
      ...quoted.map((v) => eq(notifications.recipient, v)),
      ...keys.map((k) => like(notifications.dedupeKey, containing(k))),
    ];
    await tx
      .update(notifications)
      .set({
        recipient: '[erased]',
        subject: '[erased]',
        html: '',
        text: '[erased]',
        headers: null,
        failureReason: null,
        status: sql`case when ${notifications.status} = 'pending' then 'cancelled' else ${notifications.status} end`,
      })
      .where(or(...about));
    // Webhook messages that quoted them (still to send, or in the log) keep their type only.
    const inBodies = [...keys, ...quoted].map((v) => like(webhookDeliveries.body, containing(v)));
    if (inBodies.length > 0) {
      await tx
        .update(webhookDeliveries)
        .set({ body: sql`json_build_object('type', ${webhookDeliveries.eventType}, 'erased', true)::text` })
        .where(or(...inBodies));
    }
    await forgetCaseTexts(
      tx,
      theirCases.map((c) => c.id),
    );
    if (quoted.length > 0) await tx.delete(devOutbox).where(inArray(devOutbox.recipient, quoted));
  });
  return true;
}
