// Keeps docs/architecture.md honest: every repository file it names in backticks exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8');

/** Backticked paths that look like repository files; ones leaving the repository (../) are not ours to check. */
const named = [
  ...new Set(
    [...doc.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? '').filter((p) => /\/.*\.(ts|md|sql|json)$/.test(p)),
  ),
  // Paths that leave the repo, and URL paths (`/openapi.json`), are not files of ours.
].filter((p) => !p.startsWith('../') && !p.startsWith('/'));

/** A path, or a glob with `*` in its last segment (`packages/core/src/domain/rules/*.test.ts`), names something on disk. */
function exists(p: string): boolean {
  const file = p.replace(/^\/+/, '');
  if (!file.includes('*')) return existsSync(path.join(repoRoot, file));
  const dir = path.join(repoRoot, path.dirname(file));
  const pattern = new RegExp(
    `^${path
      .basename(file)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')}$`,
  );
  return existsSync(dir) && readdirSync(dir).some((name) => pattern.test(name));
}

describe('docs/architecture.md', () => {
  it('names files', () => {
    expect(named.length).toBeGreaterThan(20);
  });

  it.each(named)('names %s, which exists', (p) => {
    expect(exists(p), `${p} is named in docs/architecture.md but is not in the repository`).toBe(true);
  });
});
