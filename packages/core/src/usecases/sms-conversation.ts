// Which survey a text from a phone is about: the conversation an inbound SMS belongs to.
import { and, desc, eq } from 'drizzle-orm';
import { unsealToken } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { contacts, invitations } from '../store/schema.ts';
import { findSurveyLink, type SurveyLink } from './record-answer.ts';

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
