// Colour contrast by the WCAG 2.x formulas (relative luminance, contrast ratio), and what a workspace's accent colour must meet.

/** #rgb or #rrggbb (any case) as lowercase #rrggbb; null for anything else. */
export function normalizeHex(input: string): string | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(input.trim());
  if (!m?.[1]) return null;
  const h = m[1].toLowerCase();
  return `#${h.length === 3 ? [...h].map((c) => c + c).join('') : h}`;
}

const channels = (hex: string): [number, number, number] => {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

const toHex = (rgb: readonly number[]) =>
  `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/** WCAG 2.x relative luminance of an sRGB colour (#rrggbb): 0 for black, 1 for white. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker: from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** `weight` of `other` mixed into `hex` (0: hex itself, 1: other), per sRGB channel. */
export function mix(hex: string, other: string, weight: number): string {
  const a = channels(hex);
  const b = channels(other);
  return toHex(a.map((c, i) => c + ((b[i] ?? 0) - c) * weight));
}

/** WCAG 2.x level AA for normal-size text. */
export const AA_TEXT = 4.5;

/** Of the candidates, the text colour that reads best on `background` (the first on a tie). */
export function bestTextOn(background: string, candidates: readonly string[]): string {
  let best = candidates[0] ?? '#ffffff';
  for (const c of candidates) if (contrastRatio(c, background) > contrastRatio(best, background)) best = c;
  return best;
}

export type AccentCheck =
  | { ok: true; accent: string }
  | { ok: false; ratio: number; needed: number; suggestion: string };

/**
 * An accent colour is used as link and label text on every surface in `surfaces` (white cards, the grey
 * page) and as the background of buttons: it must reach AA (4.5:1) against each surface. When it does
 * not, the suggestion is the nearest darker shade of it (mixed towards black in 1 % steps) that does.
 */
export function checkAccent(hex: string, surfaces: readonly string[]): AccentCheck {
  const worst = (c: string) => Math.min(...surfaces.map((s) => contrastRatio(c, s)));
  const ratio = worst(hex);
  if (ratio >= AA_TEXT) return { ok: true, accent: hex };
  let suggestion = hex;
  for (let step = 1; step <= 100 && worst(suggestion) < AA_TEXT; step++)
    suggestion = mix(hex, '#000000', step / 100);
  return { ok: false, ratio, needed: AA_TEXT, suggestion };
}
