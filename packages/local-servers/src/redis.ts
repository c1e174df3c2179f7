// A real redis-server child process, for `npm start` and tests; installed with apt-get where that is possible.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from './ports.ts';

export type LocalRedis = { url: string; stop(): Promise<void> };

const HOW_TO_GET_REDIS = [
  'redis-server was not found on PATH. Either:',
  '  • install it: sudo apt-get install redis-server   (Debian/Ubuntu)',
  '                brew install redis                  (macOS)',
  '  • or run one: docker run -d -p 6379:6379 redis:7-alpine   and set REDIS_URL=redis://localhost:6379',
  '  • or point REDIS_URL at any Redis 6.2+ you already have.',
].join('\n');

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Finds redis-server, installing it with apt-get when running as root on Debian/Ubuntu; otherwise says how. */
export function ensureRedisServerBinary(): void {
  if (onPath('redis-server')) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('redis-server not found: installing it with apt-get (Debian package redis-server) …');
    execFileSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (onPath('redis-server')) return;
  }
  throw new Error(HOW_TO_GET_REDIS);
}

export async function startRedisServer(opts: { dataDir: string; port?: number }): Promise<LocalRedis> {
  ensureRedisServerBinary();
  await mkdir(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dataDir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      // BullMQ needs keys to stay: evicting them would lose jobs.
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitForPong(port, child, () => stderr);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPong(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr()}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s: ${stderr()}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
