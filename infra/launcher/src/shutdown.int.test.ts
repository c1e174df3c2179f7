// runUntilSignal in a real process: a signal stops in order; a second one, an error or the timeout ends it anyway.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@surveyflow/testkit';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function run(...args: string[]) {
  const child: ChildProcess = spawn(
    join(root, 'node_modules/.bin/tsx'),
    [join(import.meta.dirname, 'shutdown-fixture.ts'), ...args],
    { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited, ready: () => waitFor(() => output.includes('ready')) };
}

/** A line of a stack trace. */
const STACK = /^\s+at /m;

describe('runUntilSignal', () => {
  test('Ctrl-C (SIGINT) finishes the work in progress and exits 0, with one line and no stack trace', async () => {
    const p = run('quick');
    await p.ready();
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('SIGINT: finishing work in progress, then stopping');
    expect(p.output()).toContain('stopped cleanly');
    expect(p.output()).not.toMatch(STACK);
  });

  test('a second signal while stopping exits at once', async () => {
    const p = run('hang');
    await p.ready();
    p.child.kill('SIGTERM');
    await waitFor(() => p.output().includes('SIGTERM: finishing'));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(130);
    expect(p.output()).toContain('SIGTERM again: exiting without waiting');
  });

  test('a stop that does not finish within the timeout is cut short', async () => {
    const p = run('hang');
    await p.ready();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('did not finish within 1000 ms');
  });

  test.each([
    ['throw', 'boom from a timer'],
    ['reject', 'a promise nobody awaited'],
  ])(
    'an uncaught error (%s) is logged with its stack, then the process stops cleanly and exits 1',
    async (trouble, message) => {
      const p = run('quick', trouble);
      expect(await p.exited).toBe(1);
      expect(p.output()).toContain(message);
      expect(p.output()).toMatch(STACK);
      expect(p.output()).toContain('stopped cleanly');
    },
  );
});
