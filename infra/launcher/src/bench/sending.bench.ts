// `npm run bench`: events → mails delivered to a real SMTP server, against raw nodemailer with a pool of 5 to the same
// server in the same run: with the same sockets as Surveyflow's pool (TCP_NODELAY), the fair measure of our overhead,
// and with nodemailer's defaults (Nagle on), which is what a plain `createTransport({ pool: true })` sends.
// All-in-one (one process), then split (this process is the dispatcher, the workers are separate processes: 1, then
// 2, which is also the scaling point), then the sending work per mail: Postgres commits (pg_stat_database), Redis
// commands (INFO commandstats) and CPU of the worker process, from due invitations to mails.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppContext,
  closeContext,
  createSurvey,
  createTrigger,
  createWorkspace,
  type Database,
  defaultFollowupQuestion,
  type IncomingEvent,
  ingestEvents,
  invitationEmail,
  loadConfig,
  migrateDatabase,
  openContext,
  planStoredEvent,
  type RunnableConfig,
} from '@surveyflow/core';
import { dispatcher } from '@surveyflow/dispatcher';
import { createServiceApp } from '@surveyflow/http';
import { freePort, startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';
import { reportRows } from '@surveyflow/testkit/bench';
import { startSmtpSink } from '@surveyflow/testkit/smtp';
import { noDelaySocket } from '@surveyflow/worker';
import nodemailer from 'nodemailer';
import { ServiceProcess, sleep } from '../chaos/servers.ts';
import { startSystem } from '../system.ts';

const MAILS = Number(process.env.BENCH_MAILS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = 0.9;
const TIMEOUT_MS = 600_000;
/** BENCH_SETUPS=aio,split1,split2,sending runs only those (the baseline always runs); BENCH_CPU_PROF, below. */
const setups = process.env.BENCH_SETUPS?.split(',');
const wanted = (setup: string) => !setups || setups.includes(setup);

const dir = await mkdtemp(join(tmpdir(), 'sf-bench-'));
await chmod(dir, 0o755); // Postgres runs as a `postgres` system user when we are root
// A durable cluster (fsync on, as any production Postgres): commit cost is part of what we measure.
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: true });
const redisServer = await startRedisServer({ dataDir: join(dir, 'redis') });
await migrateDatabase(pg.url);
const sink = await startSmtpSink();

const env = {
  DATABASE_URL: pg.url,
  REDIS_URL: redisServer.url,
  SMTP_URL: sink.url,
  SECRET_KEY: randomBytes(32).toString('hex'),
  // The per-queue limiter stays on, set above what one machine can send, so the pool and not the pace is measured.
  EMAIL_RATE_PER_SECOND: '100000',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  // Passed on when set, to try other settings against the same baseline.
  ...Object.fromEntries(
    (['EMAIL_CONCURRENCY', 'EMAIL_BATCH_SIZE', 'DATABASE_POOL_SIZE'] as const).flatMap((k) =>
      process.env[k] ? [[k, process.env[k]]] : [],
    ),
  ),
};
const config = (extra: Record<string, string> = {}) =>
  loadConfig({ ...env, PORT: '0', ...extra }) as RunnableConfig;

/**
 * The message the baseline sends: the survey email itself, rendered by the worker's template for a contact of the
 * bench's workspace (own links per mail, as each invitation has its own token), with its List-Unsubscribe headers. The
 * SMTP server parses every message it takes, so a smaller stand-in would make the baseline faster for its size alone.
 */
