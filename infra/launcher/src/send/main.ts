// `npm run send -- contacts.csv --survey <id> --channel email`: uploads a CSV to POST /v1/sends and follows
// GET /v1/sends/:id until the send is done, as a progress bar on a terminal and as plain lines elsewhere.
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';

type Progress = {
  read: number;
  planned: number;
  invited: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  bad: number;
  sent: number;
  answered: number;
};
type Send = {
  id: string;
  state: string;
  dryRun: boolean;
  progress: Progress;
  firstBad: { line: number; reason: string }[];
};

const usage = `usage: npm run send -- <contacts.csv> --survey <survey id> --channel email [--channel sms]
       [--at <ISO date-time>] [--window-start HH:MM --window-end HH:MM] [--throttle-days N]
       [--sample-rate 0..1] [--dry-run] [--url <base url>] [--key <API key>] [--interval <ms>]
The API key and address come from --key / --url or SURVEYFLOW_KEY / SURVEYFLOW_URL (default http://127.0.0.1:3000).`;

function fail(message: string, code = 2): never {
  console.error(`send: ${message}`);
  process.exit(code);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        survey: { type: 'string' },
        channel: { type: 'string', multiple: true },
        at: { type: 'string' },
        'window-start': { type: 'string' },
        'window-end': { type: 'string' },
        'throttle-days': { type: 'string' },
        'sample-rate': { type: 'string' },
        'dry-run': { type: 'boolean' },
        url: { type: 'string' },
        key: { type: 'string' },
        interval: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${usage}`);
  }
})();

if (values.help) {
  console.log(usage);
  process.exit(0);
}
const file = positionals[0];
if (!file) fail(`which CSV file?\n${usage}`);
if (!existsSync(file)) fail(`no such file: ${file}`);
if (!values.survey) fail(`--survey is required\n${usage}`);
if (!values.channel?.length) fail(`--channel is required (email or sms, in the order to try)\n${usage}`);
const base = (values.url ?? process.env.SURVEYFLOW_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const key = values.key ?? process.env.SURVEYFLOW_KEY;
if (!key) fail('an API key is needed: --key or SURVEYFLOW_KEY (scope write or admin)');
const interval = Number(values.interval ?? 500);

const query = new URLSearchParams({ surveyId: values.survey });
for (const c of values.channel) query.append('channel', c);
if (values.at) query.set('at', values.at);
if (values['window-start']) query.set('windowStart', values['window-start']);
if (values['window-end']) query.set('windowEnd', values['window-end']);
if (values['throttle-days']) query.set('throttleDays', values['throttle-days']);
if (values['sample-rate']) query.set('sampleRate', values['sample-rate']);
if (values['dry-run']) query.set('dryRun', 'true');
const headers = { authorization: `Bearer ${key}` };

async function call(method: string, path: string, init: RequestInit = {}): Promise<Send> {
  const res = await fetch(`${base}${path}`, { method, ...init, headers: { ...headers, ...init.headers } });
  const body = (await res.json().catch(() => ({}))) as Send & {
    error?: { message: string; details?: { field: string; message: string }[] };
  };
  if (!res.ok) {
    const details = body.error?.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
    fail(
      `${method} ${path} answered ${res.status}: ${details || body.error?.message || 'no reason given'}`,
      1,
    );
  }
  return body;
}

const started = await call('POST', `/v1/sends?${query}`, {
  // Streamed from disk: a file of a million rows is never held in memory.
  body: Readable.toWeb(createReadStream(file)) as ReadableStream,
  headers: { 'content-type': 'text/csv' },
  duplex: 'half',
} as RequestInit);
console.log(
  `send ${started.id}: ${started.progress.read} rows read from ${basename(file)}${started.dryRun ? ' (dry run)' : ''}`,
);

const tty = Boolean(process.stdout.isTTY);
const bar = tty
  ? new cliProgress.SingleBar(
      {
        format:
          ' {bar} {percentage}% | {value}/{total} rows | invited {invited} skipped {skipped} bad {bad} | {state}',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    )
  : null;
const fields = (s: Send) => ({
  invited: s.progress.invited,
  skipped: s.progress.skipped,
  bad: s.progress.bad,
  state: s.state,
});
bar?.start(Math.max(started.progress.read, 1), started.progress.planned, fields(started));

let current = started;
let lastLine = '';
for (;;) {
  current = await call('GET', `/v1/sends/${started.id}`);
  const p = current.progress;
  if (bar) bar.update(p.planned, fields(current));
  else {
    const line = `${current.state}: ${p.planned}/${p.read} planned, ${p.invited} invited, ${p.skipped} skipped, ${p.bad} bad`;
    if (line !== lastLine) console.log(line);
    lastLine = line;
  }
  if (current.state === 'done' || current.state === 'cancelled') break;
  await new Promise((r) => setTimeout(r, interval));
}
bar?.stop();

const p = current.progress;
for (const b of current.firstBad) console.log(`  bad line ${b.line}: ${b.reason}`);
if (p.bad > current.firstBad.length) {
  console.log(`  … ${p.bad - current.firstBad.length} more: GET /v1/sends/${current.id}/rows?outcome=bad`);
}
const reasons = Object.entries(p.skippedByReason)
  .map(([reason, n]) => `${reason} ${n}`)
  .join(', ');
console.log(
  `${current.state}: read ${p.read}, invited ${p.invited}, skipped ${p.skipped}${reasons ? ` (${reasons})` : ''}, bad ${p.bad}`,
);
