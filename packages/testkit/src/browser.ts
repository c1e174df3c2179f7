// Debian's Chromium for page tests, started the way this machine's closed network needs (no background calls home).
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it with "apt-get install chromium" (npm test does this as root)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** axe-core's WCAG violations on a page, as "rule: selector" lines (empty when it passes). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(
    `axe.run().then((r) => r.violations.flatMap((v) => v.nodes.map((n) => v.id + ': ' + n.target.join(' '))))`,
  );
}

/** Where page tests keep their screenshots, to be looked at (the README's come from here too). */
export const SCREENSHOTS = join(tmpdir(), 'surveyflow-screenshots');

/** Phone and desktop, the two widths every page is looked at. */
export const PAGE_SIZES = [
  { width: 360, height: 900 },
  { width: 1280, height: 900 },
] as const;

/**
 * Looks at a page at each size: a screenshot (SCREENSHOTS/<name>-<width>.png), nothing wider than the
 * screen, and (where the context runs scripts, which axe-core needs) no axe-core violation. Leaves the
 * page at the widest size, where journeys go on.
 */
export async function lookAt(
  page: Page,
  name: string,
  opts: { axe?: boolean; sizes?: readonly { width: number; height: number }[]; fullPage?: boolean } = {},
): Promise<void> {
  const sizes = opts.sizes ?? PAGE_SIZES;
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const size of sizes) {
    await page.setViewportSize(size);
    await page.screenshot({
      path: join(SCREENSHOTS, `${name}-${size.width}.png`),
      fullPage: opts.fullPage ?? true,
    });
    // A string, so this package needs no DOM types.
    const overflow: number = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, `${name} at ${size.width} px scrolls sideways`).toBeLessThanOrEqual(0);
    if (opts.axe ?? true) expect(await axeViolations(page), `${name} at ${size.width} px`).toEqual([]);
  }
  const widest = [...sizes].sort((a, b) => b.width - a.width)[0];
  if (widest) await page.setViewportSize(widest);
}
