// The README's promise, kept by running it: `npm start` as a newcomer types it (infra/bin/surveyflow.mjs → main.ts, a
// real process), its banner, its one-click console link, and then every curl example of the README, in order, in one
// shell, literally — only the address, and what the README itself says to provide (HOOK_URL, logo.png,
// INSTANCE_ADMIN_TOKEN), are filled in. An example that stops working, or a section that stops being code, fails here.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@surveyflow/local-servers';
import { startHttpReceiver, waitFor } from '@surveyflow/testkit';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The README's fenced sh/bash blocks with the line each starts on. */
function shellBlocks(text: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  let open: { fence: string; line: number; body: string[] } | null = null;
  lines.forEach((l, i) => {
    const fence = /^\s*(`{3,})(\w*)\s*$/.exec(l);
    if (!open && fence) open = { fence: fence[1] ?? '```', line: i + 1, body: [] };
    else if (open && l.trim() === open.fence) {
      if (/^(sh|bash)$/.test(lines[open.line - 1]?.trim().slice(open.fence.length) ?? '')) {
        blocks.push({ line: open.line, code: open.body.join('\n') });
      }
      open = null;
    } else if (open) open.body.push(l.replace(/^ {2}/, ''));
  });
  return blocks;
}

/** The API examples: blocks that call curl, and are not about other commands (npm run, pg_dump, the services alone). */
const examples = shellBlocks(readme).filter(
  (b) => /\bcurl -/.test(b.code) && !/npm run|pg_dump|DATABASE_URL=/.test(b.code),
);

/** Every curl the examples make: its status and body go to stderr as well, so the shell's own output stays as it is. */
const prelude = [
  'curl() {',
  '  local body',
  `  body=$(command curl -w '%{stderr}@@STATUS %{http_code} %{method} %{url_effective}\\n' "$@"; printf x)`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's parameter expansion, not a template
  '  body=${body%x}',
  `  printf '%s' "$body"`,
  `  printf '@@BODY %s\\n' "$(printf '%s' "$body" | tr -d '\\000\\n')" >&2`,
  '}',
].join('\n');

type Call = { status: number; method: string; url: string; body: string; block: number };

/** The 4xx answers the examples show on purpose; any other 4xx (an unset variable, a renamed field) fails. */
const expectedRefusals: { status: number; method: string; url: RegExp; body?: RegExp; why: string }[] = [
  {
    status: 400,
    method: 'PATCH',
    url: /\/v1\/workspace$/,
    body: /"field":"accentColor"/,
    why: 'the → 400 example',
  },
  { status: 409, method: 'POST', url: /\/v1\/sends\/[0-9a-f-]+\/pause$/, why: '"409 once it is done"' },
];

describe('the README from a fresh start', () => {
  test('npm start prints its banner on loopback, the console link signs in, and every curl example answers as the README says', {
    timeout: 180_000,
  }, async () => {
    const port = await freePort();
    const home = mkdtempSync(join(tmpdir(), 'sf-quick-start-'));
    chmodSync(home, 0o755); // as root, the embedded Postgres runs as the `postgres` user, who must reach its data
    const hooks = await startHttpReceiver();
    const base = `http://localhost:${port}`;
    const instanceAdminToken = 'quick-start-instance-admin-token-0123';
    const child: ChildProcess = spawn(process.execPath, [join(root, 'infra/bin/surveyflow.mjs'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        // No DATABASE_URL or REDIS_URL: its own embedded Postgres and redis-server, as on a newcomer's machine.
        DATA_DIR: join(home, '.data'),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        INSTANCE_ADMIN_TOKEN: instanceAdminToken,
        // The webhook example's endpoint is a receiver on loopback.
        OUTBOUND_ALLOW_PRIVATE: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that Ctrl-C can reach the whole group, as a terminal's does.
      detached: true,
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('Ctrl-C stops everything cleanly.') || child.exitCode !== null, {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      expect(out).toContain('Surveyflow is running.');
      const key = /Authorization: Bearer (sf_live_[A-Za-z0-9_-]+)\)/.exec(out)?.[1] ?? '';
      expect(readFileSync(join(home, '.data/api-key'), 'utf8').trim()).toBe(key);
      for (const line of ['  Console      ', '  API          ', '  Dev outbox   ', '  Health       ']) {
        expect(out).toContain(line);
      }

      // Loopback only: the printed key, the sign-in link and the dev outbox are not the network's.
      const other = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (other) await expect(fetch(`http://${other}:${port}/health`)).rejects.toThrow();

      // The one-click console link: the page only asks; its button signs in and lands on the overview.
      const link = new RegExp(`${base}/app/sign-in/[A-Za-z0-9_-]+`).exec(out)?.[0] ?? '';
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const html = await page.text();
      const action =
        /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(html)?.[1] ?? link.slice(base.length);
      const fields = new URLSearchParams(
        [...html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map(
          (m) =>
            [/name="([^"]+)"/.exec(m[0])?.[1] ?? '', /value="([^"]*)"/.exec(m[0])?.[1] ?? ''] as [
              string,
              string,
            ],
        ),
      );
      const cookies = (r: Response) => r.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
      const signIn = await fetch(`${base}${action}`, {
        method: 'POST',
        body: fields,
        headers: { cookie: cookies(page).join('; ') },
        redirect: 'manual',
      });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe('/app');
      const overview = await fetch(`${base}/app`, {
        headers: { cookie: [...cookies(page), ...cookies(signIn)].join('; ') },
      });
      expect(overview.status).toBe(200);
      expect(await overview.text()).toContain('Demo shop');

      // Every example, in order, in one shell, as a reader pastes them into one terminal at the repository's root.
      writeFileSync(join(home, 'logo.png'), Buffer.from(PNG_1X1, 'base64'));
      const script = [
        prelude,
        ...examples.map(
          (b) => `echo "@@BLOCK ${b.line}" >&2\n${b.code.replaceAll('http://localhost:3000', base)}`,
        ),
      ].join('\n');
      const shell = await runShell(script, home, {
        HOOK_URL: hooks.url,
        INSTANCE_ADMIN_TOKEN: instanceAdminToken,
      });

      writeFileSync(join(home, 'shell.log'), shell.stderr);
      const calls: Call[] = [];
      const stray: string[] = [];
      let block = 0;
      for (const line of shell.stderr.split('\n')) {
        const status = /^@@STATUS (\d{3}) (\S+) (\S+)$/.exec(line);
        if (line.startsWith('@@BLOCK ')) block = Number(line.slice(8));
        else if (status) {
          calls.push({
            status: Number(status[1]),
            method: status[2] ?? '',
            url: status[3] ?? '',
            body: '',
            block,
          });
        } else if (line.startsWith('@@BODY ')) {
          const last = calls.at(-1);
          if (last) last.body = line.slice(7);
        } else if (line.trim() !== '') stray.push(`README line ${block}: ${line}`);
      }
      // The shell itself said nothing: no unset file, no script error, no variable that was never set.
      expect(stray).toEqual([]);
      expect(calls.length).toBeGreaterThan(60);
      const refused = calls.filter(
        (c) =>
          c.status >= 400 &&
          !expectedRefusals.some(
            (r) =>
              r.status === c.status &&
              r.method === c.method &&
              r.url.test(c.url) &&
              (!r.body || r.body.test(c.body)),
          ),
      );
      expect(
        refused.map(
          (c) => `README line ${c.block}: ${c.method} ${c.url} → ${c.status} ${c.body.slice(0, 300)}`,
        ),
      ).toEqual([]);

      // The walk-through answers what it says it answers.
      const walk = calls.filter((c) => c.block === examples[0]?.line);
      expect(walk[0]?.body).toBe('{"id":"order-1001","duplicate":false}');
      const metrics = walk.find((c) => c.url.includes('/v1/metrics?'));
      expect(JSON.parse(metrics?.body ?? '{}')).toMatchObject({
        kind: 'nps',
        n: 1,
        promoters: 0,
        passives: 0,
        detractors: 1,
        score: -100,
        ci: { low: -98.5, high: 48.5, level: 0.95 },
      });
      const resolved = walk.at(-1);
      expect(JSON.parse(resolved?.body ?? '{}')).toMatchObject({
        status: 'resolved',
        customerNotified: true,
      });
      // The webhook example's test delivery reached the endpoint, signed.
      await waitFor(() => hooks.requests.some((r) => r.body.includes('webhook.test')), { timeoutMs: 30_000 });
      expect(
        hooks.requests.find((r) => r.body.includes('webhook.test'))?.headers['webhook-signature'],
      ).toMatch(/^v1,/);
    } finally {
      // Ctrl-C: the terminal signals the whole foreground group (surveyflow.mjs waits for its child's clean stop).
      if (child.pid) process.kill(-child.pid, 'SIGINT');
      await hooks.close();
    }
    // Ctrl-C stops everything cleanly.
    expect(await exited).toBe(0);
    expect(out).toContain('SIGINT: finishing work in progress, then stopping…');
    expect(out).toContain('Stopped cleanly.');
    expect(out).not.toContain('again: exiting without waiting');
    // Kept only when something failed above, to look at (shell.log has every call).
    rmSync(home, { recursive: true, force: true });
  });
});

function runShell(script: string, cwd: string, env: Record<string, string>): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    const sh = spawn('bash', ['-c', script], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    sh.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
    });
    sh.once('error', reject);
    sh.once('exit', () => resolve({ stderr }));
  });
}

/** A 1×1 PNG: the README's logo.png, "your own PNG or JPEG". */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaGj4DwAFhAJ/wlseKgAAAABJRU5ErkJggg==';
