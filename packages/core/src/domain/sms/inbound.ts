// What an inbound SMS reply means: a score on the survey's scale, an opt-out/opt-in/help keyword, or free text.
export type InboundIntent =
  | { kind: 'score'; score: number }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'text'; text: string };

/** Twilio's default opt-out, opt-in and help keywords; only a whole message counts, so "please don't stop" is text. */
const KEYWORDS = new Map<string, 'stop' | 'start' | 'help'>([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'].map(
    (k) => [k, 'stop'] as const,
  ),
  ...['START', 'UNSTOP', 'YES'].map((k) => [k, 'start'] as const),
  ...['HELP', 'INFO'].map((k) => [k, 'help'] as const),
]);

/** "9", "9/10", "9 / 10": ASCII digits only, no sign or decimals; a denominator must be the scale's max. */
const SCORE = /^(\d+)(?:\s*\/\s*(\d+))?$/;

/** NFKC first, so full-width "９" and "ＳＴＯＰ" read as their ASCII forms. */
export function classifyInbound(text: string, scale: { min: number; max: number }): InboundIntent {
  const normalized = text.normalize('NFKC').trim();
  const keyword = KEYWORDS.get(normalized.replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '').toUpperCase());
  if (keyword) return { kind: keyword };
  const match = SCORE.exec(normalized);
  if (match?.[1] !== undefined) {
    const score = Number(match[1]);
    const ofMax = match[2] === undefined || Number(match[2]) === scale.max;
    if (ofMax && score >= scale.min && score <= scale.max) return { kind: 'score', score };
  }
  return { kind: 'text', text: text.trim() };
}
