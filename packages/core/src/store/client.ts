// The one db factory: a postgres.js pool with drizzle on top, and migrations applied under an advisory lock.
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Database = ReturnType<typeof createDatabase>;
export type Db = Database['db'];
export type Sql = Database['sql'];
/** A transaction, or the database itself: repo functions that take one run inside the caller's transaction when given it. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export function createDatabase(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    transform: { undefined: null },
    // postgres.js prepares every statement; after five runs Postgres may switch it to a generic plan made
    // without the parameters' values, which, while a growing table's statistics are stale, reads a whole
    // workspace's events for one batch. A plan for the actual values each time costs a fraction of a ms.
    connection: { plan_cache_mode: 'force_custom_plan' },
  });
  const db = drizzle(sql, { schema });
  return {
    sql,
    db,
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant shared by every process; it serialises services that start at the same moment.
const MIGRATION_LOCK = 727_310_001;

/** Brings the schema up to date; safe when several processes start at once. */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
