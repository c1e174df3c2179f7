#!/usr/bin/env node
// Entry for `npm start`, `npm test`, `npm run bench`, `npm run fuzz`, `npm run chaos` and `npm run send` on a fresh clone: installs what is missing, then runs.
// Plain JavaScript with no dependencies, because it runs before `npm ci` has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [command, ...rest] = process.argv.slice(2);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(
    `Surveyflow needs Node.js 20.19 or newer (found ${process.versions.node}). Install it from https://nodejs.org or with nvm: nvm install 20`,
  );
}

ensureNodeModules();
if (command === 'test') {
  ensureChromium();
  ensurePostgresTools();
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const commands = {
  start: [bin('tsx'), ['infra/launcher/src/main.ts', ...rest]],
  test: [bin('vitest'), ['run', ...rest]],
  bench: [bin('tsx'), ['infra/launcher/src/bench/main.ts', ...rest]],
  fuzz: [bin('tsx'), ['infra/launcher/src/fuzz/main.ts', ...rest]],
  chaos: [bin('tsx'), ['infra/launcher/src/chaos/main.ts', ...rest]],
  send: [bin('tsx'), ['infra/launcher/src/send/main.ts', ...rest]],
};
const entry = commands[command];
if (!entry) fail(`unknown command "${command}"; use start, test, bench, fuzz, chaos or send`);

// The child runs in a process group of its own, so a terminal's Ctrl-C reaches only this process, which passes it
// on: the child then stops in order, its own Postgres and redis-server last. (In the terminal's group they got the
// Ctrl-C too and quit first, and the stop hung on a Redis that was gone.) One Ctrl-C may arrive twice at once (from
// the terminal and from npm passing it on): it is passed on once, since a second one means "exit now".
// This process waits for the child to finish its clean shutdown and exits as it did. (The price: a SIGKILL of this
// process's group no longer reaches the child; SIGINT, SIGTERM and SIGHUP do, through here.)
const child = spawn(entry[0], entry[1], { cwd: root, stdio: 'inherit', detached: true });
const passedOn = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (passedOn.get(signal) ?? 0) < 200) return;
    passedOn.set(signal, now);
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  const stale =
    !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
  if (!stale) return;
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.error(`Installing dependencies (npm ${args[0]}) …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm ${args[0]} failed; fix the error above and run the command again`);
}

/** Page tests drive Debian's chromium; install it where we can (Debian/Ubuntu as root), else say how. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('Installing chromium for the browser tests (apt-get install chromium) …');
    const r = spawnSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status === 0) return;
  }
  fail(
    'the browser tests need Chromium at /usr/bin/chromium: on Debian/Ubuntu run "sudo apt-get install chromium"',
  );
}

/** The backup test needs pg_dump, pg_restore and initdb of one version: Debian's postgresql package has them. */
function ensurePostgresTools() {
  const debian = '/usr/lib/postgresql';
  const has =
    existsSync(debian) && readdirSync(debian).some((v) => existsSync(join(debian, v, 'bin', 'initdb')));
  if (has) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('Installing postgresql for the backup test (apt-get install postgresql) …');
    const r = spawnSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status === 0) return;
  }
  console.error(
    'surveyflow: the backup test needs pg_dump, pg_restore and initdb: on Debian/Ubuntu run "sudo apt-get install postgresql"',
  );
}

function fail(message) {
  console.error(`surveyflow: ${message}`);
  process.exit(1);
}
