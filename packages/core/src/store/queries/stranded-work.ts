// Work whose job was lost: rows the reconciler finds and enqueues again (events not planned, answers not followed up).
import { and, asc, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { events, responses } from '../schema.ts';

/**
 * Events accepted but never planned (their job may be lost: the reconciler asks Redis), each with the
 * `events.plan` job it was enqueued in (null: a job of its own).
 */
export async function unplannedEvents(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<{ id: string; planJob: string | null }[]> {
  return db
    .select({ id: events.id, planJob: events.planJob })
    .from(events)
    .where(and(isNull(events.plannedAt), lt(events.receivedAt, olderThan)))
    .orderBy(asc(events.receivedAt))
    .limit(limit);
}

/** Responses whose follow-up never ran (job lost, or still waiting for a comment past its time). */
export async function unfollowedResponseIds(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: responses.id })
    .from(responses)
    .where(and(isNull(responses.followedUpAt), lt(responses.createdAt, olderThan)))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Answers edited after their follow-up whose re-routing job was lost: each with the version to route. */
export async function unroutedEdits(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<{ responseId: string; version: number }[]> {
  const rows = await db
    .select({ id: responses.id, updatedAt: responses.updatedAt })
    .from(responses)
    .where(
      and(
        isNotNull(responses.followedUpAt),
        sql`${responses.routedAt} is distinct from ${responses.updatedAt}`,
        lt(responses.updatedAt, olderThan),
      ),
    )
    .limit(limit);
  return rows.map((r) => ({ responseId: r.id, version: r.updatedAt.getTime() }));
}
