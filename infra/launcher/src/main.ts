// `npm start`: everything on one machine — Postgres and Redis started locally unless URLs are given, then the whole system.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  bootstrapOwner,
  bootstrapWorkspace,
  type Config,
  createLogger,
  type Logger,
  loadConfig,
  signInUrl,
} from '@surveyflow/core';
import { runUntilSignal } from '@surveyflow/http';
import { startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { startSystem } from './system.ts';

await runUntilSignal(async () => {
  // On loopback unless HOST says otherwise: the banner's sign-in link, the printed key and the dev outbox (which
  // holds every sign-in link mailed) are for whoever sits at this machine, not for the network it is on.
  const base = loadConfig({ ...process.env, HOST: process.env.HOST || '127.0.0.1' });
  const dataDir = resolve(base.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let databaseUrl = base.DATABASE_URL;
    if (!databaseUrl) {
      console.error(`Starting embedded Postgres in ${join(dataDir, 'postgres')} …`);
      const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    let redisUrl = base.REDIS_URL;
    if (!redisUrl) {
      console.error(`Starting redis-server in ${join(dataDir, 'redis')} …`);
      const redis = await startRedisServer({ dataDir: join(dataDir, 'redis') });
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    const secret = base.SECRET_KEY ?? (await rememberedSecret(dataDir));
    const config = { ...base, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, SECRET_KEY: secret };
    const system = await startSystem(config, { log: terminalLogger(config) });
    stops.push(system.stop);

    const boot = await bootstrapWorkspace(system.ctx.database, {
      apiKey: config.BOOTSTRAP_API_KEY,
      name: config.BOOTSTRAP_WORKSPACE_NAME,
      alertEmail: config.ALERT_EMAIL,
      timezone: config.DEFAULT_TIMEZONE,
    });
    const apiKey = config.BOOTSTRAP_API_KEY ?? (await rememberedKey(dataDir, boot.generatedKey));
    // The first workspace's owner, and a fresh one-time link for this start's banner.
    const owner = await bootstrapOwner(system.ctx.database, {
      email: config.BOOTSTRAP_OWNER_EMAIL,
      workspaceId: boot.workspaceId,
      now: new Date(),
      secret: config.SECRET_KEY,
    });
    const signIn = { email: config.BOOTSTRAP_OWNER_EMAIL, url: signInUrl(config.PUBLIC_URL, owner.token) };
    printBanner(config, apiKey, outboxNote(config.DEV_OUTBOX, config.SMS_DEV_OUTBOX), signIn);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return async () => {
    await stopAll();
    console.error('Stopped cleanly.');
  };
});

/**
 * Someone watching a terminal gets readable lines (pino-pretty, written synchronously so the last
 * lines before Ctrl-C are not lost); a pipe, a file or production gets JSON, one object a line.
 */
function terminalLogger(config: Config): Logger {
  if (!process.stdout.isTTY || config.NODE_ENV === 'production') return createLogger(config);
  return pino(
    { level: config.LOG_LEVEL, base: { service: 'surveyflow' } },
    pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }),
  );
}

/** The generated key is shown once by the API; for a local install we keep it in DATA_DIR so every start can print it. */
async function rememberedKey(dataDir: string, generated: string | null): Promise<string | null> {
  const file = join(dataDir, 'api-key');
  if (generated) {
    await writeFile(file, `${generated}\n`);
    await chmod(file, 0o600);
    return generated;
  }
  return (await readFile(file, 'utf8').catch(() => '')).trim() || null;
}

/** A local install generates its secret once and keeps it beside its data (set SECRET_KEY to choose one). */
async function rememberedSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'secret-key');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** What the dev outbox holds, if anything: mail without SMTP_URL, texts without a Twilio account. */
function outboxNote(mail: boolean, sms: boolean): string | null {
  if (mail && sms) return 'no SMTP_URL or Twilio account set: mail and texts are kept here, not sent';
  if (mail) return 'no SMTP_URL set: mail is kept here, not sent';
  return sms ? 'no Twilio account set: texts are kept here, not sent' : null;
}

function printBanner(
  config: Config,
  apiKey: string | null,
  outbox: string | null,
  signIn: { email: string; url: string },
) {
  const url = config.PUBLIC_URL;
  const key = apiKey ?? '(unknown: set BOOTSTRAP_API_KEY, or delete DATA_DIR to start afresh)';
  const lines = [
    '',
    'Surveyflow is running.',
    '',
    `  Console      ${signIn.url}`,
    `               (signs you in as ${signIn.email}, owner; works once, for 15 minutes; later: ${url}/app)`,
    `  API          ${url}/v1   (reference ${url}/docs; Authorization: Bearer ${key})`,
    `  Survey pages ${url}/s/<token>`,
    `  Health       ${url}/health  ·  ${url}/ready`,
    outbox ? `  Dev outbox   ${url}/dev/outbox   (${outbox})` : '',
    `  Metrics      ${url}/metrics${config.METRICS_TOKEN ? '   (Authorization: Bearer $METRICS_TOKEN)' : ''}`,
    config.ADMIN_TOKEN
      ? `  Queues       ${url}/admin/queues?token=$ADMIN_TOKEN   (once; a cookie keeps you in)`
      : '  Queues       set ADMIN_TOKEN (16+ characters, e.g. openssl rand -hex 16) to open the dashboard at /admin/queues',
    '',
    'Try it — this sends a survey invitation to the dev outbox:',
    '',
    `  curl -s ${url}/v1/events -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
    `    -d '{"id":"order-1000","type":"order.delivered","contact":{"id":"cust-41","email":"jane@example.com","name":"Jane"},"properties":{"orderId":"1000"}}'`,
    '',
    'Ctrl-C stops everything cleanly.',
    '',
  ];
  console.log(lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n'));
}
