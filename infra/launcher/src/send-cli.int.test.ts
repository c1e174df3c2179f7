// `npm run send` against the real system on a port: uploads the CSV, follows the send and ends with its counts.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { SHOP_KEY, test } from './testing.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');

describe('npm run send', () => {
  test('sends a CSV, prints its progress as plain lines off a terminal, and ends with the counts', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const shop = await shopWith({ listen: true });
    const surveyId = (await shop.api('GET', '/v1/surveys')).json().data[0].id;
    const file = join(mkdtempSync(join(tmpdir(), 'sf-send-')), 'contacts.csv');
    const lines = ['id,email,phone'];
    for (let i = 0; i < 100; i++) lines.push(`cli-${i},cli${i}@example.com,`);
    lines.push('cli-bad,,0048600');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'infra/launcher/src/send/main.ts'),
        file,
        '--survey',
        surveyId,
        '--channel',
        'email',
        '--url',
        shop.publicUrl,
        '--interval',
        '200',
      ],
      { cwd: root, env: { PATH: process.env.PATH, SURVEYFLOW_KEY: SHOP_KEY } },
    );
    const out = stdout.trim().split('\n');
    expect(out[0]).toMatch(/^send [0-9a-f-]{36}: 101 rows read from contacts\.csv$/);
    expect(out).toContain('  bad line 102: invalid phone (E.164 such as +48600100200): 0048600');
    expect(out.at(-1)).toBe('done: read 101, invited 100, skipped 0, bad 1');
    await smtp.waitFor((m) => m.to.includes('cli99@example.com'), 30_000);
  });

  test('a file that is not there is named, and the exit status is 2', async () => {
    const err = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'infra/launcher/src/send/main.ts'), 'x.csv'],
      {
        cwd: root,
        env: { PATH: process.env.PATH },
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('no such file: x.csv');
  });
});
