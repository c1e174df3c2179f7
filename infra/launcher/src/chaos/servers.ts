// The processes the chaos run owns and breaks on purpose: a redis-server it can kill -9 and restart on the same port and
// data, and the standalone services as separate Node processes it can SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensureRedisServerBinary } from '@surveyflow/local-servers';

const root = join(import.meta.dirname, '../../../..');

/** One RESP command over a fresh connection; resolves with the first reply line (e.g. "+OK", ":3"). */
export function redisCommand(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const body = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => socket.write(body));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d).split('\r\n')[0] ?? '');
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`redis ${args[0]}: no answer within ${timeoutMs} ms`));
    });
  });
}

/** Which of these keys exist, asked in one pipelined round trip per chunk (EXISTS per key, so each answer is its own). */
export async function redisKeysExist(port: number, keys: string[], chunk = 500): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < keys.length; i += chunk) {
    const part = keys.slice(i, i + chunk);
    out.push(...(await existsPipelined(port, part)));
  }
  return out;
}

function existsPipelined(port: number, keys: string[]): Promise<boolean[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const body = keys.map((k) => `*2\r\n$6\r\nEXISTS\r\n$${Buffer.byteLength(k)}\r\n${k}\r\n`).join('');
    let buffered = '';
    socket.setTimeout(5000);
    socket.once('connect', () => socket.write(body));
    socket.on('data', (d) => {
      buffered += String(d);
      const lines = buffered.split('\r\n');
      if (lines.length - 1 < keys.length) return;
      socket.destroy();
      const answers = lines.slice(0, keys.length);
      const bad = answers.find((a) => a !== ':0' && a !== ':1');
      if (bad) reject(new Error(`redis EXISTS answered ${bad}`));
      else resolve(answers.map((a) => a === ':1'));
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('redis EXISTS: no answer within 5 s'));
    });
  });
}

/** A redis-server on a fixed port with its append-only file in dataDir, as local-servers starts it. */
export class ControlledRedis {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    ensureRedisServerBinary();
    await mkdir(this.dataDir, { recursive: true });
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--protected-mode', 'yes'],
        ...['--dir', this.dataDir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
        ...['--maxmemory-policy', 'noeviction'],
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answer = await redisCommand(this.port, ['PING'], 500).catch(() => '');
      if (answer === '+PONG') return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with status ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${this.port}`);
      await sleep(25);
    }
  }

  /** kill -9: whatever the append-only file had not fsynced yet (up to a second) is gone. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async flushAll(): Promise<void> {
    const answer = await redisCommand(this.port, ['FLUSHALL']);
    if (answer !== '+OK') throw new Error(`FLUSHALL answered ${answer}`);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export type ServiceName = 'dispatcher' | 'collector' | 'worker';

/**
 * A standalone service (services/<name>/src/server.ts) as one Node process, with tsx as a loader rather than the
 * tsx CLI: the CLI is a parent that relays signals, and a SIGKILL sent to it would leave the real service running.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<number | null> = Promise.resolve(null);
  private tail: string[] = [];
  /** Exits nobody asked for (not SIGKILLed or stopped by the run). */
  unexpectedExits = 0;
  private expectingExit = false;

  constructor(
    readonly name: ServiceName,
    readonly label: string,
    private readonly env: () => Record<string, string>,
  ) {}

  start(): void {
    this.expectingExit = false;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, `services/${this.name}/src/server.ts`)],
      { cwd: root, env: { PATH: process.env.PATH, ...this.env() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    // If the run itself dies, its services must not live on holding ports and connections.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const collect = (d: Buffer) => {
      for (const line of String(d).split('\n')) {
        if (!line.trim()) continue;
        this.tail.push(line);
        if (this.tail.length > 30) this.tail.shift();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exitedPromise = new Promise((resolve) =>
      child.once('exit', (code) => {
        if (!this.expectingExit) this.unexpectedExits++;
        resolve(code);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail.join('\n');
  }

  async kill9(): Promise<void> {
    this.expectingExit = true;
    this.child?.kill('SIGKILL');
    await this.exitedPromise;
  }

  /** SIGTERM (a clean stop), SIGKILL after the grace time. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.expectingExit = true;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exitedPromise;
    clearTimeout(timer);
    return code;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
