// `npm run bench -- reads`: the API's reads with 1 M responses in the database (issue 17): GET /v1/metrics whole and grouped by
// day, week, month, channel and an event property, and list pages, each the median of a few requests against GET /v1/surveys/:id
// measured in the same run; the rollup backfill; and what the rollup triggers cost concurrent answers to one survey in one hour.
// Seeded in SQL (generate_series), not through the API. BENCH_EXPLAIN=<file> writes EXPLAIN (ANALYZE, BUFFERS) of each
// metrics query there (docs/architecture.md, "Reads at a million", is made from it).
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  bootstrapWorkspace,
  closeContext,
  type Database,
  groupedScoreHistograms,
  scoreHistogram,
  updateSurvey,
} from '@surveyflow/core';
import { dispatcher } from '@surveyflow/dispatcher';
import { createServiceApp } from '@surveyflow/http';
import { reportRows } from '@surveyflow/testkit/bench';
import { benchServers } from '@surveyflow/testkit/bench-servers';
import postgres from 'postgres';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 1_000_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 9);
/** Concurrent answer transactions in the contention measurement, and answers each. */
const WRITERS = 16;
const WRITES_EACH = Number(process.env.BENCH_WRITES ?? 200);

const servers = await benchServers();
const { ctx } = servers;
const { sql } = ctx.database;

// One workspace, its NPS survey, a location (answers at a location need no invitation), 1 M answers spread over the last year
// on four channels, each with a store (20 values) and a product (7).
const seedStart = performance.now();
const { workspaceId, generatedKey } = await bootstrapWorkspace(ctx.database, {
  name: `Bench ${Date.now()}`,
  alertEmail: 'alerts@bench.test',
  timezone: 'Europe/Warsaw',
});
const apiKey = generatedKey ?? '';
const [survey] = await sql<{ id: string }[]>`select id from surveys where workspace_id = ${workspaceId}`;
const surveyId = survey?.id ?? '';
const [location] = await sql<{ id: string }[]>`
  insert into locations (workspace_id, survey_id, name, code) values (${workspaceId}, ${surveyId}, 'Shop', 'bench-reads')
  returning id`;
await sql.begin(async (tx) => {
  // With the rollup triggers off: one bulk statement, rolled up below in one pass (the backfill of migration 0025).
  await tx`set local session_replication_role = replica`;
  await tx`insert into responses (workspace_id, survey_id, location_id, channel, score, comment, properties,
      created_at, updated_at, editable_until, followed_up_at, routed_at)
    select ${workspaceId}, ${surveyId}, ${location?.id ?? ''},
      (array['email', 'email', 'sms', 'qr', 'widget'])[1 + (g % 5)], least(10, floor(r3 * 11 + r * 2))::int,
      case when r < 0.1 then 'The delivery was late again' when r < 0.33 then 'Friendly support, quick answer' end,
      jsonb_build_object('store', 'Store ' || (r2 * 20)::int, 'product', 'Product ' || (r2 * 7)::int),
      t, t, t + interval '8 days', t, t
    from (select g, random() as r, random() as r2, random() as r3,
            now() - (g::float / ${RESPONSES}) * ${DAYS} * interval '1 day' as t
          from generate_series(1, ${RESPONSES}) g) x`;
});
const backfillStart = performance.now();
await sql`select rebuild_response_rollups()`;
const backfillSeconds = (performance.now() - backfillStart) / 1000;
// store is rolled up (as PATCH /v1/surveys/:id with rollupProperties does it: recounted under the survey's lock); product is not.
const propertyStart = performance.now();
await updateSurvey(ctx.database, workspaceId, surveyId, { rollupProperties: ['store'] });
const propertySeconds = (performance.now() - propertyStart) / 1000;
await sql`vacuum analyze`;
const [counts] = await sql<{ responses: number; rollups: number; propertyRollups: number }[]>`
  select (select count(*)::int from responses) as responses, (select count(*)::int from response_rollups) as rollups,
    (select count(*)::int from response_property_rollups) as "propertyRollups"`;
console.log(
  `seeded ${counts?.responses.toLocaleString('en')} responses (${counts?.rollups.toLocaleString('en')} rollup rows, ${counts?.propertyRollups.toLocaleString('en')} for store) in ${((performance.now() - seedStart) / 1000).toFixed(0)} s; backfill ${backfillSeconds.toFixed(1)} s, store ${propertySeconds.toFixed(1)} s`,
);

