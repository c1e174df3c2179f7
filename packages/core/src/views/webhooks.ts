// An endpoint's delivery log as operators see it.
import { asc, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { webhookAttempts, webhookDeliveries } from '../store/schema.ts';
import { getWebhook } from '../usecases/webhooks.ts';

export type WebhookDeliveryLog = Omit<typeof webhookDeliveries.$inferSelect, 'body' | 'webhookId'> & {
  log: (typeof webhookAttempts.$inferSelect)[];
};

/** An endpoint's latest deliveries, newest first, each with its attempts in order; null when the endpoint is not the workspace's. */
export async function listWebhookDeliveries(
  database: Database,
  workspaceId: string,
  webhookId: string,
  { limit }: { limit: number },
): Promise<WebhookDeliveryLog[] | null> {
  if (!(await getWebhook(database, workspaceId, webhookId))) return null;
  const { db } = database;
  const deliveries = await db
    .select({
      id: webhookDeliveries.id,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      createdAt: webhookDeliveries.createdAt,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
  const attempts =
    deliveries.length === 0
      ? []
      : await db
          .select()
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.deliveryId,
              deliveries.map((d) => d.id),
            ),
          )
          .orderBy(asc(webhookAttempts.attempt));
  return deliveries.map((d) => ({ ...d, log: attempts.filter((a) => a.deliveryId === d.id) }));
}
