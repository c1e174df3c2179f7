// An endpoint's delivery log as operators see it.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../errors.ts';
import type { Database } from '../store/client.ts';
import { keysetAt } from '../store/queries/lists.ts';
import { webhookAttempts, webhookDeliveries } from '../store/schema.ts';
import { getWebhook } from '../usecases/webhooks.ts';

export type WebhookDeliveryLog = Omit<typeof webhookDeliveries.$inferSelect, 'body' | 'webhookId'> & {
  log: (typeof webhookAttempts.$inferSelect)[];
};

/** Where a page of deliveries ended: the last one's time (to the microsecond) and id, as an opaque base64url cursor. */
export const deliveryCursor = {
  encode: (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url'),
  /** A cursor we did not hand out is a 400 naming `cursor`. */
  decode(cursor: string): { at: string; id: string } {
    try {
      const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
      if (
        typeof at === 'string' &&
        typeof id === 'string' &&
        !Number.isNaN(Date.parse(at)) &&
        /^msg_[\w-]{1,64}$/.test(id)
      )
        return { at, id };
    } catch {}
    throw AppError.validation([{ field: 'cursor', message: 'not a cursor this API returned' }]);
  },
};

/**
 * An endpoint's deliveries, newest first, each with its attempts in order, a page at a time (keyset on
 * created_at, id: a delivery made meanwhile never makes a page skip or repeat one); `next` is the
 * following page's cursor, null on the last. Null when the endpoint is not the workspace's.
 */
export async function listWebhookDeliveries(
  database: Database,
  workspaceId: string,
  webhookId: string,
  { limit, cursor }: { limit: number; cursor?: string | undefined },
): Promise<{ data: WebhookDeliveryLog[]; next: string | null } | null> {
  const after = cursor ? deliveryCursor.decode(cursor) : undefined;
  if (!(await getWebhook(database, workspaceId, webhookId))) return null;
  const { db } = database;
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      createdAt: webhookDeliveries.createdAt,
      cursorAt: keysetAt(webhookDeliveries.createdAt),
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, webhookId),
        after
          ? sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${after.at}::timestamptz, ${after.id})`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last ? deliveryCursor.encode(last.cursorAt, last.id) : null;
  const attempts =
    page.length === 0
      ? []
      : await db
          .select()
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.deliveryId,
              page.map((d) => d.id),
            ),
          )
          .orderBy(asc(webhookAttempts.attempt));
  return {
    data: page.map(({ cursorAt: _, ...d }) => ({ ...d, log: attempts.filter((a) => a.deliveryId === d.id) })),
    next,
  };
}
