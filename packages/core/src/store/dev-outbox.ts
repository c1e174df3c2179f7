// The dev outbox: where mail and texts go when no provider is configured, shown at /dev/outbox.
import type { Database } from './client.ts';
import { devOutbox } from './schema.ts';

export type DevOutboxMessage = {
  channel: 'email' | 'sms';
  /** The id the sender reports (a real Message-ID, or an SID shaped like Twilio's). */
  messageId: string;
  sender: string;
  recipient: string;
  subject: string | null;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
};

/** Keeps one message in the dev outbox. */
export async function storeDevOutboxMessage({ db }: Database, message: DevOutboxMessage): Promise<void> {
  await db.insert(devOutbox).values(message);
}
