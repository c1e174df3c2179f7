// `npm run bench`: Redis memory with 1 M invitations scheduled. A scheduled invitation is a Postgres row with its
// send_at, never a delayed job, so Redis should hold nothing for it: used_memory before the rows exist and after
// they do, with a worker running its due scans and reconciler passes over them, should be the same.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeContext,
  createSurvey,
  createWorkspace,
  defaultFollowupQuestion,
  loadConfig,
  migrateDatabase,
  openContext,
  type RunnableConfig,
} from '@surveyflow/core';
import { startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';
import { reportRows } from '@surveyflow/testkit/bench';
import { reconcile, startWorker } from '@surveyflow/worker';
import { sleep } from '../chaos/servers.ts';

const SCHEDULED = Number(process.env.BENCH_SCHEDULED ?? 1_000_000);
/** Per invitation: anything above this is Redis keeping something for work that is not due. */
const TARGET_BYTES = 1;

const dir = await mkdtemp(join(tmpdir(), 'sf-bench-'));
await chmod(dir, 0o755); // Postgres runs as a `postgres` system user when we are root
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: true });
const redisServer = await startRedisServer({ dataDir: join(dir, 'redis') });
await migrateDatabase(pg.url);
const config = loadConfig({
  DATABASE_URL: pg.url,
  REDIS_URL: redisServer.url,
  SECRET_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
  DUE_SCAN_INTERVAL_MS: '200',
}) as RunnableConfig;
const ctx = openContext(config);
const worker = startWorker(ctx);

async function usedMemory(): Promise<number> {
  // Let the worker's scans come round a few times, then read what Redis holds.
  await sleep(3000);
  const info = await ctx.redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

const { workspaceId } = await createWorkspace(ctx.database, { name: 'Bench shop' });
const survey = await createSurvey(ctx.database, workspaceId, {
  kind: 'nps',
  name: 'Delivery survey',
  question: { en: 'How likely are you to recommend {company}?' },
  followupQuestion: defaultFollowupQuestion,
  actions: [],
});
const before = await usedMemory();

// 1 M contacts and their invitations, due in 30 days, written by SQL in chunks (the planner's rows, without it).
const started = performance.now();
const CHUNK = 100_000;
for (let from = 0; from < SCHEDULED; from += CHUNK) {
  const to = Math.min(from + CHUNK, SCHEDULED) - 1;
  await ctx.database.sql`
    with c as (
      insert into contacts (workspace_id, external_id, email)
      select ${workspaceId}, 'c' || g, 'c' || g || '@example.com' from generate_series(${from}::int, ${to}::int) g
      returning id
    )
    insert into invitations (workspace_id, survey_id, contact_id, channel, status, send_at)
    select ${workspaceId}, ${survey.id}, c.id, 'email', 'scheduled', now() + interval '30 days' from c`;
}
const seedSeconds = (performance.now() - started) / 1000;
await reconcile(ctx);
const after = await usedMemory();
const perInvitation = Math.max(0, after - before) / SCHEDULED;

console.log(
  `\nRedis memory with ${SCHEDULED.toLocaleString('en')} invitations scheduled (seeded in ${seedSeconds.toFixed(0)} s)\n`,
);
console.table([
  { measure: 'used_memory before', bytes: before },
  { measure: 'used_memory after', bytes: after },
  { measure: 'bytes per scheduled invitation', bytes: Number(perInvitation.toFixed(3)) },
]);
reportRows([
  {
    stage: `Redis memory, ${SCHEDULED.toLocaleString('en')} invitations scheduled`,
    value: `${(after / 1_048_576).toFixed(2)} MiB after (${perInvitation.toFixed(3)} bytes per invitation)`,
    baseline: `before: ${(before / 1_048_576).toFixed(2)} MiB`,
    target: `< ${TARGET_BYTES} byte per invitation`,
    met: perInvitation < TARGET_BYTES,
  },
]);

await worker.close();
await closeContext(ctx);
await redisServer.stop();
await pg.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
