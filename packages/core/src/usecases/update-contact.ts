// Correcting a contact's details through the API.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { contacts } from '../store/schema.ts';

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
      // Only a different address clears a bounce; the same dead one stays suppressed.
      ...(changes.email !== undefined
        ? {
            emailBouncedAt: sql`case when ${contacts.email} is distinct from ${changes.email} then null
              else ${contacts.emailBouncedAt} end`,
          }
        : {}),
      updatedAt: now,
    })
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        eq(contacts.externalId, externalId),
        isNull(contacts.erasedAt),
      ),
    )
    .returning();
  return row ?? null;
}
