// Test fixtures on real services: a fresh database per test, a Redis key prefix per test, a real SMTP sink.
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  type Database,
  loadConfig,
  type QueueName,
  type Queues,
  queueNames,
  type RunnableConfig,
} from '@surveyflow/core';
import postgres from 'postgres';
import { inject, test as vitestTest } from 'vitest';
import { withDatabase } from './global-setup.ts';
import { TEST_SECRET } from './secret.ts';
import { type SmtpSink, startSmtpSink } from './smtp.ts';
import { startTwilioFake, type TwilioFake } from './twilio-fake.ts';
import { startZendeskFake, type ZendeskFake } from './zendesk-fake.ts';

export * from './factories.ts';
export { type HttpReceiver, type ReceivedRequest, startHttpReceiver } from './http-receiver.ts';
export { type ServiceProcess, startServiceProcess } from './processes.ts';
export { TEST_SECRET } from './secret.ts';
export type { ReceivedMail, RecipientPolicy, SmtpSink } from './smtp.ts';
export { startSmtpSink } from './smtp.ts';
export { type FakeMessage, startTwilioFake, type TwilioFake } from './twilio-fake.ts';
export { type FakeTicket, startZendeskFake, type ZendeskFake, type ZendeskRequest } from './zendesk-fake.ts';

export type TestDatabase = {
  url: string;
  /** The database's name (sf_t_…), e.g. for a service started in a child process. */
  name: string;
  database: Database;
};

/** A random lower-case name part: Redis key and BullMQ queue prefixes, database names. */
export const uniquePrefix = (label = 't') => `${label}${randomBytes(5).toString('hex')}`;

/** A new database copied from the migrated template; drop() closes its pool and removes it. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = uniquePrefix('sf_t_');
  await adminConnection(adminUrl).unsafe(`create database ${name} template ${inject('templateDb')}`);
  const url = withDatabase(adminUrl, name);
  const database = createDatabase(url, { max: 5 });
  return {
    url,
    name,
    database,
    async drop() {
      await database.close();
      await adminConnection(adminUrl).unsafe(`drop database if exists ${name} with (force)`);
    },
  };
}

let admin: { url: string; sql: postgres.Sql } | undefined;

/** One maintenance connection per test process, shared by every create and drop; it closes itself when idle. */
function adminConnection(url: string): postgres.Sql {
  if (admin?.url !== url) {
    admin = { url, sql: postgres(url, { max: 1, idle_timeout: 2, onnotice: () => {} }) };
  }
  return admin.sql;
}

/**
 * Fixtures. `db` is a fresh database for every test, not per file: services under test scan whole
 * tables (due invitations, unplanned events), so work left by one test would leak into the next
 * test's outbox and counts; a template copy costs about 0.1 s.
 */
export const test = vitestTest
  .extend('redisUrl', { scope: 'worker' }, () => inject('redisUrl'))
  .extend('db', async ({}, { onCleanup }): Promise<TestDatabase> => {
    const db = await createTestDatabase();
    onCleanup(() => db.drop());
    return db;
  })
  .extend('queuePrefix', () => uniquePrefix('q'))
  .extend('smtp', async ({}, { onCleanup }): Promise<SmtpSink> => {
    const sink = await startSmtpSink();
    onCleanup(() => sink.close());
    return sink;
  })
  .extend('twilio', async ({}, { onCleanup }): Promise<TwilioFake> => {
    const fake = await startTwilioFake();
    onCleanup(() => fake.close());
    return fake;
  })
  .extend('zendesk', async ({}, { onCleanup }): Promise<ZendeskFake> => {
    const fake = await startZendeskFake();
    onCleanup(() => fake.close());
    return fake;
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
    // Slack fakes and webhook receivers listen on loopback over http.
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...opts.env,
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
  });
  return { ...config, DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, SECRET_KEY: TEST_SECRET };
}

/**
 * Retries until `fn` neither throws nor returns false or null, then returns its value; an expect()
 * inside works as the condition. When time is up, throws the last error.
 */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<Exclude<T, false | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = await fn();
      if (value !== false && value !== null) return value as Exclude<T, false | null>;
      failure = new Error(`waitFor: still ${value} after ${timeoutMs} ms`);
    } catch (err) {
      failure = err;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Resolves once no queue has a job waiting or running, in one pass over the queues in the order work
 * flows between them (a job adds its follow-on work before it completes). Whatever the last step set
 * off has then happened: what a test asserts did not happen, will not happen later. Delayed jobs
 * (backoff, a deliberate wait) are not waited for.
 */
export async function queuesIdle(queues: Queues, { timeoutMs = 15_000 } = {}): Promise<void> {
  const flow: QueueName[] = [
    queueNames.events,
    queueNames.followups,
    queueNames.webhooks,
    queueNames.reports,
    queueNames.sendEmail,
    queueNames.sendSms,
    queueNames.sendSlack,
  ];
  const order = [...flow, ...Object.values(queueNames).filter((q) => !flow.includes(q))];
  await waitFor(
    async () => {
      for (const name of order) {
        const busy = await queues.queue(name).getJobCountByTypes('waiting', 'active', 'prioritized');
        if (busy > 0) throw new Error(`queue ${name} still has ${busy} jobs waiting or running`);
      }
      return true;
    },
    { timeoutMs, intervalMs: 20 },
  );
}
export * from './browser.ts';
export { platformPayloads } from './connectors.ts';
