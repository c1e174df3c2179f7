// The widget goes on every page of a shop: it stays small (the budget is 15 KB gzipped) and has no imports.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

for (const file of ['w.js', 'kiosk.js']) {
  test(`${file} is under 15 KB gzipped and loads nothing else`, () => {
    const source = readFileSync(new URL(file, import.meta.url), 'utf8');
    const gzipped = gzipSync(source, { level: 9 }).length;
    console.log(`${file}: ${source.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(15 * 1024);
    expect(source).not.toMatch(/\bimport\s*[({'"]|\brequire\(/);
  });
}
