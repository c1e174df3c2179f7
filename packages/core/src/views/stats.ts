// Statistics over what the planner decided: skips by trigger and reason.
import { and, desc, eq, gte, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { eventDecisions, triggers } from '../store/schema.ts';

/** GET /v1/stats/skips — how many events each trigger skipped, by reason, in a period. */
export async function skipStats({ db }: Database, workspaceId: string, period: { from?: Date; to?: Date }) {
  return db
    .select({
      triggerId: eventDecisions.triggerId,
      triggerName: triggers.name,
      reason: eventDecisions.reason,
      count: sql<number>`count(*)::int`,
    })
    .from(eventDecisions)
    .leftJoin(triggers, eq(triggers.id, eventDecisions.triggerId))
    .where(
      and(
        eq(eventDecisions.workspaceId, workspaceId),
        ne(eventDecisions.outcome, 'invited'),
        period.from ? gte(eventDecisions.createdAt, period.from) : undefined,
        period.to ? lt(eventDecisions.createdAt, period.to) : undefined,
      ),
    )
    .groupBy(eventDecisions.triggerId, triggers.name, eventDecisions.reason)
    .orderBy(desc(sql`count(*)`));
}
