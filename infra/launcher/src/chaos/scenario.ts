// The chaos scenario: events posted over HTTP in batches (with duplicates) to the standalone dispatcher while worker
// processes are SIGKILLed, Redis is killed -9 and flushed, the SMTP server refuses everything for a while and is down (connection
// refused) for another; then, once every invitation has settled (or the wait runs out), Postgres and the SMTP server's own count are
// compared, and last, signed Twilio webhooks (answers and status callbacks) are replayed and must change nothing.
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapWorkspace, createDatabase, migrateDatabase } from '@surveyflow/core';
import { freePort, startEmbeddedPostgres } from '@surveyflow/local-servers';
// The sink alone: the testkit's index is vitest fixtures, which load only inside a test run.
import { type SmtpSink, startSmtpSink } from '@surveyflow/testkit/smtp';
import { startTwilioFake, type TwilioFake } from '@surveyflow/testkit/twilio-fake';
import { ControlledRedis, redisCommand, redisKeysExist, ServiceProcess, sleep } from './servers.ts';

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
  /** 0 for none; the SMTP server is down this long (not listening: every connection is refused). */
  smtpDownMs?: number;
  /**
   * 0 for none; after the mail has settled, this many SMS invitations are sent (through a Twilio fake) and
   * answered, and each answer and status callback, correctly signed, is posted again: it must change nothing.
   */
  twilioReplays?: number;
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
  /** FLUSHALL until every job it took is back in Redis (or its row has moved on): the reconciler's heal. */
  healMs: number | null;
  /** FLUSHALL until every row whose job it took has moved on (planned; claimed, sent or failed): heal plus backlog. */
  drainMs: number | null;
  healItems: number;
  replays: ReplayResult | null;
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
const SMS_FROM = '+15005550006';

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
    const twilio: TwilioFake | null = plan.twilioReplays ? await startTwilioFake() : null;
    if (twilio) cleanups.push(() => twilio.close());

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
      // A SIGKILLed worker's running jobs go to another worker once their lock expires (production: 30 s).
      JOB_LOCK_MS: '5000',
      // A send that died inside the provider call is marked interrupted after this lease (production: 10 min);
      // short here so the run's settle wait sees it decided. No SMTP call here takes anywhere near 20 s.
      DELIVERY_LEASE_MS: '20000',
      DELIVERY_BACKOFF_MAX_MS: '5000',
      ...(twilio
        ? {
            TWILIO_ACCOUNT_SID: twilio.accountSid,
            TWILIO_AUTH_TOKEN: twilio.authToken,
            TWILIO_FROM: SMS_FROM,
            TWILIO_API_URL: twilio.url,
            SMS_RATE_PER_SECOND: '50',
          }
        : {}),
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
    let lastKilled: ServiceProcess | undefined;
    const [from, to] = plan.killSpan ?? [0.1, 0.9];
    for (let k = 0; k < plan.workerKills; k++) {
      faults.push({
        at: from + ((to - from) * (k + 0.5)) / plan.workerKills,
        name: 'worker SIGKILL',
        run: async () => {
          // Never the one killed last: it may still be starting, and killing it again would cost nothing.
          const candidates = workers.filter((w) => w !== lastKilled);
          const w = candidates[Math.floor(rand() * candidates.length)];
          lastKilled = w;
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
    let heal: Promise<Heal> = Promise.resolve({ ms: null, drainMs: null, items: 0 });
    if (plan.flushAll) {
      faults.push({
        at: 0.55,
        name: 'FLUSHALL',
        run: async () => {
          await redis.flushAll();
          const flushedAt = Date.now();
          log('FLUSHALL');
          heal = measureHeal(database, redis.port, flushedAt, Math.max(plan.settleTimeoutMs, 60_000));
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
    let down: Promise<void> = Promise.resolve();
    const smtpDownMs = plan.smtpDownMs ?? 0;
    if (smtpDownMs > 0) {
      faults.push({
        at: 0.15,
        name: 'SMTP server down',
        run: async () => {
          // Not listening at all: every connection is refused (ECONNREFUSED), as when the provider's host is down.
          await Promise.race([sink.stop(), sleep(5000)]);
          log(`SMTP server down for ${smtpDownMs / 1000} s (connections refused)`);
          down = sleep(smtpDownMs).then(async () => {
            await sink.start();
            log('SMTP server listening again');
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
    await down;
    const ingestMs = Date.now() - ingestStart;
    log(`posted ${posted} events in ${ingestMs} ms (${requestRetries} retried requests); waiting to settle`);

    // Settled: nothing unplanned, nothing scheduled or queued, nothing sending that could still finish.
    const settleStart = Date.now();
    let settled = false;
    let last = '';
    let sameSince = Date.now();
    let lastProgress = Date.now();
    while (Date.now() - settleStart < plan.settleTimeoutMs) {
      const [s] = await database.sql<{ unplanned: number; open: number; sending: number; sent: number }[]>`
        select (select count(*)::int from events where planned_at is null) as unplanned,
               (select count(*)::int from invitations where status in ('scheduled', 'queued')) as open,
               (select count(*)::int from invitations where status = 'sending') as sending,
               (select count(*)::int from invitations where status = 'sent') as sent`;
      const state = JSON.stringify([s, sink.messages.length]);
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        log(`settling: ${state} (unplanned, scheduled or queued, sending, sent; SMTP messages)`);
      }
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
    const replays =
      twilio && plan.twilioReplays
        ? await replayTwilio(database, twilio, plan.twilioReplays, {
            dispatcher: `http://127.0.0.1:${dispatcherPort}`,
            publicUrl: `http://127.0.0.1:${collectorPort}`,
          })
        : null;
    if (replays) log(`Twilio replays: ${JSON.stringify(replays)}`);
    return {
      plan: { ...plan, log: undefined } as Omit<ChaosPlan, 'log'>,
      posted,
      acceptedIds: acknowledged.size,
      duplicatesAcknowledged,
      requestRetries,
      ...result,
      healMs: healed.ms,
      drainMs: healed.drainMs,
      healItems: healed.items,
      replays,
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

type Heal = { ms: number | null; drainMs: number | null; items: number };

/**
 * After FLUSHALL: what Postgres said was in flight at the flush (events not planned, invitations queued, whose jobs the
 * flush took) is watched. Healed when each one's job is back in Redis (or its row has moved on: planned; claimed, sent
 * or failed); drained when every row has moved on, which also waits for the backlog (and for any outage) to clear.
 */
async function measureHeal(
  database: Db,
  redisPort: number,
  flushedAt: number,
  timeoutMs: number,
): Promise<Heal> {
  const events = await database.sql<
    { id: string; plan_job: string | null }[]
  >`select id, plan_job from events where planned_at is null`;
  const invitations = await database.sql<
    { id: string }[]
  >`select id from invitations where status = 'queued'`;
  const eventIds = events.map((r) => r.id);
  const invitationIds = invitations.map((r) => r.id);
  const items = eventIds.length + invitationIds.length;
  if (items === 0) return { ms: null, drainMs: null, items };
  // Job ids are the work's own (core's jobId): the reconciler re-adds exactly these keys.
  const jobKey = new Map([
    // An event accepted by the API is in its ingest statement's events.plan job; one enqueued alone, in its own.
    ...events.map(
      (e) =>
        [
          e.id,
          `${QUEUE_PREFIX}:events:${e.plan_job ? `events.plan-${e.plan_job}` : `event.plan-${e.id}`}`,
        ] as const,
    ),
    ...invitationIds.map((id) => [id, `${QUEUE_PREFIX}:send.email:invitation.send-${id}`] as const),
  ]);
  const healed = new Set<string>();
  let ms: number | null = null;
  while (Date.now() - flushedAt < timeoutMs) {
    const open = await database.sql<{ id: string }[]>`
      select id from events where id = any(${eventIds}::uuid[]) and planned_at is null
      union all
      select id from invitations where id = any(${invitationIds}::uuid[]) and status = 'queued'`;
    if (open.length === 0)
      return { ms: ms ?? Date.now() - flushedAt, drainMs: Date.now() - flushedAt, items };
    if (ms === null) {
      const waiting = open.map((r) => r.id).filter((id) => !healed.has(id));
      const present = await redisKeysExist(
        redisPort,
        waiting.map((id) => jobKey.get(id) ?? ''),
      ).catch(() => waiting.map(() => false));
      waiting.forEach((id, i) => {
        if (present[i]) healed.add(id);
      });
      if (waiting.every((_, i) => present[i])) ms = Date.now() - flushedAt;
    }
    await sleep(250);
  }
  return { ms, drainMs: null, items };
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
  const unplanned = await database.sql<
    { id: string; plan_job: string | null }[]
  >`select id, plan_job from events where planned_at is null`;
  const jobStates: Record<string, number> = {};
  for (const [queue, jobId] of [
    ...stuckJobs.map((j) => ['send.email', j] as const),
    ...unplanned.map(
      (e) => ['events', e.plan_job ? `events.plan-${e.plan_job}` : `event.plan-${e.id}`] as const,
    ),
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

export type ReplayResult = {
  /** SMS invitations sent through the Twilio fake and answered. */
  texted: number;
  /** Signed requests posted a second time: inbound answers (and a STOP) and status callbacks. */
  replayed: number;
  /** Replays not answered as a replay should be (200 with empty TwiML; 204 for a status callback). */
  badAnswers: number;
  /** What the replays changed (responses, opt-outs, applied webhooks, statuses, notifications, texts): must be none. */
  changed: string[];
};

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio replays, on the services still running: the trigger switches to SMS, `n` new contacts are texted, each
 * answers "3" then "9" and gets a "delivered" callback, the first also STOP then START. Then every one of those
 * captured, correctly signed requests is posted again, and nothing may change.
 */
async function replayTwilio(
  database: Db,
  twilio: TwilioFake,
  n: number,
  api: { dispatcher: string; publicUrl: string },
): Promise<ReplayResult> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.dispatcher}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ data?: { id: string }[] }>;
  };
  // Texts wait out the workspace's quiet hours (SMS only, by default); this run may fall inside them.
  await database.sql`update workspaces set quiet_hours_channels = '{}'`;
  const [trigger] = (await call('GET', '/v1/triggers')).data ?? [];
  if (!trigger) throw new Error('the chaos workspace has no trigger');
  await call('PATCH', `/v1/triggers/${trigger.id}`, { channels: ['sms'] });
  const phone = (k: number) => `+486002${String(k).padStart(5, '0')}`;
  await call('POST', '/v1/events/batch', {
    events: Array.from({ length: n }, (_, k) => ({
      id: `chaos-sms-${k}`,
      type: 'order.delivered',
      contact: { id: `sms-contact-${k}`, phone: phone(k), name: `Texter ${k}` },
    })),
  });
  const texts = await twilio.waitForMessages(n, 60_000);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [r] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from invitations where channel = 'sms' and status = 'sent'`;
    if ((r?.n ?? 0) >= n) break;
    await sleep(250);
  }

  /** A text from a contact as Twilio posts it, signed; calling the result again replays that very request. */
  const inbound = (from: string, body: string) => {
    const url = `${api.publicUrl}/sms/inbound`;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params: Record<string, string> = {
      MessageSid: sid,
      SmsSid: sid,
      SmsMessageSid: sid,
      AccountSid: twilio.accountSid,
      From: from,
      To: SMS_FROM,
      Body: body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const signed = Object.keys(params)
      .sort()
      .reduce((acc, key) => acc + key + params[key], url);
    const signature = createHmac('sha1', twilio.authToken).update(signed).digest('base64');
    return async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params),
      });
      return { status: res.status, body: await res.text() };
    };
  };

  const replays: (() => Promise<boolean>)[] = [];
  for (const [k, text] of texts.entries()) {
    const three = inbound(text.to, '3');
    await three();
    await inbound(text.to, '9')();
    await twilio.sendStatus(text.sid, 'delivered');
    replays.push(async () => {
      const r = await three();
      return r.status === 200 && r.body === EMPTY_TWIML;
    });
    replays.push(async () => (await twilio.sendStatus(text.sid, 'delivered')) === 204);
    if (k === 0) {
      const stop = inbound(text.to, 'STOP');
      await stop();
      await inbound(text.to, 'START')();
      replays.push(async () => {
        const r = await stop();
        return r.status === 200 && r.body === EMPTY_TWIML;
      });
    }
  }

  const snapshot = async () => {
    const [row] = await database.sql<Record<string, unknown>[]>`
      select
        (select coalesce(json_agg(json_build_array(id, score, comment, updated_at) order by id), '[]'::json)
           from responses where channel = 'sms')::text as responses,
        (select coalesce(json_agg(json_build_array(id, opted_out_at, opted_out_via) order by id), '[]'::json)
           from contacts where phone is not null)::text as opt_outs,
        (select count(*)::int from sms_inbound_messages) as applied_texts,
        (select count(*)::int from sms_status_callbacks) as applied_callbacks,
        (select coalesce(json_agg(json_build_array(message_sid, status, error_code, updated_at) order by message_sid),
           '[]'::json) from sms_statuses)::text as statuses,
        (select count(*)::int from notifications) as notifications`;
    return { ...row, texts: twilio.messages.length };
  };
  // What the genuine requests set off settles first: 2 s without a change (at most 30 s; whatever still moves then is
  // reported as changed, which fails the run rather than hiding a replay's effect).
  let before = await snapshot();
  const quietBy = Date.now() + 30_000;
  for (let still = Date.now(); Date.now() - still < 2000 && Date.now() < quietBy; ) {
    await sleep(500);
    const now = await snapshot();
    if (JSON.stringify(now) !== JSON.stringify(before)) still = Date.now();
    before = now;
  }
  let badAnswers = 0;
  for (const replay of replays) if (!(await replay())) badAnswers++;
  await sleep(2000);
  const after = await snapshot();
  const changed = Object.keys(after).filter(
    (key) =>
      JSON.stringify(after[key as keyof typeof after]) !== JSON.stringify(before[key as keyof typeof before]),
  );
  return { texted: texts.length, replayed: replays.length, badAnswers, changed };
}
