// The WCAG 2.x contrast formulas against published values, and what the accent rules promise for any colour.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accentColorSchema } from './branding.ts';
import {
  AA_TEXT,
  bestTextOn,
  checkAccent,
  contrastRatio,
  normalizeHex,
  relativeLuminance,
} from './contrast.ts';
import { accentSurfaces, accentTokens, tokens, tokensCss } from './design-tokens.ts';

const hex = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);

describe('WCAG 2.x contrast', () => {
  // Definitions: https://www.w3.org/TR/WCAG22/#dfn-relative-luminance and #dfn-contrast-ratio.
  // Ratios as the WebAIM Contrast Checker (https://webaim.org/resources/contrastchecker/) reports them, to two decimals.
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#767676', '#ffffff', 4.54],
    ['#777777', '#ffffff', 4.48],
    ['#0000ff', '#ffffff', 8.59],
    ['#ff0000', '#ffffff', 4],
    ['#008000', '#ffffff', 5.14],
    ['#4f46e5', '#ffffff', 6.29],
  ])('%s on %s is %s:1', (fg, bg, ratio) => {
    expect(Math.round(contrastRatio(fg, bg) * 100) / 100).toBe(ratio);
  });

  it('relative luminance runs from 0 (black) to 1 (white)', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
  });

  it('a ratio is symmetric and between 1 and 21', () => {
    fc.assert(
      fc.property(hex, hex, (a, b) => {
        const r = contrastRatio(a, b);
        expect(r).toBeCloseTo(contrastRatio(b, a), 12);
        expect(r).toBeGreaterThanOrEqual(1);
        expect(r).toBeLessThanOrEqual(21 + 1e-9);
      }),
    );
  });

  it('reads #rgb and #RRGGBB, refuses the rest', () => {
    expect(normalizeHex('#0F766E')).toBe('#0f766e');
    expect(normalizeHex('#abc')).toBe('#aabbcc');
    expect(normalizeHex('red')).toBeNull();
    expect(normalizeHex('#12345')).toBeNull();
  });
});

describe('the accent colour', () => {
  it('is accepted exactly when it reaches AA on every surface; a refused one comes with a darker shade that does', () => {
    fc.assert(
      fc.property(hex, (colour) => {
        const check = checkAccent(colour, accentSurfaces);
        const worst = Math.min(...accentSurfaces.map((s) => contrastRatio(colour, s)));
        if (check.ok) expect(worst).toBeGreaterThanOrEqual(AA_TEXT);
        else {
          expect(worst).toBeLessThan(AA_TEXT);
          for (const s of accentSurfaces)
            expect(contrastRatio(check.suggestion, s)).toBeGreaterThanOrEqual(AA_TEXT);
          expect(relativeLuminance(check.suggestion)).toBeLessThanOrEqual(relativeLuminance(colour));
        }
      }),
    );
  });

  it('gets button text (white or the body colour) that reads at AA on it, whichever reads better', () => {
    fc.assert(
      fc.property(hex, (colour) => {
        const { accent, onAccent } = accentTokens(colour);
        expect(contrastRatio(onAccent, accent)).toBeGreaterThanOrEqual(AA_TEXT);
        expect(onAccent).toBe(bestTextOn(accent, [tokens.onAccent, tokens.text]));
      }),
    );
  });

  it('as the API and the console take it: stored as #rrggbb, refused below AA naming the ratio and a shade', () => {
    expect(accentColorSchema.parse('#0F766E')).toBe('#0f766e');
    const refused = accentColorSchema.safeParse('#facc15');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(
      /^has a contrast of 1\.\d\d:1 .* #[0-9a-f]{6} is the nearest darker shade/,
    );
    expect(accentColorSchema.safeParse('teal').success).toBe(false);
  });

  it('is laid over the shared tokens; a colour that fails gives the default look', () => {
    expect(tokensCss('#0f766e')).toContain('--accent: #0f766e;');
    expect(tokensCss('#facc15')).toContain(`--accent: ${tokens.accent};`);
    expect(tokensCss()).toContain('--radius-card: 16px;');
  });
});
