// What the audit log shows: who did what to which thing, newest first, keyset-paged on (time, id) like the other lists.
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { keysetAt } from '../store/queries/lists.ts';
import { auditLog } from '../store/schema.ts';

export type AuditFilter = {
  /** An exact action (`api_key.create`) or a family with a trailing dot or star (`api_key.`, `case.*`). */
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  after?: { at: string; id: string } | undefined;
};

function actionIs(action: string): SQL {
  const family = action.match(/^(.*\.)\*?$/)?.[1];
  return family ? sql`starts_with(${auditLog.action}, ${family})` : sql`${auditLog.action} = ${action}`;
}

/** The workspace's entries matching the filter, newest first; limit + 1 rows (the extra says there is more). */
export async function listAudit({ db }: Database, workspaceId: string, f: AuditFilter) {
  return db
    .select({
      id: auditLog.id,
      cursorAt: keysetAt(auditLog.createdAt),
      at: auditLog.createdAt,
      actorKind: auditLog.actorKind,
      actorId: auditLog.actorId,
      actorLabel: auditLog.actorLabel,
      action: auditLog.action,
      targetKind: auditLog.targetKind,
      targetId: auditLog.targetId,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, workspaceId),
        f.action ? actionIs(f.action) : undefined,
        f.from ? gte(auditLog.createdAt, f.from) : undefined,
        f.to ? lt(auditLog.createdAt, f.to) : undefined,
        f.after
          ? sql`(${auditLog.createdAt}, ${auditLog.id}) < (${f.after.at}::timestamptz, ${f.after.id}::bigint)`
          : undefined,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(f.limit + 1);
}

export type AuditRow = Awaited<ReturnType<typeof listAudit>>[number];

export function auditView(r: AuditRow) {
  return {
    id: String(r.id),
    at: r.at,
    actor: { kind: r.actorKind, id: r.actorId, label: r.actorLabel },
    action: r.action,
    target: r.targetKind && r.targetId ? { kind: r.targetKind, id: r.targetId } : null,
    detail: r.detail,
  };
}

/** Deletes entries older than each workspace's audit_retention_days (the daily retention job); returns how many. */
export async function deleteExpiredAudit({ db }: Database, now: Date): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`
    with gone as (
      delete from ${auditLog} a using workspaces w
      where a.workspace_id = w.id
        and a.created_at < ${now.toISOString()}::timestamptz - make_interval(days => w.audit_retention_days)
      returning 1)
    select count(*)::int as n from gone`);
  return rows[0]?.n ?? 0;
}
