// Outbound webhooks: which endpoints hear which events, and the delivery rows an event becomes (sent by the worker).
import { randomBytes } from 'node:crypto';
import { and, arrayContains, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { type WebhookEventType, webhookDeliveries, webhooks } from '../db/schema.ts';

/** A message id as Standard Webhooks likes them: unique, stable across retries. */
const messageId = () => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * Records that `type` happened, as one pending delivery per enabled endpoint subscribed to it, in the
 * caller's transaction: if the change rolls back, no one hears about it. Returns how many.
 */
export async function emitWebhookEvent(
  tx: Tx,
  workspaceId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
  now: Date,
): Promise<number> {
  const endpoints = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(
      and(eq(webhooks.workspaceId, workspaceId), isNull(webhooks.disabledAt), arrayContains(webhooks.eventTypes, [type])),
    );
  if (endpoints.length === 0) return 0;
  await tx.insert(webhookDeliveries).values(
    endpoints.map((e) => {
      const id = messageId();
      return {
        id,
        webhookId: e.id,
        eventType: type,
        body: JSON.stringify({ type, timestamp: now.toISOString(), data }),
        nextAttemptAt: now,
        createdAt: now,
      };
    }),
  );
  return endpoints.length;
}
