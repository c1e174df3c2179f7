// Reading contacts, shared by the use cases that act on one.
import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { contacts } from '../schema.ts';

export async function contactByExternalId({ db }: Database, workspaceId: string, externalId: string) {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, externalId)));
  return row ?? null;
}
