// A workspace's branding as plain decisions: which accent colours we take, which logo files, and where the logo is served.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { checkAccent, normalizeHex } from './contrast.ts';
import { accentSurfaces } from './design-tokens.ts';

/** Logos are shown at most 48 px high: 256 KB is plenty, and bounds what every survey page and email links to. */
export const MAX_LOGO_BYTES = 256 * 1024;

export type LogoType = 'image/png' | 'image/jpeg';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * What the file is, by its first bytes (never by its name or a declared type): PNG or JPEG, else null.
 * No SVG: it is a document that may carry scripts, links and external references, and would need
 * sanitising to be safe on our pages and in mail clients; a raster image can only be drawn.
 */
export function sniffLogoType(bytes: Uint8Array): LogoType | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** A logo file we accept, with its type and fingerprint; otherwise a 400 naming `field`. */
export function checkLogo(bytes: Uint8Array, field = 'logo'): { type: LogoType; sha256: string } {
  if (bytes.length === 0) throw AppError.validation([{ field, message: 'choose a PNG or JPEG file' }]);
  if (bytes.length > MAX_LOGO_BYTES) {
    throw AppError.validation([
      {
        field,
        message: `must be at most ${MAX_LOGO_BYTES / 1024} KB (this one is ${Math.ceil(bytes.length / 1024)} KB)`,
      },
    ]);
  }
  const type = sniffLogoType(bytes);
  if (!type) {
    throw AppError.validation([
      { field, message: 'must be a PNG or JPEG image (SVG and other formats are not accepted)' },
    ]);
  }
  return { type, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The logo's public path on the collector: its fingerprint is in it, so it is cached for good and a new logo gets a new URL. */
export function logoPath(workspaceId: string, sha256: string, type: string): string {
  return `/brand/${workspaceId}/logo-${sha256.slice(0, 16)}.${type === 'image/png' ? 'png' : 'jpg'}`;
}

/** What pages and emails need of a workspace's branding. */
export type Brand = { name: string; accent: string | null; logoUrl: string | null };

/** The brand of a workspace row (`publicUrl` makes the logo's URL absolute, for emails). */
export function brandOf(
  w: {
    id: string;
    name: string;
    accentColor: string | null;
    logoSha256: string | null;
    logoType: string | null;
  },
  publicUrl = '',
): Brand {
  return {
    name: w.name,
    accent: w.accentColor,
    logoUrl: w.logoSha256 && w.logoType ? `${publicUrl}${logoPath(w.id, w.logoSha256, w.logoType)}` : null,
  };
}

/** An accent colour: #rgb or #rrggbb, stored as #rrggbb, refused (with a darker shade that passes) below WCAG AA. */
export const accentColorSchema = z.string().transform((value, ctx) => {
  const hex = normalizeHex(value);
  if (!hex) {
    ctx.addIssue({ code: 'custom', message: 'must be a colour like #1d4ed8' });
    return z.NEVER;
  }
  const check = checkAccent(hex, accentSurfaces);
  if (!check.ok) {
    ctx.addIssue({
      code: 'custom',
      message: `has a contrast of ${check.ratio.toFixed(2)}:1 on white or the page grey; links and buttons need ${check.needed}:1 (WCAG AA). ${check.suggestion} is the nearest darker shade that passes`,
    });
    return z.NEVER;
  }
  return hex;
});
