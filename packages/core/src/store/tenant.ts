// Row-level security, the second wall: work scoped to one workspace runs as the services' role (surveyflow_app,
// migration 0012) with app.workspace_id set for its transaction, so a query that forgets its workspace filter
// still sees and writes nothing of another workspace. System work across workspaces does not use this.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import type { Database, Db, Tx } from './client.ts';

/** The database role the policies apply to; the migrating (owning) role bypasses them. */
export const SERVICES_ROLE = 'surveyflow_app';

/**
 * Runs `work` in one transaction as the services' role, inside `workspaceId`: every table with a policy shows
 * only that workspace's rows, and a write of another workspace's row is refused. One extra statement.
 */
export async function inWorkspace<T>(
  { db }: Database,
  workspaceId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', ${SERVICES_ROLE}, true), set_config('app.workspace_id', ${workspaceId}, true)`,
    );
    return work(tx);
  });
}

/**
 * A Database whose `db` is the current workspace transaction while `tenants.run` is running, and the plain
 * pool otherwise: code written against `database.db` (use cases, views) runs under the policies unchanged.
 */
export function tenantDatabase(database: Database) {
  const current = new AsyncLocalStorage<Tx>();
  const scoped: Database = {
    ...database,
    get db(): Db {
      // A transaction has the query API our code uses (select, insert, update, delete, execute, transaction).
      return (current.getStore() ?? database.db) as Db;
    },
  };
  return {
    database: scoped,
    /** Runs `work` with `database.db` bound to a transaction inside `workspaceId` (see inWorkspace). */
    run<T>(workspaceId: string, work: () => Promise<T>): Promise<T> {
      return inWorkspace(database, workspaceId, (tx) => current.run(tx, work));
    },
  };
}
