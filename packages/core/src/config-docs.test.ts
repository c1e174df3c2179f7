// Keeps the README's configuration table equal to config.ts: every variable the code reads is in it, nothing else
// is, and each default it names is the one loadConfig gives.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from './config.ts';

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

/** The rows of the table under "## Configuration": the variables of the first cell, and the default cell. */
function readmeRows(): { variables: string[]; defaults: string }[] {
  const section = (readme.split(/^## Configuration$/m)[1] ?? '').split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((line) => {
      const [names = '', defaults = ''] = line.slice(1, -1).split(' | ');
      return { variables: [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''), defaults };
    });
}

/**
 * What the default cell says each variable defaults to, in order: "`3000` / `0.0.0.0` (…)" is two literal
 * defaults; a part that does not start with a literal ("unset → dev outbox", "generated", "—") says there is none.
 */
function statedDefaults(cell: string, count: number): (string | null)[] {
  const parts = cell.trim().split(' / ');
  return Array.from({ length: count }, (_, i) => {
    const part = (parts[i] ?? parts[0] ?? '').trim();
    const literal = /^`([^`]*)`/.exec(part);
    return literal ? (literal[1] ?? '').replace('$PORT', '3000') : null;
  });
}

describe("the README's configuration table", () => {
  it('names every variable config.ts reads, and no other', () => {
    const documented = readmeRows().flatMap((r) => r.variables);
    expect([...documented].sort()).toEqual([...configVariables].sort());
  });

  it('gives the defaults loadConfig gives', () => {
    const config: Record<string, unknown> = loadConfig({});
    const wrong = readmeRows().flatMap(({ variables, defaults }) =>
      statedDefaults(defaults, variables.length).flatMap((stated, i) => {
        const name = variables[i] ?? '';
        const actual = config[name];
        const none = actual === undefined || (Array.isArray(actual) && actual.length === 0);
        const ok = stated === null ? none : String(actual) === stated;
        return ok
          ? []
          : [`${name}: README says ${stated ?? 'no default'}, loadConfig gives ${String(actual)}`];
      }),
    );
    expect(wrong).toEqual([]);
  });
});
