// `npm run bench -- planning`: events planned per second by the worker (one events.plan job per ingest statement,
// as the dispatcher enqueues them, planned in chunks with set-based eligibility) for 100,000 events of a trigger
// with a 7-day delay, against one plain multi-row INSERT of the same invitation rows in the same run.
import { randomUUID } from 'node:crypto';
import {
  closeContext,
  createSurvey,
  createTrigger,
  createWorkspace,
  defaultFollowupQuestion,
  ingestEvents,
  type JobPayload,
  planChunkJob,
} from '@surveyflow/core';
import { reportRows } from '@surveyflow/testkit/bench';
import { benchServers } from '@surveyflow/testkit/bench-servers';
import { startWorker } from '@surveyflow/worker';

const EVENTS = Number(process.env.BENCH_PLANNING_EVENTS ?? 100_000);
const TARGET = 3000;

const servers = await benchServers();
const { ctx } = servers;
const { workspaceId } = await createWorkspace(ctx.database, { name: 'bench' });
const survey = await createSurvey(ctx.database, workspaceId, {
  kind: 'nps',
  name: 'Delivery',
  question: { en: 'How likely are you to recommend us?' },
  followupQuestion: defaultFollowupQuestion,
  actions: [],
});
await createTrigger(ctx.database, workspaceId, {
  surveyId: survey.id,
  name: 'a week after delivery',
  eventTypes: ['order.delivered'],
  channels: ['email'],
  delay: 'P7D',
  throttleDays: 30,
  enabled: true,
});

console.log(`ingesting ${EVENTS} events …`);
// As the dispatcher does: each ingest statement's new events are one events.plan job.
const chunks: JobPayload<'events.plan'>[] = [];
const now = Date.now();
for (let i = 0; i < EVENTS; i += 1000) {
  const batch = Array.from({ length: Math.min(1000, EVENTS - i) }, (_, k) => {
    const n = i + k;
    return {
      id: `e-${n}`,
      type: 'order.delivered',
      occurredAt: new Date(now - (EVENTS - n)),
      contact: { id: `c-${n}`, email: `c${n}@example.com` },
      properties: { orderId: `o-${n}` },
    };
  });
  const planJob = randomUUID();
  chunks.push(...planChunkJob(planJob, await ingestEvents(ctx.database, workspaceId, batch, planJob)));
}

// What planning costs besides Postgres: Redis commands (BullMQ) and this process's CPU, per event.
const redisCalls = async () => {
  const stats = await ctx.redis.info('commandstats');
  return [...stats.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
};
const callsBefore = await redisCalls();
const cpuBefore = process.cpuUsage();
const worker = startWorker(ctx);
const started = performance.now();
await ctx.queues.addMany('events.plan', chunks);
for (;;) {
  const [row] = await ctx.database.sql<
    { n: number }[]
  >`select count(*)::int as n from events where planned_at is null`;
  if ((row?.n ?? 1) === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
const seconds = (performance.now() - started) / 1000;
await worker.close();
const cpu = process.cpuUsage(cpuBefore);
const cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / EVENTS;
// The count above polls once per 200 ms (a few commands); the rest is the queue's.
const redisPerEvent = ((await redisCalls()) - callsBefore) / EVENTS;
const planned = EVENTS / seconds;
const [inv] = await ctx.database.sql<{ n: number }[]>`select count(*)::int as n from invitations`;

// Baseline: the same invitation rows written again by one plain multi-row INSERT per 1000 rows, nothing else.
const rows = await ctx.database.sql<Record<string, unknown>[]>`
  select workspace_id, survey_id, trigger_id, event_id, contact_id, channel, send_at from invitations`;
await ctx.database.sql`delete from event_decisions`;
await ctx.database.sql`delete from invitations`;
const baseStart = performance.now();
for (let i = 0; i < rows.length; i += 1000) {
  const part = rows.slice(i, i + 1000);
  await ctx.database
    .sql`insert into invitations ${ctx.database.sql(part, 'workspace_id', 'survey_id', 'trigger_id', 'event_id', 'contact_id', 'channel', 'send_at')}`;
}
const baseSeconds = (performance.now() - baseStart) / 1000;
const baseline = rows.length / baseSeconds;

console.table([
  { measure: 'events planned', value: EVENTS },
  { measure: 'invitations made', value: inv?.n ?? 0 },
  { measure: 'planning seconds (enqueue → all planned)', value: Number(seconds.toFixed(1)) },
  { measure: 'planned events/s', value: Math.round(planned) },
  { measure: 'Redis commands per event', value: Number(redisPerEvent.toFixed(2)) },
  { measure: 'worker CPU ms per event', value: Number(cpuMsPerEvent.toFixed(3)) },
  { measure: 'baseline: plain INSERT rows/s', value: Math.round(baseline) },
]);
reportRows([
  {
    stage: `planning, ${EVENTS} events, 7-day-delay trigger`,
    value: `${Math.round(planned)} events/s`,
    baseline: `plain multi-row INSERT of the same invitations: ${Math.round(baseline)} rows/s`,
    ratio: planned / baseline,
    target: `≥ ${TARGET} events/s`,
    met: planned >= TARGET,
  },
  {
    stage: 'planning, work per event besides Postgres',
    value: `${redisPerEvent.toFixed(2)} Redis commands, ${cpuMsPerEvent.toFixed(3)} ms worker CPU`,
  },
]);
await closeContext(ctx);
await servers.stop();