const surveyMail = (i: number) => {
  const token = `bench-token-${i}`;
  const unsubscribeUrl = `http://127.0.0.1/u/${token}`;
  return {
    ...invitationEmail({
      locale: 'en',
      kind: 'nps',
      question: 'How likely are you to recommend Bench shop?',
      contactName: 'Jane',
      workspaceName: 'Bench shop',
      surveyUrl: `http://127.0.0.1/s/${token}`,
      unsubscribeUrl,
    }),
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
};

/** A workspace whose trigger invites by email on every delivered order (after `delay`); no follow-up actions. */
async function seedWorkspace(database: Database, opts: { delay?: string } = {}) {
  const { workspaceId, apiKey } = await createWorkspace(database, { name: 'Bench shop' });
  const survey = await createSurvey(database, workspaceId, {
    kind: 'nps',
    name: 'Delivery survey',
    question: { en: 'How likely are you to recommend {company}?' },
    followupQuestion: defaultFollowupQuestion,
    actions: [],
  });
  await createTrigger(database, workspaceId, {
    surveyId: survey.id,
    name: 'after delivery',
    eventTypes: ['order.delivered'],
    channels: ['email'],
    delay: opts.delay ?? 'PT0S',
    throttleDays: 30,
    enabled: true,
  });
  return { workspaceId, apiKey };
}

const anEvent = (run: string, i: number): IncomingEvent => ({
  id: `${run}-${i}`,
  type: 'order.delivered',
  occurredAt: new Date(),
  contact: { id: `${run}-c${i}`, email: `c${i}@example.com`, name: 'Jane', locale: 'en' },
  properties: { orderId: `${run}-${i}` },
});

async function baseline(sockets: 'no delay' | 'defaults'): Promise<number> {
  sink.clear();
  connectionsBefore = sink.connections;
  // (nodemailer takes a `url` key as the whole configuration: host and port, so the pool options hold.)
  const { hostname, port } = new URL(sink.url);
  const transport = nodemailer.createTransport({
    host: hostname,
    port: Number(port),
    pool: true,
    maxConnections: 5,
    ...(sockets === 'no delay' ? { getSocket: noDelaySocket } : {}),
  });
  const mails = Array.from({ length: MAILS }, (_, i) => surveyMail(i)); // rendered before the clock starts
  const started = performance.now();
  await Promise.all(
    mails.map((mail, i) =>
      transport.sendMail({ from: 'shop@example.com', to: `c${i}@example.com`, ...mail }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  baselineConnections = sink.connections - connectionsBefore;
  return MAILS / seconds;
}

/** Waits for n mails; returns how many SMTP connections they took. */
async function mailsArrived(n: number): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (sink.messages.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${sink.messages.length} of ${n} mails arrived`);
    await sleep(20);
  }
  return sink.connections - connectionsBefore;
}
let connectionsBefore = 0;
let baselineConnections = 0;

async function postEvents(url: string, apiKey: string, run: string) {
  for (let start = 0; start < MAILS; start += 500) {
    const events = Array.from({ length: Math.min(500, MAILS - start) }, (_, k) => {
      return anEvent(run, start + k);
    });
    const res = await fetch(`${url}/v1/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    if (res.status !== 200 && res.status !== 202) throw new Error(`batch: ${res.status} ${await res.text()}`);
  }
}

type Work = { commits: number; commands: number };

async function work(ctx: AppContext): Promise<Work> {
  // Backends report their counters when idle, at most once a second.
  await sleep(1500);
  const [row] = await ctx.database.sql<{ n: string }[]>`
    select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  const info = await ctx.redis.info('commandstats');
  const commands = [...info.matchAll(/calls=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  return { commits: Number(row?.n ?? 0), commands };
}
const perMail = (before: Work, after: Work) => ({
  commits: (after.commits - before.commits) / MAILS,
  commands: (after.commands - before.commands) / MAILS,
});

const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** user + system CPU of a process so far, in ms (Linux /proc). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

type Run = {
  mailsPerSecond: number;
  commits: number;
  commands: number;
  cpuMsPerMail: number;
  connections: number;
};

async function allInOne(round: number): Promise<Run> {
  sink.clear();
  connectionsBefore = sink.connections;
  const system = await startSystem(config({ QUEUE_PREFIX: `aio${round}` }));
  try {
    const { apiKey } = await seedWorkspace(system.ctx.database);
    const address = system.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const before = await work(system.ctx);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await postEvents(url, apiKey, `aio${round}`);
    const connections = await mailsArrived(MAILS);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      mailsPerSecond: MAILS / seconds,
      connections,
      ...perMail(before, await work(system.ctx)),
      // This process also runs the dispatcher and the SMTP sink.
      cpuMsPerMail: (used.user + used.system) / 1000 / MAILS,
    };
  } finally {
    await system.stop();
  }
}

async function startWorkers(n: number, prefix: string): Promise<ServiceProcess[]> {
  const workers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const port = await freePort();
      const w = new ServiceProcess('worker', `worker-${i}`, () => ({
        ...env,
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        // BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there when it stops (open in Chrome DevTools).
        ...(process.env.BENCH_CPU_PROF
          ? {
              BENCH_CPU_PROF: process.env.BENCH_CPU_PROF,
              NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).href}`,
            }
          : {}),
      }));
      w.start();
      const deadline = Date.now() + 120_000;
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (!w.running || Date.now() > deadline) throw new Error(`worker did not start:\n${w.output()}`);
        await sleep(200);
      }
      return w;
    }),
  );
  return workers;
}