const app = await createServiceApp(ctx);
await app.register(dispatcher(ctx));
await app.ready();
const get = (url: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}` } });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
async function timed(url: string): Promise<number> {
  for (let i = 0; i < 2; i++) await get(url); // warm: JIT, pools, the buffer cache
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    const res = await get(url);
    times.push(performance.now() - start);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return median(times);
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
const firstPage = await get('/v1/responses?limit=50');
const cursor = (firstPage.json() as { next: string | null }).next ?? '';
const reads: [label: string, url: string, targetMs: number][] = [
  ['GET /v1/metrics (all answers)', `/v1/metrics?surveyId=${surveyId}`, 50],
  [
    'GET /v1/metrics (30 days, to the second)',
    `/v1/metrics?surveyId=${surveyId}&from=${day(40)}&to=${day(10)}`,
    50,
  ],
  [
    'GET /v1/metrics (30 days, compare=previous)',
    `/v1/metrics?surveyId=${surveyId}&from=${day(30)}&compare=previous`,
    50,
  ],
  ['GET /v1/metrics?groupBy=day (a year)', `/v1/metrics?surveyId=${surveyId}&groupBy=day`, 150],
  ['GET /v1/metrics?groupBy=week', `/v1/metrics?surveyId=${surveyId}&groupBy=week`, 150],
  ['GET /v1/metrics?groupBy=month', `/v1/metrics?surveyId=${surveyId}&groupBy=month`, 150],
  ['GET /v1/metrics?groupBy=channel', `/v1/metrics?surveyId=${surveyId}&groupBy=channel`, 150],
  [
    'GET /v1/metrics?groupBy=properties.store (rolled up)',
    `/v1/metrics?surveyId=${surveyId}&groupBy=properties.store`,
    150,
  ],
  [
    'GET /v1/metrics/drivers?property=store (rolled up)',
    `/v1/metrics/drivers?surveyId=${surveyId}&property=store`,
    150,
  ],
  [
    'GET /v1/metrics?groupBy=properties.product (not rolled up: a scan)',
    `/v1/metrics?surveyId=${surveyId}&groupBy=properties.product`,
    Number.POSITIVE_INFINITY,
  ],
  ['GET /v1/responses (a page of 50)', '/v1/responses?limit=50', 50],
  ['GET /v1/responses (the next page)', `/v1/responses?limit=50&cursor=${encodeURIComponent(cursor)}`, 50],
  [
    'GET /v1/responses (survey, detractors)',
    `/v1/responses?limit=50&surveyId=${surveyId}&segment=detractor`,
    50,
  ],
];
const baselineUrl = `/v1/surveys/${surveyId}`;
const baselineBefore = await timed(baselineUrl);
const results: { label: string; ms: number; target: number }[] = [];
for (const [label, url, target] of reads) results.push({ label, ms: await timed(url), target });
const baseline = median([baselineBefore, await timed(baselineUrl)]);

// Concurrent answers to one survey in one hour: the rollup's hot row. 16 connections each record answers one transaction at
// a time (an INSERT and its commit, as record-answer's transaction ends): to the bench survey (store rolled up), to a survey
// that rolls up no property, then without the rollup triggers.
const writers = postgres(ctx.config.DATABASE_URL ?? '', { max: WRITERS, onnotice: () => {} });
const [plain] = await sql<{ id: string }[]>`
  insert into surveys (workspace_id, kind, name, question, followup_question)
  values (${workspaceId}, 'nps', 'No property rollups', '{"en":"?"}', '{"en":"?"}') returning id`;
const [plainLocation] = await sql<{ id: string }[]>`
  insert into locations (workspace_id, survey_id, name, code) values (${workspaceId}, ${plain?.id ?? ''}, 'Shop 2', 'bench-plain')
  returning id`;
async function answersPerSecond(to = { surveyId, locationId: location?.id ?? '' }): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = 0; i < WRITES_EACH; i++) {
        await writers.begin(async (tx) => {
          await tx`insert into responses (workspace_id, survey_id, location_id, channel, score, editable_until)
            values (${workspaceId}, ${to.surveyId}, ${to.locationId}, 'qr', ${i % 11}, now())`;
        });
      }
    }),
  );
  return (WRITERS * WRITES_EACH) / ((performance.now() - start) / 1000);
}
const triggers = ['responses_rollup_insert', 'responses_rollup_update', 'responses_rollup_delete'];
await answersPerSecond(); // warm
const withRollups = await answersPerSecond();
const scoresOnly = await answersPerSecond({ surveyId: plain?.id ?? '', locationId: plainLocation?.id ?? '' });
for (const t of triggers) await sql.unsafe(`alter table responses disable trigger ${t}`);
const withoutRollups = await answersPerSecond();
for (const t of triggers) await sql.unsafe(`alter table responses enable trigger ${t}`);
await writers.end();

// EXPLAIN (ANALYZE, BUFFERS) of each metrics query: the view functions run against a client that logs what they send.
if (process.env.BENCH_EXPLAIN) {
  const sent: { query: string; parameters: unknown[] }[] = [];
  const logging = postgres(ctx.config.DATABASE_URL ?? '', {
    max: 1,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { plan_cache_mode: 'force_custom_plan' },
    debug: (_connection, query, parameters) => sent.push({ query, parameters }),
  });
  const database = { ...ctx.database, sql: logging } as unknown as Database;
  const explained: string[] = [];
  const explain = async (label: string, run: () => Promise<unknown>) => {
    sent.length = 0;
    await run();
    // postgres.js's own lookup of array types on a new connection is not ours to explain.
    for (const { query, parameters } of sent.splice(0).filter((q) => !q.query.includes('pg_type'))) {
      const plan = await sql.unsafe<{ 'QUERY PLAN': string }[]>(
        `explain (analyze, buffers) ${query}`,
        parameters as postgres.ParameterOrJSON<never>[],
      );
      explained.push(`#### ${label}\n\n\`\`\`\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
    }
  };
  const month = { surveyId, from: new Date(day(40)), to: new Date(day(10)) };
  await explain('GET /v1/metrics, 30 days to the second (scoreHistogram)', () =>
    scoreHistogram(database, workspaceId, month),
  );
  for (const by of ['day', 'week', 'month', 'channel'] as const) {
    await explain(`GET /v1/metrics?groupBy=${by}, a year (groupedScoreHistograms)`, () =>
      groupedScoreHistograms(database, workspaceId, { surveyId, groupBy: { by }, maxGroups: 500 }),
    );
  }
  for (const property of ['store', 'product']) {
    await explain(
      `GET /v1/metrics?groupBy=properties.${property}, a year (${property === 'store' ? 'rolled up' : 'not rolled up: a scan'})`,
      () =>
        groupedScoreHistograms(database, workspaceId, {
          surveyId,
          groupBy: { by: 'property', path: [property] },
          maxGroups: 500,
        }),
    );
  }
  await logging.end();
  await writeFile(process.env.BENCH_EXPLAIN, explained.join('\n'));
  console.log(`EXPLAIN output written to ${process.env.BENCH_EXPLAIN}`);
}

