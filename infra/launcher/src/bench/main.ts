// `npm run bench`: every benchmark stage, one after another, each in its own process (so one stage's
// memory and connections never colour the next), then one summary table of every row with its baseline,
// ratio and target. `npm run bench -- <name> [<name> …]` runs only the stages whose file names contain a name.
//
// A stage is a script: `services/dispatcher/bench/ingest.ts` and every `infra/launcher/src/bench/*.bench.ts`.
// It prints its own detailed tables and reports its summary rows with `reportRows` (@surveyflow/testkit, bench-summary.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '@surveyflow/testkit/bench';
import { takeArguments } from '../cli.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);

const all = [
  join(root, 'services/dispatcher/bench/ingest.ts'),
  ...(await readdir(here))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => join(here, f)),
];
takeArguments(
  wanted,
  `usage: npm run bench [-- <name> …]   every stage, or only those whose file names contain a name

Stages:
${all.map((f) => `  ${f.slice(root.length)}`).join('\n')}

Each stage's own settings (BENCH_SECONDS, BENCH_MAILS, …) are in the README's Benchmark section.`,
  (a) => !a.startsWith('-'),
);
// The file's name, not its path: a checkout in ~/sends-work must not make `bench -- sends` run every stage.
const stages = all.filter((file) => wanted.length === 0 || wanted.some((w) => basename(file).includes(w)));
if (stages.length === 0) {
  console.error(`bench: no stage matches ${wanted.join(', ')}`);
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'sf-bench-'));
const summary = join(dir, 'rows.jsonl');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
let failed = 0;
for (const file of stages) {
  console.log(`\n=== ${file.slice(root.length)}\n`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(tsx, [file], { stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY: summary } });
    child.on('exit', resolve);
  });
  if (code !== 0) {
    failed++;
    console.error(`bench: ${file.slice(root.length)} exited with ${code}`);
  }
}

const rows: BenchRow[] = (await readFile(summary, 'utf8').catch(() => ''))
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as BenchRow);
await rm(dir, { recursive: true, force: true });
console.log('\n=== Summary (each ratio against a baseline measured in the same run)\n');
console.table(
  rows.map((r) => ({
    stage: r.stage,
    Surveyflow: r.value,
    baseline: r.baseline ?? '—',
    // A ratio that could not be had (a setup not run: NaN, which JSON carries as null) is a dash, not a crash.
    ratio: typeof r.ratio === 'number' && Number.isFinite(r.ratio) ? Number(r.ratio.toFixed(2)) : '—',
    target: r.target ?? '—',
    met: r.met === undefined ? '—' : r.met ? 'yes' : 'NO',
  })),
);
process.exit(failed ? 1 : 0);