async function split(workerCount: number, round: number): Promise<Run> {
  sink.clear();
  connectionsBefore = sink.connections;
  const prefix = `split${workerCount}r${round}`;
  const ctx = openContext(config({ QUEUE_PREFIX: prefix }));
  const app = await createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const workers = await startWorkers(workerCount, prefix);
  try {
    const { apiKey } = await seedWorkspace(ctx.database);
    const before = await work(ctx);
    const cpuBefore = await Promise.all(workers.map((w) => cpuMs(w.pid)));
    const started = performance.now();
    await postEvents(url, apiKey, prefix);
    const connections = await mailsArrived(MAILS);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await Promise.all(workers.map((w) => cpuMs(w.pid)));
    const cpu = cpuAfter.reduce((a, b, i) => a + b - (cpuBefore[i] ?? 0), 0);
    return {
      mailsPerSecond: MAILS / seconds,
      connections,
      ...perMail(before, await work(ctx)),
      cpuMsPerMail: cpu / MAILS,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await app.close();
    await closeContext(ctx);
  }
}

/** Sending alone: invitations planned beforehand, then made due at once; one worker process sends them. */
async function sendingOnly(round: number): Promise<Run> {
  sink.clear();
  connectionsBefore = sink.connections;
  const prefix = `send${round}`;
  const ctx = openContext(config({ QUEUE_PREFIX: prefix }));
  const workers = await startWorkers(1, prefix);
  try {
    const { workspaceId } = await seedWorkspace(ctx.database, { delay: 'P1D' });
    const events = Array.from({ length: MAILS }, (_, i) => anEvent(prefix, i));
    const stored = await ingestEvents(ctx.database, workspaceId, events);
    const now = new Date();
    for (const r of stored) if (r.eventId) await planStoredEvent(ctx.database, r.eventId, now);
    const before = await work(ctx);
    const cpuBefore = await cpuMs(workers[0]?.pid);
    const started = performance.now();
    await ctx.database.sql`update invitations set send_at = now() where workspace_id = ${workspaceId}`;
    const connections = await mailsArrived(MAILS);
    const seconds = (performance.now() - started) / 1000;
    const cpu = (await cpuMs(workers[0]?.pid)) - cpuBefore;
    return {
      mailsPerSecond: MAILS / seconds,
      connections,
      ...perMail(before, await work(ctx)),
      cpuMsPerMail: cpu / MAILS,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await closeContext(ctx);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

// Warm the sink and nodemailer, then alternate so drift on a shared machine hits every setup alike.
await baseline('no delay');
const results: Record<string, Run[]> = {
  baseline: [],
  defaults: [],
  aio: [],
  split1: [],
  split2: [],
  sending: [],
};
const baselineRun = (mailsPerSecond: number): Run => ({
  mailsPerSecond,
  commits: 0,
  commands: 0,
  cpuMsPerMail: 0,
  connections: baselineConnections,
});
for (let round = 1; round <= ROUNDS; round++) {
  results.baseline?.push(baselineRun(await baseline('no delay')));
  results.defaults?.push(baselineRun(await baseline('defaults')));
  if (wanted('aio')) results.aio?.push(await allInOne(round));
  if (wanted('split1')) results.split1?.push(await split(1, round));
  if (wanted('split2')) results.split2?.push(await split(2, round));
  if (wanted('sending')) results.sending?.push(await sendingOnly(round));
}
const m = (key: string, f: (r: Run) => number) => median((results[key] ?? []).map(f));
const rate = (key: string) => m(key, (r) => r.mailsPerSecond);
const base = rate('baseline');

console.log(`\nSending benchmark: ${MAILS} mails per run, ${ROUNDS} rounds (medians)\n`);
console.table(
  Object.entries({
    'raw nodemailer, pool of 5, TCP_NODELAY': 'baseline',
    "raw nodemailer, pool of 5, nodemailer's defaults": 'defaults',
    'events → mails, all-in-one': 'aio',
    'events → mails, dispatcher + 1 worker': 'split1',
    'events → mails, dispatcher + 2 workers': 'split2',
    'due invitations → mails, 1 worker': 'sending',
  }).map(([setup, key]) => ({
    setup,
    'mails/s': Math.round(rate(key)),
    'vs baseline': Number((rate(key) / base).toFixed(2)),
    'commits/mail': Number(m(key, (r) => r.commits).toFixed(2)),
    'Redis commands/mail': Number(m(key, (r) => r.commands).toFixed(1)),
    'CPU ms/mail': Number(m(key, (r) => r.cpuMsPerMail).toFixed(2)),
    'SMTP connections': m(key, (r) => r.connections),
  })),
);

const baselineText = `raw nodemailer, pool of 5, TCP_NODELAY: ${Math.round(base)} mails/s`;
const throughput = (stage: string, key: string) => ({
  stage,
  value: `${Math.round(rate(key))} mails/s`,
  baseline: baselineText,
  ratio: rate(key) / base,
  target: `≥ ${TARGET}`,
  met: rate(key) / base >= TARGET,
});
const defaults = rate('defaults');
const commits = m('sending', (r) => r.commits);
const commands = m('sending', (r) => r.commands);
const cpu = m('sending', (r) => r.cpuMsPerMail);
const scaling = rate('split2') / rate('split1');
reportRows([
  throughput('due invitations → mails delivered, 1 worker', 'sending'),
  throughput('events → mails delivered, all-in-one', 'aio'),
  throughput('events → mails delivered, dispatcher + 1 worker', 'split1'),
  throughput('events → mails delivered, dispatcher + 2 workers', 'split2'),
  {
    // What the pool's own sockets are worth: the same raw nodemailer, Nagle left on.
    stage: "due invitations → mails, 1 worker, vs nodemailer's defaults",
    value: `${Math.round(rate('sending'))} mails/s`,
    baseline: `raw nodemailer, pool of 5, defaults: ${Math.round(defaults)} mails/s`,
    ratio: rate('sending') / defaults,
  },
  {
    stage: 'scaling: 2 worker processes vs 1',
    value: `${Math.round(rate('split2'))} mails/s`,
    baseline: `1 worker: ${Math.round(rate('split1'))} mails/s (${baselineText})`,
    ratio: scaling,
    // One 2-core machine runs Postgres, Redis, the SMTP server and the dispatcher too: a second worker
    // must not cost throughput; more than that needs a second machine to show.
    target: '≥ 1.0',
    met: scaling >= 1,
  },
  {
    stage: 'sending: commits per mail',
    value: commits.toFixed(2),
    baseline: baselineText,
    target: '≤ 2',
    met: commits <= 2,
  },
  {
    stage: 'sending: Redis commands per mail',
    value: commands.toFixed(1),
    baseline: baselineText,
    target: '≤ 20',
    met: commands <= 20,
  },
  {
    stage: 'sending: worker CPU per mail',
    value: `${cpu.toFixed(2)} ms`,
    baseline: baselineText,
    target: '≤ 4 ms',
    met: cpu <= 4,
  },
]);

await sink.close();
await redisServer.stop();
await pg.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
