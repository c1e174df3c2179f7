// What every bench stage shares (the launcher's and the dispatcher's ingest bench): an embedded Postgres (durable, fsync on) and a redis-server of their own,
// or DATABASE_URL / REDIS_URL when set, and the context the system would run with.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, migrateDatabase, openContext } from '@surveyflow/core';
import { startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';

export async function benchServers(env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sf-bench-'));
  await chmod(dir, 0o755); // Postgres runs as a `postgres` system user when we are root
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent', PORT: '0', ...env });
  const pg = base.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: true });
  const redis = base.REDIS_URL ? null : await startRedisServer({ dataDir: join(dir, 'redis') });
  const DATABASE_URL = base.DATABASE_URL ?? pg?.url ?? '';
  const REDIS_URL = base.REDIS_URL ?? redis?.url ?? '';
  await migrateDatabase(DATABASE_URL);
  const ctx = openContext({
    ...base,
    DATABASE_URL,
    REDIS_URL,
    SECRET_KEY: base.SECRET_KEY ?? randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `bench${Date.now()}`,
  });
  return {
    ctx,
    dir,
    async stop() {
      await redis?.stop();
      await pg?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const rss = () => process.memoryUsage().rss;

/** The highest resident set size while `work` runs, sampled every 25 ms. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 25);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rss()) };
  } finally {
    clearInterval(timer);
  }
}
