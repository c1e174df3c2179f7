// The console's static assets: read once at start, served under a name carrying their hash, cached for a year.
// One stylesheet: the shared design tokens, console.css, then every assets/pages/*.css in name order (each page's own rules in its own file).
// Scripts are small progressive enhancements, one file each under assets/scripts/: pages work without them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { normalizeHex, tokensCss } from '@surveyflow/core';

type Asset = { path: string; body: string; type: string };

const dir = new URL('./assets/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
const listed = (sub: string, ext: string) =>
  readdirSync(new URL(`${sub}/`, dir))
    .filter((f) => f.endsWith(ext))
    .sort();

function fingerprinted(name: string, body: string, type: string, ext: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/app/assets/${name}.${hash}.${ext}`, body, type };
}

const css = fingerprinted(
  'console',
  // The design tokens come from core (domain/design-tokens.ts), the same the survey pages use.
  [tokensCss(), read('console.css'), ...listed('pages', '.css').map((f) => read(`pages/${f}`))].join('\n'),
  'text/css; charset=utf-8',
  'css',
);

const scripts = Object.fromEntries(
  listed('scripts', '.js').map((f) => {
    const name = f.replace(/\.js$/, '');
    return [name, fingerprinted(name, read(`scripts/${f}`), 'text/javascript; charset=utf-8', 'js')];
  }),
) as Record<string, Asset>;

/** Each asset by its fingerprinted URL: a changed file gets a new URL, so a cached old one is never served. */
export const assets = { css, scripts, all: [css, ...Object.values(scripts)] };

/** The URL of a script under assets/scripts/ by its file name without `.js` (throws at render for a missing one). */
export function scriptPath(name: string): string {
  const found = scripts[name];
  if (!found) throw new Error(`no console script assets/scripts/${name}.js`);
  return found.path;
}

/** The stylesheet that lays a workspace's accent colour over the console's (none for Surveyflow's own); served by routes/settings.ts. */
export function accentStylesheet(accent: string | null | undefined): string | null {
  const hex = accent ? normalizeHex(accent) : null;
  return hex ? `/app/assets/accent/${hex.slice(1)}.css` : null;
}
