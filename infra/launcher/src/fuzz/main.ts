// `npm run fuzz`: a large fuzz run (FUZZ_REQUESTS, default 20,000; FUZZ_SEED) against a whole system of its own on
// embedded Postgres and Redis, printed as tables; exits 1 when any request got a 5xx or the system is not ready afterwards.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeArguments } from '../cli.ts';

takeArguments(
  process.argv.slice(2),
  `usage: npm run fuzz   (no arguments; a system of its own on loopback; exits 1 on any 5xx)

Settings, as environment variables:
  FUZZ_REQUESTS=20000   requests built from /openapi.json
  FUZZ_SEED=<n>         the random seed (printed at the start)
  FUZZ_CONCURRENCY=8    requests in flight`,
);
// Loaded after the arguments are checked: --help answers at once instead of after the whole system's modules.
const [{ bootstrapWorkspace, loadConfig }, { freePort, startEmbeddedPostgres, startRedisServer }, { pino }] =
  await Promise.all([import('@surveyflow/core'), import('@surveyflow/local-servers'), import('pino')]);
const { startSystem } = await import('../system.ts');
const { describeResult, fuzzEnv, runFuzz, summarize } = await import('./index.ts');

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);

const dir = await mkdtemp(join(tmpdir(), 'sf-fuzz-'));
await chmod(dir, 0o755); // Postgres runs as a `postgres` system user when we are root
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: false });
const redis = await startRedisServer({ dataDir: join(dir, 'redis') });
const port = await freePort();
const config = loadConfig({
  LOG_LEVEL: 'error',
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  ...fuzzEnv,
});
// What the server logs as failed, kept to print its causes beside the 5xx list instead of between the tables.
const logged: { msg?: string; err?: { type?: string; message?: string } }[] = [];
const log = pino(
  { level: 'error', base: { service: 'surveyflow' } },
  { write: (line: string) => logged.push(JSON.parse(line)) },
);
const system = await startSystem(
  {
    ...config,
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    SECRET_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `fuzz${Date.now()}`,
  },
  { log },
);
const apiKey = `sf_live_fuzz_${randomBytes(16).toString('hex')}`;
await bootstrapWorkspace(system.ctx.database, {
  apiKey,
  name: 'Fuzz',
  alertEmail: 'a@fuzz.test',
  timezone: 'UTC',
});

console.error(
  `Fuzzing ${config.PUBLIC_URL}: ${REQUESTS} requests, FUZZ_SEED=${SEED}, ${CONCURRENCY} in flight …`,
);
let exitCode = 1;
try {
  const run = await runFuzz({
    baseUrl: config.PUBLIC_URL,
    apiKey,
    requests: REQUESTS,
    seed: SEED,
    concurrency: CONCURRENCY,
  });
  const summary = summarize(run.results);
  console.log(
    `\nFuzz run: ${summary.sent} requests to ${run.operations} operations in ${(run.ms / 1000).toFixed(1)} s (FUZZ_SEED=${SEED})\n`,
  );
  console.table(summary.byRoute);
  console.table(Object.entries(summary.byStatus).map(([status, count]) => ({ status, count })));
  const afterOk =
    run.after.ready === 200 &&
    run.after.eventPosted === 202 &&
    run.after.eventRead === 200 &&
    run.after.eventMatches;
  console.table([
    { measure: 'requests sent', value: summary.sent },
    { measure: '5xx answers (must be 0)', value: summary.serverErrors.length },
    { measure: 'no answer (connection closed, timeout)', value: summary.noAnswer.length },
    { measure: 'GET /ready afterwards', value: run.after.ready },
    {
      measure: 'a new event afterwards: POST, GET',
      value: `${run.after.eventPosted}, ${run.after.eventRead}`,
    },
  ]);
  if (summary.serverErrors.length > 0) {
    console.log(`\n${summary.serverErrors.length} requests answered 5xx:\n`);
    for (const r of summary.serverErrors) console.log(describeResult(r));
    const causes = new Map<string, number>();
    for (const entry of logged.filter((l) => l.msg === 'request failed')) {
      const cause = `${entry.err?.type ?? 'Error'}: ${(entry.err?.message ?? '').split('\n').at(-1)?.slice(0, 160)}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    console.log('\nCauses the server logged:');
    console.table([...causes].map(([cause, count]) => ({ count, cause })));
  }
  if (summary.noAnswer.length > 0) {
    console.log(`\n${summary.noAnswer.length} requests got no answer (first 5):`);
    for (const r of summary.noAnswer.slice(0, 5)) console.log(describeResult(r));
  }
  exitCode = summary.serverErrors.length === 0 && afterOk ? 0 : 1;
  if (!afterOk) console.error('\nThe system did not serve normally after the run: see the last table.');
} finally {
  await system.stop();
  await redis.stop();
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
