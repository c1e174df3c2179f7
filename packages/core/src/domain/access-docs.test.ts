// Keeps the README's access table equal to the code's (domain/access.ts): one table, written once, shown twice.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { permissions } from './access.ts';

const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');

const list = (items: readonly string[]) => (items.length ? items.map((i) => `\`${i}\``).join(', ') : '—');

/** The table's rows as the code has them: permission, what it allows, member roles, API-key scopes. */
const accessRows = () =>
  Object.entries(permissions).map(([name, g]) => [`\`${name}\``, g.what, list(g.roles), list(g.scopes)]);

/** The rows of the README table under "API keys and scopes" that starts with `| permission`. */
function readmeRows(): string[][] {
  const section = readme.split(/^### API keys and scopes$/m)[1] ?? '';
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| permission'));
  if (start === -1) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe("the README's access table", () => {
  it('is the permission table of domain/access.ts, row for row', () => {
    expect(readmeRows()).toEqual(accessRows());
  });
});
