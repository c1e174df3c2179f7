// `npm run bench`: accepted events/s on POST /v1/events against a bare Fastify route doing the same single
// INSERT … ON CONFLICT DO NOTHING, measured in the same run on the same Postgres, printed with their ratio.
// First, before any statistics exist (autovacuum held off), the table is grown by 200,000 events in batches and
// single events are measured at once: plans must not depend on statistics. Last, batches of 100 and of 1,000.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeContext, createDatabase, createWorkspace } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { reportRows } from '@surveyflow/testkit/bench';
import { benchServers } from '@surveyflow/testkit/bench-servers';
import Fastify from 'fastify';
import { dispatcher } from '../src/app.ts';
import type { LoadResult } from './load.ts';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = 1.0;
const GROW_BY = Number(process.env.BENCH_GROW_BY ?? 200_000);

const eventTemplate = JSON.stringify({
  id: '__ID__',
  type: 'order.delivered',
  occurredAt: '2026-11-20T10:00:00Z',
  contact: { id: 'cust-__ID__', email: 'jane@example.com', name: 'Jane', locale: 'pl-PL' },
  properties: { orderId: '__ID__', total: 129.9, currency: 'PLN' },
});

async function load(
  url: string,
  headers: Record<string, string>,
  label: string,
  opts: { batch?: number; concurrency?: number } = {},
): Promise<LoadResult> {
  const args = JSON.stringify({
    url,
    headers,
    template: eventTemplate,
    concurrency: opts.concurrency ?? CONCURRENCY,
    seconds: SECONDS,
    label,
    batch: opts.batch ?? 0,
  });
  const tsx = join(import.meta.dirname, '../../../node_modules/.bin/tsx');
  const { stdout } = await run(tsx, [join(import.meta.dirname, 'load.ts'), '--child', args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult;
}

// A durable cluster (fsync on, as any production Postgres): commit cost is part of what we measure.
// Surveyflow: the real dispatcher (auth, validation, contact upsert, event insert, enqueue to Redis).
const servers = await benchServers();
const { ctx } = servers;
const { DATABASE_URL } = ctx.config;
const { apiKey, workspaceId } = await createWorkspace(ctx.database, { name: 'bench' });
const app = await createServiceApp(ctx);
await app.register(dispatcher(ctx));
const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });

// Baseline: a bare route, same pool size, the same single insert into the same table, nothing else.
const bare = createDatabase(DATABASE_URL, { max: ctx.config.DATABASE_POOL_SIZE });
const [contact] = await bare.sql<{ id: string }[]>`
  insert into contacts (workspace_id, external_id) values (${workspaceId}, 'bench-baseline') returning id`;
const baseline = Fastify({ logger: false });
baseline.post('/events', async (request, reply) => {
  const e = request.body as { id: string; type: string; occurredAt: string; properties: unknown };
  await bare.sql`insert into events (workspace_id, external_id, type, occurred_at, contact_id, properties)
    values (${workspaceId}, ${e.id}, ${e.type}, ${e.occurredAt}, ${contact?.id ?? null}, ${JSON.stringify(e.properties)}::jsonb)
    on conflict (workspace_id, external_id) do nothing`;
  return reply.status(202).send({ id: e.id });
});
const baselineUrl = await baseline.listen({ port: 0, host: '127.0.0.1' });

// Before the first autoanalyze: autovacuum held off the tables, grown by batches, then single events at once.
const auth = { authorization: `Bearer ${apiKey}` };
await bare.sql`alter table events set (autovacuum_enabled = off)`;
await bare.sql`alter table contacts set (autovacuum_enabled = off)`;
const grown = { events: 0 };
for (let i = 0; grown.events < GROW_BY; i++) {
  const events = Array.from({ length: 1000 }, (_, k) =>
    JSON.parse(eventTemplate.replaceAll('__ID__', `grow-${i}-${k}`)),
  );
  const res = await fetch(`${appUrl}/v1/events/batch`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 202) throw new Error(`growing the table: ${res.status} ${await res.text()}`);
  grown.events += events.length;
}
const [stats] = await bare.sql<{ analyzed: Date | null }[]>`
  select coalesce(last_analyze, last_autoanalyze) as analyzed from pg_stat_user_tables where relname = 'events'`;
const cold = await load(`${appUrl}/v1/events`, auth, 'cold');
await bare.sql`alter table events reset (autovacuum_enabled)`;
await bare.sql`alter table contacts reset (autovacuum_enabled)`;
await bare.sql`analyze events, contacts`;

