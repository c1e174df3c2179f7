// Test fixtures on real services: a fresh database per test file, a Redis key prefix per test, a real SMTP sink.
import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, loadConfig, type RunnableConfig } from '@surveyflow/core';
import postgres from 'postgres';
import { inject, test as vitestTest } from 'vitest';
import { withDatabase } from './global-setup.ts';
import { type SmtpSink, startSmtpSink } from './smtp.ts';

export * from './factories.ts';
export { TEST_SECRET } from './secret.ts';

import { TEST_SECRET } from './secret.ts';

export type { ReceivedMail, SmtpSink } from './smtp.ts';
export { startSmtpSink } from './smtp.ts';

export type TestDatabase = { url: string; database: Database; name: string };

export const uniquePrefix = (label = 't') => `${label}${randomBytes(5).toString('hex')}`;

/** A new database copied from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = uniquePrefix('sf_t_');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject('templateDb')}`);
  const url = withDatabase(adminUrl, name);
  const database = createDatabase(url, { max: 5 });
  return {
    url,
    name,
    database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Each test gets its own database (a template copy takes tens of milliseconds), so tests may assert on whole tables. */
export const test = vitestTest.extend<{
  db: TestDatabase;
  redisUrl: string;
  queuePrefix: string;
  smtp: SmtpSink;
}>({
  db: async ({}, use) => {
    const db = await createTestDatabase();
    await use(db);
    await db.drop();
  },
  redisUrl: async ({}, use) => use(inject('redisUrl')),
  queuePrefix: async ({}, use) => use(uniquePrefix('q')),
  smtp: async ({}, use) => {
    const sink = await startSmtpSink();
    await use(sink);
    await sink.close();
  },
});

/** A configuration as the services would parse it, pointing at the test's servers; quiet unless LOG_LEVEL says otherwise. */
export function testConfig(opts: {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  env?: Record<string, string>;
}): RunnableConfig {
  const config = loadConfig({
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DUE_SCAN_INTERVAL_MS: '100',
    NODE_ENV: 'test',
    ...opts.env,
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
  });
  return { ...config, DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, SECRET_KEY: TEST_SECRET };
}

/** Retries an assertion until it passes or the time is up (then throws its last error). */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
export { type ServiceProcess, startServiceProcess } from './processes.ts';
