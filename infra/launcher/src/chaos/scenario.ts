// The chaos scenario: events posted over HTTP in batches (with duplicates) to the standalone dispatcher while worker
// processes are SIGKILLed, Redis is killed -9 and flushed and the SMTP server refuses everything for a while; then, once every invitation has
// settled (or the wait runs out), Postgres and the SMTP server's own count are compared.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapWorkspace, createDatabase, migrateDatabase } from '@surveyflow/core';
import { freePort, startEmbeddedPostgres } from '@surveyflow/local-servers';
// The sink alone: the testkit's index is vitest fixtures, which load only inside a test run.
import { type SmtpSink, startSmtpSink } from '@surveyflow/testkit/smtp';
import { ControlledRedis, redisCommand, ServiceProcess, sleep } from './servers.ts';

export type ChaosPlan = {
  /** Distinct events (each a new contact, so each should make one email invitation). */
  events: number;
  /** Share of events posted a second time, in a later batch (a producer's retry). */
  duplicateShare: number;
  batchSize: number;
  /** How long posting is spread over; the faults happen inside this span. */
  ingestMs: number;
  workers: number;
  workerConcurrency: number;
  /** Worker SIGKILLs (each worker restarted at once), spread evenly over `killSpan` of the ingest span. */
  workerKills: number;
  /** Fractions of the ingest span the kills fall in; [0.1, 0.9] unless given. */
  killSpan?: [number, number];
  redisKill: boolean;
  flushAll: boolean;
  /** 0 for none; the SMTP server answers 421 to every recipient this long. */
  smtpOutageMs: number;
  /** How long to wait after the last post for every invitation to settle. */
  settleTimeoutMs: number;
  seed: number;
  /** Progress lines (stderr in the CLI); silent by default. */
  log?: (line: string) => void;
};

export type ChaosResult = {
  plan: Omit<ChaosPlan, 'log'>;
  posted: number;
  acceptedIds: number;
  duplicatesAcknowledged: number;
  requestRetries: number;
  eventsStored: number;
  eventsUnplanned: number;
  eventsWithoutDecision: number;
  invitations: number;
  byStatus: Record<string, number>;
  failureReasons: Record<string, number>;
  smtpMessages: number;
  smtpRecipients: number;
  /** Invitations whose email reached the SMTP server more than once (same recipient or same Message-ID). */
  doubleSends: number;
  /** Invited, but neither sent (and received) nor marked interrupted or failed with a reason. */
  lost: number;
  lostDetail: Record<string, number>;
  /** Claimed by a sender that died: marked interrupted, or still `sending` (marked only after 10 minutes). */
  interrupted: number;
  /** Of those, still `sending` when the run ended (not yet marked). */
  stuckSending: number;
  /** Of those, never received by the SMTP server: the crash came before the provider call. */
  interruptedNotReceived: number;
  /** For work left unfinished: where its BullMQ job was at the end (absent, in wait, active, delayed …). */
  jobStates: Record<string, number>;
  healMs: number | null;
  healItems: number;
  bullmqFailed: number;
  workerKillsDone: number;
  unexpectedExits: Record<string, number>;
  timings: { totalMs: number; ingestMs: number; settleMs: number; settled: boolean };
};

const KEY = `sf_live_chaos_${randomBytes(12).toString('hex')}`;
const QUEUE_PREFIX = 'chaos';

