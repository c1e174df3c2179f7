// `npm run bench -- console`: server time of the console's pages with 1 M responses and 100 k cases in the database, each page's
// median against a trivial signed-in page (GET /app/team) measured in the same run. Target: every page under 200 ms.
// Seeded with a few generate_series statements; requests go through Fastify's inject (the whole server, no network).
import { performance } from 'node:perf_hooks';
import { operatorConsole } from '@surveyflow/console';
import { bootstrapOwner, bootstrapWorkspace, closeContext } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { reportRows } from '@surveyflow/testkit/bench';
import { benchServers } from '@surveyflow/testkit/bench-servers';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 1_000_000);
const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const CONTACTS = 100_000;
/** The answers are spread evenly over this many days before now. */
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const TARGET_MS = 200;

const servers = await benchServers();
const { ctx } = servers;
const { sql } = ctx.database;

// The seed: one workspace with its NPS survey, 100 k contacts, 1 M invitations answered over the last year (a third with a
// comment, every one with store, product and agent), 100 k cases of detractors (a fifth still open, many of those overdue).
const seedStart = performance.now();
const { workspaceId } = await bootstrapWorkspace(ctx.database, {
  name: `Bench ${Date.now()}`,
  alertEmail: 'alerts@bench.test',
  timezone: 'Europe/Warsaw',
});
const [survey] = await sql<{ id: string }[]>`select id from surveys where workspace_id = ${workspaceId}`;
const surveyId = survey?.id ?? '';
await sql`insert into contacts (workspace_id, external_id, email, name, locale)
  select ${workspaceId}, 'cust-' || g, 'cust-' || g || '@example.com', 'Customer ' || g, 'en'
  from generate_series(1, ${CONTACTS}) g`;
await sql`insert into invitations (workspace_id, survey_id, contact_id, channel, status, send_at, sent_at, created_at)
  select ${workspaceId}, ${surveyId}, c.id, 'email', 'sent', t, t, t
  from (select g, now() - (g::float / ${RESPONSES}) * ${DAYS} * interval '1 day' as t from generate_series(1, ${RESPONSES}) g) s
  join (select id, row_number() over (order by id) as rn from contacts where workspace_id = ${workspaceId}) c
    on c.rn = (s.g % ${CONTACTS}) + 1`;
// Loaded with the rollup triggers off (one statement, not a million upserts at commit), then rolled up in one pass, as
// migration 0025's backfill does: the Overview reads the rollups.
await sql.begin(async (tx) => {
  await tx`set local session_replication_role = replica`;
  await tx`insert into responses (workspace_id, invitation_id, survey_id, contact_id, channel, score, comment, properties,
      created_at, updated_at, editable_until, followed_up_at, routed_at)
    select workspace_id, id, survey_id, contact_id, 'email', least(10, floor(r3 * 11 + r * 2))::int,
      case when r < 0.1 then 'The delivery was late again' when r < 0.33 then 'Friendly support, quick answer' end,
      jsonb_build_object('store', 'Store ' || (r2 * 20)::int, 'product', 'Product ' || (r2 * 7)::int,
        'agent', 'Agent ' || (r * 30)::int),
      created_at + interval '1 hour', created_at + interval '1 hour', created_at + interval '8 days',
      created_at + interval '1 hour', created_at + interval '1 hour'
    from (select i.*, random() as r, random() as r2, random() as r3 from invitations i
          where i.workspace_id = ${workspaceId}) x`;
});
await sql`select rebuild_response_rollups()`;
await sql`insert into cases (workspace_id, response_id, survey_id, contact_id, status, due_at, sla_hours, created_at, resolved_at)
  select workspace_id, id, survey_id, contact_id,
    case when rn % 5 = 0 then 'open' else 'resolved' end,
    created_at + interval '48 hours', 48, created_at,
    case when rn % 5 = 0 then null else created_at + interval '1 day' end
  from (select r.*, row_number() over (order by created_at desc) as rn from responses r
        where r.workspace_id = ${workspaceId} and r.score <= 6) d
  where rn <= ${CASES}`;
await sql`vacuum analyze`;
const [counts] = await sql<{ responses: number; cases: number }[]>`
  select (select count(*)::int from responses) as responses, (select count(*)::int from cases) as cases`;
const seedSeconds = (performance.now() - seedStart) / 1000;
console.log(
  `seeded ${counts?.responses.toLocaleString('en')} responses and ${counts?.cases.toLocaleString('en')} cases in ${seedSeconds.toFixed(0)} s`,
);

const app = await createServiceApp(ctx);
await app.register(operatorConsole(ctx));
await app.ready();

