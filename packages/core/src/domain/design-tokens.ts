// The one look of the console and the survey pages: colours, type, radii and focus ring as CSS custom properties, with a
// workspace's accent colour laid over them. Both services put tokensCss() first in their styles and use only var(--…).
import { bestTextOn, checkAccent, mix, normalizeHex } from './contrast.ts';

export const tokens = {
  bg: '#f4f5f7',
  surface: '#ffffff',
  text: '#1f2430',
  muted: '#5b6270',
  line: '#d5d8de',
  /** Light fields (score buttons, inputs at rest). */
  field: '#f8f9fb',
  accent: '#4f46e5',
  accentDark: '#4338ca',
  onAccent: '#ffffff',
  focus: '#a5b4fc',
  noticeBg: '#eef2ff',
  noticeText: '#3730a3',
  danger: '#b42318',
  dangerBg: '#fef3f2',
  radius: '10px',
  radiusCard: '16px',
  shadow: '0 1px 3px rgba(0, 0, 0, 0.08), 0 8px 24px rgba(0, 0, 0, 0.04)',
  font: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
} as const;

/** The surfaces accent-coloured text sits on: cards and the grey page (the email's score buttons are lighter still than the page). */
export const accentSurfaces = [tokens.surface, tokens.bg] as const;

export type AccentTokens = { accent: string; accentDark: string; onAccent: string; focus: string };

/**
 * The accent and what follows from it: a darker shade for hover, the focus ring, and the text colour on
 * accent buttons, whichever of white and the body text reads better on it. An accent that is not a colour
 * or fails the contrast check gives the default look (a stored one was checked when saved).
 */
export function accentTokens(accent: string | null | undefined): AccentTokens {
  const hex = accent ? normalizeHex(accent) : null;
  if (!hex || hex === tokens.accent || !checkAccent(hex, accentSurfaces).ok) {
    return {
      accent: tokens.accent,
      accentDark: tokens.accentDark,
      onAccent: tokens.onAccent,
      focus: tokens.focus,
    };
  }
  return {
    accent: hex,
    accentDark: mix(hex, '#000000', 0.15),
    onAccent: bestTextOn(hex, [tokens.onAccent, tokens.text]),
    focus: mix(hex, '#ffffff', 0.55),
  };
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `:root { --bg: …; … }` with the workspace's accent (if any) in place of ours. */
export function tokensCss(accent?: string | null): string {
  const values: Record<string, string> = { ...tokens, ...accentTokens(accent) };
  return `:root {\n${Object.entries(values)
    .map(([k, v]) => `  --${kebab(k)}: ${v};`)
    .join('\n')}\n}\n`;
}

/** Only the accent's custom properties: the console's per-workspace stylesheet laid over its own. */
export function accentCss(accent: string | null | undefined): string {
  return `:root {\n${Object.entries(accentTokens(accent))
    .map(([k, v]) => `  --${kebab(k)}: ${v};`)
    .join('\n')}\n}\n`;
}
