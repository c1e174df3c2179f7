// How many billed parts a text message takes: GSM-7 when every character fits the GSM 03.38 alphabet, UCS-2 otherwise.
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export type SmsSegments = {
  encoding: SmsEncoding;
  /** Billed parts; an empty body still costs one. */
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
};

// ESC (0x1B) is left out: it only introduces an extension character and never stands alone.
const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('\f^{}\\[]~|€');

/** Capacity of a lone message and of each part of a concatenated one (the rest holds the UDH). */
const capacity = { 'GSM-7': { single: 160, part: 153 }, 'UCS-2': { single: 70, part: 67 } } as const;

export function smsSegments(text: string): SmsSegments {
  const chars = [...text];
  const encoding: SmsEncoding = chars.every((c) => gsmBasic.has(c) || gsmExtension.has(c))
    ? 'GSM-7'
    : 'UCS-2';
  const weights = chars.map((c) => (encoding === 'UCS-2' ? c.length : gsmExtension.has(c) ? 2 : 1));
  const units = weights.reduce((sum, w) => sum + w, 0);
  const { single, part } = capacity[encoding];
  return { encoding, units, segments: units <= single ? 1 : pack(weights, part) };
}

/** Parts needed when no character is split across two: an escape pair or a surrogate pair travels whole. */
function pack(weights: number[], part: number): number {
  let parts = 1;
  let used = 0;
  for (const w of weights) {
    if (used + w > part) {
      parts += 1;
      used = 0;
    }
    used += w;
  }
  return parts;
}