// Sign in as the workspace's owner the way a browser does: the link's page, its button (with the CSRF cookie and token).
const cookies = new Map<string, string>();
const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
async function request(method: 'GET' | 'POST', url: string, payload?: string) {
  const res = await app.inject({
    method,
    url,
    headers: {
      accept: 'text/html',
      cookie: cookie(),
      ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(payload ? { payload } : {}),
  });
  for (const c of res.cookies) cookies.set(c.name, c.value);
  return res;
}
const { token } = await bootstrapOwner(ctx.database, {
  email: 'owner@bench.test',
  workspaceId,
  now: new Date(),
  secret: ctx.config.SECRET_KEY,
});
const confirm = await request('GET', `/app/sign-in/${token}`);
const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? '';
const signedIn = await request(
  'POST',
  `/app/sign-in/${token}`,
  new URLSearchParams({ _csrf: csrf }).toString(),
);
if (signedIn.statusCode !== 303)
  throw new Error(`sign-in: ${signedIn.statusCode} ${signedIn.body.slice(0, 300)}`);

// A customer with ten answers, the newest of them a case: the pages that show one person.
const [someCase] = await sql<{ id: string; contact: string }[]>`
  select k.id, c.external_id as contact from cases k join contacts c on c.id = k.contact_id
  where k.workspace_id = ${workspaceId} order by k.created_at desc limit 1`;
const caseId = someCase?.id ?? '';
const contactId = someCase?.contact ?? '';
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
/** Every console page measured: a label and its URL (or a URL per request). Adding a page is one line. */
const pages: [string, string | ((i: number) => string)][] = [
  ['GET /app (last 30 days, a point a day)', '/app'],
  // A different month each time: different figures, so the chart is drawn afresh rather than taken from the last drawn.
  [
    'GET /app (a month, chart drawn afresh)',
    (i) => `/app?range=custom&from=${day(40 + i)}&to=${day(10 + i)}`,
  ],
  ['GET /app (30 days, by agent)', '/app?property=agent'],
  ['GET /app (90 days, weekly)', '/app?range=90d&granularity=week'],
  ['GET /app (a whole year, monthly)', `/app?range=custom&from=${day(365)}&to=${day(0)}&granularity=month`],
  ['GET /app/responses', '/app/responses'],
  [
    'GET /app/responses (survey, detractors with a comment)',
    `/app/responses?survey=${surveyId}&segment=detractor&hasComment=1`,
  ],
  [
    'GET /app/responses (store, channel, last month)',
    `/app/responses?property=store:Store%207&channel=email&from=${day(30)}`,
  ],
  ['GET /app/responses (text search)', '/app/responses?q=late'],
  ['GET /app/cases (unassigned)', '/app/cases?view=unassigned'],
  ['GET /app/cases (overdue)', '/app/cases?view=overdue'],
  ['GET /app/cases (all)', '/app/cases?view=all'],
  ['GET /app/cases/:id (its history, the customer’s other answers)', `/app/cases/${caseId}`],
  ['GET /app/contacts (search)', '/app/contacts?q=cust-4242'],
  ['GET /app/contacts/:id (10 answers, their cases)', `/app/contacts/${contactId}`],
  ['GET /app/events', '/app/events'],
  ['GET /app/surveys', '/app/surveys'],
  ['GET /app/surveys/:id', `/app/surveys/${surveyId}`],
  ['GET /app/sends', '/app/sends'],
  ['GET /app/settings', '/app/settings'],
];
const baselinePage = '/app/team';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};
async function timed(page: string | ((i: number) => string), offset = 0): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const url = typeof page === 'string' ? page : page(offset + i);
    const start = performance.now();
    const res = await request('GET', url);
    times.push(performance.now() - start);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return times;
}

// Warm every page twice (JIT, pools, echarts' first import), then measure; the baseline before and after, so drift shows.
for (const page of [baselinePage, ...pages.map((p) => p[1])]) {
  for (const i of [100, 101]) await request('GET', typeof page === 'string' ? page : page(i));
}
const baselineTimes = await timed(baselinePage);
const results = [];
for (const [label, page] of pages) results.push({ label, times: await timed(page) });
baselineTimes.push(...(await timed(baselinePage)));
const baseline = median(baselineTimes);

console.log(
  `\nConsole pages: ${counts?.responses.toLocaleString('en')} responses, ${counts?.cases.toLocaleString('en')} cases; ${REPEAT} requests each\n`,
);
console.table([
  {
    page: `baseline ${baselinePage}`,
    'median ms': baseline.toFixed(1),
    'max ms': Math.max(...baselineTimes).toFixed(1),
  },
  ...results.map((r) => ({
    page: r.label,
    'median ms': median(r.times).toFixed(1),
    'max ms': Math.max(...r.times).toFixed(1),
  })),
]);
reportRows(
  results.map((r) => {
    const m = median(r.times);
    return {
      stage: `${r.label}, 1 M responses`,
      value: `${m.toFixed(0)} ms`,
      baseline: `GET ${baselinePage}: ${baseline.toFixed(0)} ms`,
      ratio: m / baseline,
      target: `< ${TARGET_MS} ms`,
      met: m < TARGET_MS,
    };
  }),
);

await app.close();
await closeContext(ctx);
await servers.stop();