console.log(`\nReads: ${counts?.responses.toLocaleString('en')} responses; ${REPEAT} requests each\n`);
console.table([
  { read: `baseline GET /v1/surveys/:id`, 'median ms': baseline.toFixed(1) },
  ...results.map((r) => ({ read: r.label, 'median ms': r.ms.toFixed(1) })),
]);
const million = `${(RESPONSES / 1e6).toLocaleString('en')} M responses`;
reportRows([
  ...results.map((r) => ({
    stage: `${r.label}, ${million}`,
    value: `${r.ms.toFixed(0)} ms`,
    baseline: `GET /v1/surveys/:id: ${baseline.toFixed(1)} ms`,
    ratio: r.ms / baseline,
    ...(Number.isFinite(r.target) && { target: `< ${r.target} ms`, met: r.ms < r.target }),
  })),
  {
    stage: `rollup backfill (rebuild_response_rollups), ${million}`,
    value: `${backfillSeconds.toFixed(1)} s`,
  },
  {
    stage: `a property added to the rollups (PATCH rollupProperties: ["store"]), ${million}`,
    value: `${propertySeconds.toFixed(1)} s`,
  },
  ...(
    [
      ['a survey rolling up one property', withRollups],
      ['a survey rolling up no property', scoresOnly],
    ] as const
  ).map(([what, rate]) => ({
    stage: `${WRITERS} concurrent answers to one survey in one hour (the rollup's hot row), ${what}`,
    value: `${rate.toFixed(0)} answers/s`,
    baseline: `without the rollup triggers: ${withoutRollups.toFixed(0)} answers/s`,
    ratio: rate / withoutRollups,
    target: '≥ 0.7×',
    met: rate / withoutRollups >= 0.7,
  })),
]);

await app.close();
await closeContext(ctx);
await servers.stop();
