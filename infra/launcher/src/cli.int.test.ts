// `npm run chaos|fuzz|bench -- --help` as a newcomer types it: the usage, at once, and nothing started.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../../..');

/** The npm scripts' entry, as `npm run <command> -- <args>` starts it; a run that starts for real is cut at 30 s. */
function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'infra/bin/surveyflow.mjs'), ...args],
      { cwd: root, env: { PATH: process.env.PATH }, timeout: 30_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number | null) : 0, stdout, stderr }),
    );
  });
}

describe('the long-running commands take --help', () => {
  // All at once: each is a process that loads its command's modules, a few seconds on a shared machine.
  const runs = {
    chaosHelp: run('chaos', '--help'),
    fuzzHelp: run('fuzz', '-h'),
    benchHelp: run('bench', '--help'),
    chaosNow: run('chaos', 'now'),
    benchStage: run('bench', '--stage=ingest'),
    benchLauncher: run('bench', 'launcher'),
  };

  test('chaos, fuzz and bench print their usage and exit 0 instead of starting a run', async () => {
    const [chaos, fuzz, bench] = await Promise.all([runs.chaosHelp, runs.fuzzHelp, runs.benchHelp]);
    expect(chaos).toMatchObject({ code: 0, stderr: '' });
    expect(chaos.stdout).toMatch(/^usage: npm run chaos/);
    expect(chaos.stdout).toContain('CHAOS_SEED');
    expect(fuzz).toMatchObject({ code: 0, stderr: '' });
    expect(fuzz.stdout).toContain('FUZZ_REQUESTS=20000');
    expect(bench).toMatchObject({ code: 0, stderr: '' });
    expect(bench.stdout).toContain('services/dispatcher/bench/ingest.ts');
    expect(bench.stdout).toContain('infra/launcher/src/bench/sending.bench.ts');
  }, 60_000);

  test('an argument a command does not take is named, with the usage, and the exit status is 2', async () => {
    const [chaos, bench] = await Promise.all([runs.chaosNow, runs.benchStage]);
    expect(chaos.code).toBe(2);
    expect(chaos.stderr).toContain('unknown argument "now"');
    expect(chaos.stderr).toContain('usage: npm run chaos');
    expect(bench.code).toBe(2);
    expect(bench.stderr).toContain('unknown argument "--stage=ingest"');
  }, 60_000);

  test('bench picks stages by their file names, not by the directories they sit in', async () => {
    // Every stage's path contains "launcher" or "dispatcher"; no stage's file name does.
    const r = await runs.benchLauncher;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bench: no stage matches launcher');
  }, 60_000);
});