// Warm both (JIT, pools), then alternate rounds so drift on a shared machine hits both alike.
await load(`${baselineUrl}/events`, {}, 'warm-b');
await load(`${appUrl}/v1/events`, { authorization: `Bearer ${apiKey}` }, 'warm-s');
const results: { name: string; r: LoadResult }[] = [];
// BullMQ's share: Redis commands per accepted single event (the bare route touches no Redis).
const redisCalls = async () => {
  const stats = await ctx.redis.info('commandstats');
  return [...stats.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
};
const callsBefore = await redisCalls();
for (let round = 1; round <= ROUNDS; round++) {
  results.push({
    name: `baseline (bare route) #${round}`,
    r: await load(`${baselineUrl}/events`, {}, `b${round}`),
  });
  results.push({
    name: `POST /v1/events #${round}`,
    r: await load(`${appUrl}/v1/events`, { authorization: `Bearer ${apiKey}` }, `s${round}`),
  });
}

const singleEvents = results
  .filter((x) => !x.name.startsWith('baseline'))
  .reduce((n, x) => n + x.r.requests, 0);
const redisPerEvent = ((await redisCalls()) - callsBefore) / singleEvents;

// Batches, a few clients each posting one batch after another.
const batchResults: { size: number; eventsPerSecond: number; r: LoadResult }[] = [];
for (const size of [100, 1000]) {
  const r = await load(`${appUrl}/v1/events/batch`, auth, `batch${size}`, { batch: size, concurrency: 4 });
  batchResults.push({ size, eventsPerSecond: r.rps * size, r });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
const baseRps = median(results.filter((x) => x.name.startsWith('baseline')).map((x) => x.r.rps));
const oursRps = median(results.filter((x) => !x.name.startsWith('baseline')).map((x) => x.r.rps));
const ratio = oursRps / baseRps;

console.log(`\nIngest benchmark: ${CONCURRENCY} concurrent clients, ${SECONDS}s per run, ${ROUNDS} rounds\n`);
console.table(
  results.map(({ name, r }) => ({
    run: name,
    'events/s': Math.round(r.rps),
    'p50 ms': r.p50.toFixed(1),
    'p99 ms': r.p99.toFixed(1),
    errors: r.errors,
    'vs baseline': (r.rps / baseRps).toFixed(2),
  })),
);
console.table([
  { measure: 'baseline median events/s', value: Math.round(baseRps) },
  { measure: 'Surveyflow median events/s', value: Math.round(oursRps) },
  { measure: `ratio (target ≥ ${TARGET})`, value: Number(ratio.toFixed(2)) },
]);

console.table([
  {
    run: `single events right after ${GROW_BY.toLocaleString('en')} in batches, no statistics yet`,
    'events/s': Math.round(cold.rps),
    'p99 ms': cold.p99.toFixed(1),
    errors: cold.errors,
    'analyzed before': stats?.analyzed ? 'yes (autovacuum ran anyway)' : 'never',
  },
  ...batchResults.map((b) => ({
    run: `batches of ${b.size}, 4 clients`,
    'events/s': Math.round(b.eventsPerSecond),
    'p99 ms': b.r.p99.toFixed(1),
    errors: b.r.errors,
    'analyzed before': 'yes',
  })),
]);

const coldRatio = cold.rps / baseRps;
reportRows([
  {
    stage: `POST /v1/events before autoanalyze (after ${GROW_BY.toLocaleString('en')} in batches)`,
    value: `${Math.round(cold.rps)} events/s`,
    baseline: `bare Fastify + one INSERT: ${Math.round(baseRps)} events/s`,
    ratio: coldRatio,
    target: `≥ ${TARGET}`,
    met: coldRatio >= TARGET,
  },
  ...batchResults.map((b) => ({
    stage: `/v1/events/batch of ${b.size.toLocaleString('en')}`,
    value: `${Math.round(b.eventsPerSecond)} events/s`,
    baseline: `single POST /v1/events: ${Math.round(oursRps)} events/s`,
    ratio: b.eventsPerSecond / oursRps,
    target: '≥ 10',
    met: b.eventsPerSecond / oursRps >= 10,
  })),
  {
    stage: 'POST /v1/events, Redis commands per accepted event',
    value: redisPerEvent.toFixed(2),
  },
  {
    stage: `POST /v1/events, ${CONCURRENCY} clients`,
    value: `${Math.round(oursRps)} events/s`,
    baseline: `bare Fastify + one INSERT: ${Math.round(baseRps)} events/s`,
    ratio,
    target: `≥ ${TARGET}`,
    met: ratio >= TARGET,
  },
]);

await app.close();
await baseline.close();
await bare.close();
await closeContext(ctx);
await servers.stop();
const failed = [...results.map((x) => x.r), cold, ...batchResults.map((b) => b.r)].some((r) => r.errors > 0);
if (failed) console.error('some requests failed: the figures above are not trustworthy');
process.exit(failed ? 1 : 0);