/** A small seeded generator (mulberry32), so a run's kill order can be repeated with CHAOS_SEED. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const recipient = (n: number) => `c${n}@chaos.test`;

export async function runChaos(plan: ChaosPlan): Promise<ChaosResult> {
  const log = plan.log ?? (() => {});
  const rand = random(plan.seed);
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'sf-chaos-'));
  await chmod(dir, 0o755); // Postgres runs as a `postgres` system user when we are root
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: false });
    cleanups.push(() => pg.stop());
    await migrateDatabase(pg.url);
    const database = createDatabase(pg.url, { max: 3 });
    cleanups.push(() => database.close());
    await bootstrapWorkspace(database, {
      apiKey: KEY,
      name: 'Chaos shop',
      alertEmail: 'alerts@chaos.test',
      timezone: 'UTC',
    });

    const redis = new ControlledRedis(await freePort(), join(dir, 'redis'));
    await redis.start();
    cleanups.push(() => redis.stop());
    const sink: SmtpSink = await startSmtpSink();
    cleanups.push(() => sink.close());

    const [dispatcherPort, collectorPort] = [await freePort(), await freePort()];
    const shared = {
      DATABASE_URL: pg.url,
      DATABASE_POOL_SIZE: '5',
      REDIS_URL: redis.url,
      QUEUE_PREFIX,
      SECRET_KEY: randomBytes(32).toString('hex'),
      SMTP_URL: sink.url,
      PUBLIC_URL: `http://127.0.0.1:${collectorPort}`,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      WORKER_CONCURRENCY: String(plan.workerConcurrency),
      // The run measures loss and double sends, not the provider's rate: no pacing in the way.
      EMAIL_RATE_PER_SECOND: '10000',
      DUE_SCAN_INTERVAL_MS: '250',
      // Heal fast: what Postgres says is unfinished for 3 s and Redis no longer has is enqueued again.
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_AFTER_MS: '3000',
      // A send that died inside the provider call is marked interrupted after this lease (production: 10 min);
      // short here so the run's settle wait sees it decided. No SMTP call here takes anywhere near 20 s.
      DELIVERY_LEASE_MS: '20000',
      DELIVERY_BACKOFF_MAX_MS: '5000',
    };
    const dispatcher = new ServiceProcess('dispatcher', 'dispatcher', () => ({
      ...shared,
      PORT: String(dispatcherPort),
    }));
    const collector = new ServiceProcess('collector', 'collector', () => ({
      ...shared,
      PORT: String(collectorPort),
    }));
    const workerPorts = await Promise.all(Array.from({ length: plan.workers }, () => freePort()));
    const workers = workerPorts.map(
      (port, i) => new ServiceProcess('worker', `worker ${i + 1}`, () => ({ ...shared, PORT: String(port) })),
    );
    const services = [dispatcher, collector, ...workers];
    for (const s of services) s.start();
    cleanups.push(() => Promise.all(services.map((s) => s.stop())));
    await Promise.all(
      [dispatcherPort, collectorPort, ...workerPorts].map((port) => waitReady(port, services)),
    );
    log(`servers up in ${Date.now() - started} ms: dispatcher, collector, ${plan.workers} workers`);

    // The batches: every event once, then a share of them again in a later batch.
    const ids = Array.from({ length: plan.events }, (_, n) => n);
    const dupCount = Math.round(plan.events * plan.duplicateShare);
    const batches: number[][] = [];
    for (let i = 0; i < ids.length; i += plan.batchSize) batches.push(ids.slice(i, i + plan.batchSize));
    // Drawn from before the last batch, so a duplicate always lands in a later batch than its original.
    const dupRange = batches.length > 1 ? plan.events - (batches.at(-1)?.length ?? 0) : 0;
    for (let d = 0; d < dupCount && dupRange > 0; d++) {
      const n = Math.floor(rand() * dupRange);
      const first = Math.floor(n / plan.batchSize);
      const later = first + 1 + Math.floor(rand() * Math.max(1, batches.length - first - 1));
      batches[Math.min(later, batches.length - 1)]?.push(n);
    }

    // Faults, at fractions of the ingest span.
    const faults: { at: number; name: string; run: () => Promise<void> }[] = [];
    let workerKillsDone = 0;
    const [from, to] = plan.killSpan ?? [0.1, 0.9];
    for (let k = 0; k < plan.workerKills; k++) {
      faults.push({
        at: from + ((to - from) * (k + 0.5)) / plan.workerKills,
        name: 'worker SIGKILL',
        run: async () => {
          const w = workers[Math.floor(rand() * workers.length)];
          if (!w) return;
          await w.kill9();
          workerKillsDone++;
          log(`SIGKILL ${w.label}; restarting it`);
          w.start();
        },
      });
    }
    if (plan.redisKill) {
      faults.push({
        at: 0.35,
        name: 'redis kill -9',
        run: async () => {
          await redis.kill9();
          log('redis-server kill -9; restarting it in 1 s on the same port and data');
          await sleep(1000);
          await redis.start();
        },
      });
    }
    let heal: Promise<{ ms: number | null; items: number }> = Promise.resolve({ ms: null, items: 0 });
    if (plan.flushAll) {
      faults.push({
        at: 0.55,
        name: 'FLUSHALL',
        run: async () => {
          await redis.flushAll();
          const flushedAt = Date.now();
          log('FLUSHALL');
          heal = measureHeal(database, flushedAt, Math.max(plan.settleTimeoutMs, 60_000));
        },
      });
    }
    let outage: Promise<void> = Promise.resolve();
    if (plan.smtpOutageMs > 0) {
      faults.push({
        at: 0.7,
        name: 'SMTP outage',
        run: async () => {
          // The server is up but refuses every recipient with 421 (service not available), as a provider in an
          // outage does: each send fails as a transient error and is retried with BullMQ's backoff.
          sink.rejectRecipient = () => ({ code: 421, message: '4.3.2 Service not available (chaos outage)' });
          log(`SMTP outage for ${plan.smtpOutageMs / 1000} s (421 to every recipient)`);
          outage = sleep(plan.smtpOutageMs).then(() => {
            sink.rejectRecipient = null;
            log('SMTP back');
          });
        },
      });
    }
    faults.sort((a, b) => a.at - b.at);

    // Post, paced over the ingest span, with the faults firing between batches; a failed request is retried.
    const ingestStart = Date.now();
    const acknowledged = new Set<number>();
    let duplicatesAcknowledged = 0;
    let requestRetries = 0;
    let posted = 0;
    const runFaults = (async () => {
      for (const f of faults) {
        const due = ingestStart + f.at * plan.ingestMs;
        await sleep(Math.max(0, due - Date.now()));
        await f.run();
      }
    })();
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b] ?? [];
      const due = ingestStart + (b / batches.length) * plan.ingestMs;
      await sleep(Math.max(0, due - Date.now()));
      const body = JSON.stringify({
        events: batch.map((n) => ({
          id: `chaos-${n}`,
          type: 'order.delivered',
          contact: { id: `contact-${n}`, email: recipient(n), name: `Customer ${n}` },
          properties: { orderId: `A-${n}` },
        })),
      });
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`http://127.0.0.1:${dispatcherPort}/v1/events/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15_000),
        }).catch(() => null);
        if (res?.status === 202) {
          const out = (await res.json()) as { results: { id?: string; status: string }[] };
          for (const r of out.results) {
            if (r.status !== 'accepted' && r.status !== 'duplicate') continue;
            acknowledged.add(Number(r.id?.slice('chaos-'.length)));
            if (r.status === 'duplicate') duplicatesAcknowledged++;
          }
          posted += batch.length;
          break;
        }
        await res?.body?.cancel();
        if (attempt >= 60)
          throw new Error(`batch ${b} was refused 60 times (last: ${res?.status ?? 'no answer'})`);
        requestRetries++;
        await sleep(500);
      }
    }
    await runFaults;
    await outage;
    const ingestMs = Date.now() - ingestStart;
    log(`posted ${posted} events in ${ingestMs} ms (${requestRetries} retried requests); waiting to settle`);

    // Settled: nothing unplanned, nothing scheduled or queued, nothing sending that could still finish.
    const settleStart = Date.now();
    let settled = false;
    let last = '';
    let sameSince = Date.now();
    while (Date.now() - settleStart < plan.settleTimeoutMs) {
      const [s] = await database.sql<{ unplanned: number; open: number; sending: number; sent: number }[]>`
        select (select count(*)::int from events where planned_at is null) as unplanned,
               (select count(*)::int from invitations where status in ('scheduled', 'queued')) as open,
               (select count(*)::int from invitations where status = 'sending') as sending,
               (select count(*)::int from invitations where status = 'sent') as sent`;
      const state = JSON.stringify([s, sink.messages.length]);
      if (state !== last) {
        last = state;
        sameSince = Date.now();
      }
      // A claim left `sending` by a killed worker finishes only when the reconciler marks it; 5 s without
      // any change is taken as "nothing more will happen within this run".
      if (s && s.unplanned === 0 && s.open === 0 && (s.sending === 0 || Date.now() - sameSince > 5000)) {
        settled = true;
        break;
      }
      await sleep(500);
    }
    const settleMs = Date.now() - settleStart;
    log(`${settled ? 'settled' : 'not settled'} after ${settleMs} ms`);
    const healed = await heal;

    const result = await measure(database, sink, redis.port, acknowledged);
    return {
      plan: { ...plan, log: undefined } as Omit<ChaosPlan, 'log'>,
      posted,
      acceptedIds: acknowledged.size,
      duplicatesAcknowledged,
      requestRetries,
      ...result,
      healMs: healed.ms,
      healItems: healed.items,
      workerKillsDone,
      unexpectedExits: Object.fromEntries(services.map((s) => [s.label, s.unexpectedExits])),
      timings: { totalMs: Date.now() - started, ingestMs, settleMs, settled },
    };
  } finally {
    for (const clean of cleanups.reverse()) await clean().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

async function waitReady(port: number, services: ServiceProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    if (res?.status === 200) return;
    await res?.body?.cancel();
    const dead = services.find((s) => !s.running);
    if (dead) throw new Error(`${dead.label} exited while starting:\n${dead.output()}`);
    if (Date.now() > deadline) throw new Error(`port ${port} not ready within 60 s`);
    await sleep(200);
  }
}

type Db = ReturnType<typeof createDatabase>;

/**
 * Heal time after FLUSHALL: what Postgres said was in flight at the flush (events not planned, invitations queued
 * whose jobs the flush took) is watched until every one of them has moved on (planned; claimed, sent or failed).
 */
