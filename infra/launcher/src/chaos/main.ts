// `npm run chaos`: 10,000 events (+10 % duplicates) over HTTP to the standalone services as separate processes, on
// their own embedded Postgres, redis-server and counting SMTP server, through worker SIGKILLs, a Redis kill -9, a
// FLUSHALL and an SMTP outage; prints one table and exits 1 when any invitation was lost or sent twice.
import { takeArguments } from '../cli.ts';

takeArguments(
  process.argv.slice(2),
  `usage: npm run chaos   (no arguments; loopback only; about 15 minutes; exits 1 when anything was lost or sent twice)

Settings, as environment variables:
  CHAOS_EVENTS=10000            events posted (plus 10 % duplicates)
  CHAOS_KILLS=6                 worker SIGKILLs
  CHAOS_INGEST_SECONDS=90       how long the events are spread over
  CHAOS_BATCH=100               events per POST /v1/events/batch
  CHAOS_SMTP_OUTAGE_SECONDS=45  the SMTP server answers 421 to every recipient this long
  CHAOS_SMTP_DOWN_SECONDS=15    the SMTP server is not listening this long
  CHAOS_TWILIO_REPLAYS=20       SMS contacts whose answers and callbacks are replayed
  CHAOS_SETTLE_SECONDS=900      the most it waits for everything to settle
  CHAOS_REDIS_KILL=0            no Redis kill -9
  CHAOS_FLUSHALL=0              no FLUSHALL
  CHAOS_SEED=<n>                the random seed (printed at the start)`,
);
// Loaded after the arguments are checked: --help answers at once instead of after the whole scenario's modules.
const { chaosTable, failed, runChaos } = await import('./index.ts');

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const plan = {
  events: env('CHAOS_EVENTS', 10_000),
  duplicateShare: 0.1,
  batchSize: env('CHAOS_BATCH', 100),
  ingestMs: env('CHAOS_INGEST_SECONDS', 90) * 1000,
  workers: 3,
  workerConcurrency: 8,
  workerKills: env('CHAOS_KILLS', 6),
  redisKill: env('CHAOS_REDIS_KILL', 1) === 1,
  flushAll: env('CHAOS_FLUSHALL', 1) === 1,
  smtpOutageMs: env('CHAOS_SMTP_OUTAGE_SECONDS', 45) * 1000,
  smtpDownMs: env('CHAOS_SMTP_DOWN_SECONDS', 15) * 1000,
  twilioReplays: env('CHAOS_TWILIO_REPLAYS', 20),
  // A bound, not a wait: the run ends once everything has settled; a loaded machine drains 10,000 sends slowly.
  settleTimeoutMs: env('CHAOS_SETTLE_SECONDS', 900) * 1000,
  seed: env('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31)),
  log: (line: string) => console.error(`chaos: ${line}`),
};
const faults = [
  `${plan.workerKills} worker SIGKILLs`,
  plan.redisKill ? 'redis kill -9' : '',
  plan.flushAll ? 'FLUSHALL' : '',
  plan.smtpOutageMs ? `SMTP outage ${plan.smtpOutageMs / 1000} s (standing in for 10 minutes)` : '',
  plan.smtpDownMs ? `SMTP server down ${plan.smtpDownMs / 1000} s (connection refused)` : '',
  plan.twilioReplays ? `${plan.twilioReplays} SMS invitations' answers and callbacks replayed` : '',
].filter(Boolean);
console.error(
  `chaos: ${plan.events} events (+10 % duplicates); ${faults.join(', ')}; CHAOS_SEED=${plan.seed}`,
);
const result = await runChaos(plan);
console.log('\nChaos run (loopback, real processes)\n');
console.table(chaosTable(result));
const bad = failed(result);
console.log(
  bad
    ? '\nFAILED: invitations were lost or sent twice, or a replay changed something (see above)'
    : '\nOK: nothing lost, nothing sent twice, replays changed nothing',
);
process.exit(bad ? 1 : 0);
