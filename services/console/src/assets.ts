// The console's static assets: read once at start, served under a name carrying their hash, cached for a year.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

type Asset = { path: string; body: string; type: string };

function fingerprinted(file: string, type: string, ext: string): Asset {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/app/assets/${file.replace(/\.[a-z]+$/, '')}.${hash}.${ext}`, body, type };
}

/** Each asset by its fingerprinted URL: a changed file gets a new URL, so a cached old one is never served. */
export const assets = { css: fingerprinted('console.css', 'text/css; charset=utf-8', 'css') };