async function measureHeal(database: Db, flushedAt: number, timeoutMs: number) {
  const events = await database.sql<{ id: string }[]>`select id from events where planned_at is null`;
  const invitations = await database.sql<
    { id: string }[]
  >`select id from invitations where status = 'queued'`;
  const eventIds = events.map((r) => r.id);
  const invitationIds = invitations.map((r) => r.id);
  const items = eventIds.length + invitationIds.length;
  if (items === 0) return { ms: null, items };
  while (Date.now() - flushedAt < timeoutMs) {
    const [r] = await database.sql<{ n: number }[]>`
      select (select count(*)::int from events where id = any(${eventIds}::uuid[]) and planned_at is null)
           + (select count(*)::int from invitations where id = any(${invitationIds}::uuid[]) and status = 'queued') as n`;
    if (r?.n === 0) return { ms: Date.now() - flushedAt, items };
    await sleep(500);
  }
  return { ms: null, items };
}

async function measure(database: Db, sink: SmtpSink, redisPort: number, acknowledged: Set<number>) {
  const [counts] = await database.sql<
    { stored: number; unplanned: number; undecided: number; invitations: number }[]
  >`
    select (select count(*)::int from events) as stored,
           (select count(*)::int from events where planned_at is null) as unplanned,
           (select count(*)::int from events e where planned_at is not null
              and not exists (select 1 from event_decisions d where d.event_id = e.id)) as undecided,
           (select count(*)::int from invitations) as invitations`;
  const storedIds = await database.sql<{ external_id: string }[]>`select external_id from events`;
  const stored = new Set(storedIds.map((r) => Number(r.external_id.slice('chaos-'.length))));
  const rows = await database.sql<
    { id: string; email: string; status: string; failure_reason: string | null }[]
  >`
    select i.id, c.email, i.status, i.failure_reason
    from invitations i join contacts c on c.id = i.contact_id`;

  const received = new Map<string, number>();
  const byMessageId = new Map<string, Set<string>>();
  for (const m of sink.messages) {
    for (const to of m.to) {
      if (!to.endsWith('@chaos.test') || to.startsWith('alerts@')) continue;
      received.set(to, (received.get(to) ?? 0) + 1);
      if (m.messageId) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? new Set()).add(to));
    }
  }
  const doubled = new Set([...received].filter(([, n]) => n > 1).map(([to]) => to));
  for (const [id, tos] of byMessageId) {
    const copies = sink.messages.filter((m) => m.messageId === id).length;
    if (copies > 1) for (const to of tos) doubled.add(to);
  }

  const byStatus: Record<string, number> = {};
  const failureReasons: Record<string, number> = {};
  const lostDetail: Record<string, number> = {};
  const lose = (why: string, n = 1) => {
    if (n > 0) lostDetail[why] = (lostDetail[why] ?? 0) + n;
  };
  let interrupted = 0;
  let stuckSending = 0;
  let interruptedNotReceived = 0;
  const stuckJobs: string[] = [];
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const got = received.has(r.email);
    const reason = (r.failure_reason ?? '').split(':')[0] ?? '';
    if (r.failure_reason) failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
    if (r.status === 'sent') {
      if (!got) lose('marked sent, never reached the SMTP server');
    } else if (
      r.status === 'interrupted' ||
      r.status === 'sending' ||
      (r.status === 'failed' && reason === 'interrupted')
    ) {
      // Interrupted mid-send: ambiguous by design (invariant 9). Still `sending` means the reconciler has not
      // marked it yet (after DELIVERY_LEASE_MS); nothing received means it never reached the provider.
      interrupted++;
      if (r.status === 'sending') stuckSending++;
      if (!got) interruptedNotReceived++;
    } else if (r.status === 'failed') {
      if (!r.failure_reason) lose('failed without a reason');
    } else if (r.status === 'cancelled') {
      if (!r.failure_reason) lose('cancelled without a reason');
    } else {
      lose(`still '${r.status}'`);
      if (r.status === 'queued') stuckJobs.push(`invitation.send-${r.id}`);
    }
  }
  const unplanned = await database.sql<{ id: string }[]>`select id from events where planned_at is null`;
  const jobStates: Record<string, number> = {};
  for (const [queue, jobId] of [
    ...stuckJobs.map((j) => ['send.email', j] as const),
    ...unplanned.map((e) => ['events', `event.plan-${e.id}`] as const),
  ]) {
    const where = await jobState(redisPort, queue, jobId);
    jobStates[`${queue} job ${where}`] = (jobStates[`${queue} job ${where}`] ?? 0) + 1;
  }
  const missing = [...acknowledged].filter((n) => !stored.has(n)).length;
  lose('acknowledged, not stored', missing);
  lose('stored, never planned', counts?.unplanned ?? 0);
  lose('planned, no decision recorded', counts?.undecided ?? 0);

  let bullmqFailed = 0;
  for (const queue of ['events', 'send.email', 'send.sms', 'send.slack', 'followups', 'webhooks']) {
    const answer = await redisCommand(redisPort, ['ZCARD', `${QUEUE_PREFIX}:${queue}:failed`]).catch(
      () => ':0',
    );
    bullmqFailed += Number(answer.slice(1)) || 0;
  }

  return {
    eventsStored: counts?.stored ?? 0,
    eventsUnplanned: counts?.unplanned ?? 0,
    eventsWithoutDecision: counts?.undecided ?? 0,
    invitations: counts?.invitations ?? 0,
    byStatus,
    failureReasons,
    smtpMessages: [...received.values()].reduce((a, b) => a + b, 0),
    smtpRecipients: received.size,
    doubleSends: doubled.size,
    lost: Object.values(lostDetail).reduce((a, b) => a + b, 0),
    lostDetail,
    interrupted,
    stuckSending,
    interruptedNotReceived,
    bullmqFailed,
    jobStates,
  };
}

/** Where BullMQ holds a job, for work that did not finish: this is what says why the reconciler could not help. */
async function jobState(port: number, queue: string, jobId: string): Promise<string> {
  const key = (k: string) => `${QUEUE_PREFIX}:${queue}:${k}`;
  const ask = (args: string[]) => redisCommand(port, args).catch(() => '?');
  if ((await ask(['EXISTS', key(jobId)])) === ':0') return 'absent';
  for (const list of ['wait', 'active', 'paused']) {
    const at = await ask(['LPOS', key(list), jobId]);
    if (!at.startsWith(':')) continue;
    if (list !== 'active') return `in ${list}`;
    // A live worker holds a lock on its active jobs; a dead one's lock expires and the job waits for a stall check.
    const locked = (await ask(['EXISTS', key(`${jobId}:lock`)])) === ':1';
    return locked ? 'in active (locked by a live worker)' : 'in active (no lock: stalled)';
  }
  for (const set of ['delayed', 'prioritized', 'completed', 'failed', 'waiting-children']) {
    const score = await ask(['ZSCORE', key(set), jobId]);
    if (score.startsWith('$') && score !== '$-1') return `in ${set}`;
  }
  return 'in no list (hash only)';
}
