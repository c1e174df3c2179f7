// Services as separate OS processes (tsx), the way they run at scale, for tests that need real process boundaries.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');

export type ServiceProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

export function startServiceProcess(
  name: 'dispatcher' | 'collector' | 'worker',
  env: Record<string, string>,
): ServiceProcess {
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, `services/${name}/src/server.ts`)], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += String(d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
