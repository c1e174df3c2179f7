// A real redis-server child process, for `npm start` and tests; installed with apt-get where that is possible.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { freePort } from './ports.ts';

export type LocalRedis = { url: string; stop(): Promise<void> };

export type RedisServerOptions = {
  dataDir: string;
  port?: number;
  /** Server output, line by line; silent by default (the last lines are kept for error messages). */
  onLog?: (line: string) => void;
};

const APT_INSTALL =
  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server';

const HOW_TO_GET_REDIS = [
  'redis-server was not found on PATH. Either:',
  '  • install it: sudo apt-get install redis-server   (Debian/Ubuntu)',
  '                sudo dnf install redis               (Fedora/RHEL)',
  '                brew install redis                   (macOS)',
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
    console.error(`redis-server not found on PATH; installing the Debian package: ${APT_INSTALL}`);
    try {
      execFileSync('sh', ['-c', APT_INSTALL], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      throw new Error(`installing redis-server with apt-get failed (see above).\n${HOW_TO_GET_REDIS}`);
    }
    if (onPath('redis-server')) return;
  }
  throw new Error(HOW_TO_GET_REDIS);
}

/** Starts redis-server on loopback with its append-only file in dataDir; resolves once it answers PING. */
export async function startRedisServer(opts: RedisServerOptions): Promise<LocalRedis> {
  ensureRedisServerBinary();
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes'],
    ...['--dir', dataDir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
    // BullMQ needs keys to stay: evicting them would lose jobs.
    ...['--maxmemory-policy', 'noeviction'],
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      opts.onLog?.(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // A server left behind would hold its port and its append-only file; 'exit' also runs on process.exit().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForPong(port, child, () => recent.join('\n'));
  } catch (err) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM is a clean SHUTDOWN: the append-only file is flushed before it exits.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForPong(port: number, child: ChildProcess, output: () => string): Promise<void> {
  let deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with status ${child.exitCode}:\n${output()}`);
    }
    const answer = await ping(port);
    if (answer === 'pong') return;
    // A large append-only file takes a while to load; Redis says so, and that is worth waiting for.
    if (answer === 'loading') deadline = Math.max(deadline, Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within 10 s:\n${output()}`);
}

function ping(port: number): Promise<'pong' | 'loading' | 'no answer'> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (answer: 'pong' | 'loading' | 'no answer') => {
      socket.destroy();
      done(answer);
    };
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      const reply = String(d);
      finish(reply.startsWith('+PONG') ? 'pong' : reply.startsWith('-LOADING') ? 'loading' : 'no answer');
    });
    socket.once('error', () => finish('no answer'));
    socket.once('timeout', () => finish('no answer'));
  });
}
