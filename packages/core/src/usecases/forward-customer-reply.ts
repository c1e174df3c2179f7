// A text from a customer who already answered reaches the team by email instead of being lost.
import { noticeEmail } from '../domain/templates/emails.ts';
import type { Database } from '../store/client.ts';
import { enqueueNotification, type NotificationToSend } from '../store/outbox.ts';
import type { contacts, workspaces } from '../store/schema.ts';

/**
 * A text from a customer who has already answered (a reply to "what would make it a 10?", a late
 * thought): it goes to the team's alert address rather than being lost. Null without one.
 */
export async function forwardCustomerReply(
  { db }: Database,
  reply: {
    workspace: typeof workspaces.$inferSelect;
    contact: typeof contacts.$inferSelect;
    /** Twilio's id of the text: a webhook Twilio retries forwards it once. */
    messageSid: string;
    text: string;
    receivedAt: Date;
  },
): Promise<NotificationToSend | null> {
  const to = reply.workspace.alertEmail;
  if (!to) return null;
  const who = reply.contact.name ?? reply.contact.phone ?? reply.contact.externalId;
  const mail = noticeEmail({
    title: `Reply by text from ${who}`,
    facts: [
      ['Message', reply.text],
      ['Customer', `${reply.contact.name ?? ''} (id ${reply.contact.externalId})`.trim()],
      ['Phone', reply.contact.phone],
      ['Received', reply.receivedAt.toISOString()],
    ],
    advice: 'The customer answered our message after their survey. Reply to them directly.',
    workspaceName: reply.workspace.name,
  });
  return enqueueNotification(db, {
    workspaceId: reply.workspace.id,
    kind: 'customer_reply',
    channel: 'email',
    recipient: to,
    ...mail,
    dedupeKey: `reply:${reply.messageSid}`,
  });
}
