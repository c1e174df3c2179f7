// `npm run bench -- sends`: a 100,000-row CSV staged and planned (the use cases the API and the chunk job run), in
// seconds against the target of 60 s; and the process's peak memory staging 100,000 rows against 1,000,000 rows
// (streamed: it should stay flat).
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  closeContext,
  createSend,
  createSurvey,
  createWorkspace,
  defaultFollowupQuestion,
  runSend,
} from '@surveyflow/core';
import { reportRows } from '@surveyflow/testkit/bench';
import { benchServers, peakRss } from '@surveyflow/testkit/bench-servers';

const ROWS = Number(process.env.BENCH_SEND_ROWS ?? 100_000);
const BIG = Number(process.env.BENCH_SEND_BIG_ROWS ?? 1_000_000);
const TARGET_S = 60;
const MB = 1024 * 1024;

const servers = await benchServers();
const { ctx } = servers;
const { workspaceId } = await createWorkspace(ctx.database, { name: 'bench' });
const survey = await createSurvey(ctx.database, workspaceId, {
  kind: 'nps',
  name: 'Quarterly',
  question: { en: 'How likely are you to recommend us?' },
  followupQuestion: defaultFollowupQuestion,
  actions: [],
});

async function csvFile(name: string, rows: number) {
  const path = join(servers.dir, name);
  const out = createWriteStream(path);
  out.write('id,email,name,timezone,plan\n');
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${name}-${i},${name}${i}@example.com,Kim ${i},Europe/Warsaw,gold\n`)) {
      await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  out.end();
  await finished(out);
  return path;
}

const input = { surveyId: survey.id, channels: ['email' as const], sendAt: null, dryRun: false };
const small = await csvFile('s', ROWS);
const started = performance.now();
const { result: send, peak: smallPeak } = await peakRss(() =>
  createSend(ctx.database, workspaceId, input, createReadStream(small)),
);
const staged = (performance.now() - started) / 1000;
await runSend(ctx.database, send.id, () => new Date());
const seconds = (performance.now() - started) / 1000;
const [done] = await ctx.database.sql<{ invited: number; planned: number }[]>`
  select invited, planned from sends where id = ${send.id}`;

const big = await csvFile('b', BIG);
const bigStart = performance.now();
const { peak: bigPeak } = await peakRss(() =>
  createSend(ctx.database, workspaceId, { ...input, dryRun: true }, createReadStream(big)),
);
const bigStaged = (performance.now() - bigStart) / 1000;

console.table([
  { measure: `rows planned (of ${ROWS})`, value: done?.planned ?? 0 },
  { measure: 'invited', value: done?.invited ?? 0 },
  { measure: 'upload (staging) seconds', value: Number(staged.toFixed(1)) },
  { measure: 'upload + planning seconds', value: Number(seconds.toFixed(1)) },
  { measure: `peak RSS staging ${ROWS} rows, MB`, value: Math.round(smallPeak / MB) },
  { measure: `peak RSS staging ${BIG} rows, MB`, value: Math.round(bigPeak / MB) },
  { measure: `staging ${BIG} rows, seconds`, value: Number(bigStaged.toFixed(1)) },
]);
reportRows([
  {
    stage: `list send, ${ROWS}-row CSV staged and planned`,
    value: `${seconds.toFixed(1)} s`,
    target: `< ${TARGET_S} s`,
    met: seconds < TARGET_S,
  },
  {
    stage: `list send upload, peak RSS ${BIG} vs ${ROWS} rows`,
    value: `${Math.round(bigPeak / MB)} MB`,
    baseline: `${Math.round(smallPeak / MB)} MB`,
    ratio: bigPeak / smallPeak,
    target: '≤ 1.5× (flat)',
    met: bigPeak / smallPeak <= 1.5,
  },
]);
await closeContext(ctx);
await servers.stop();
