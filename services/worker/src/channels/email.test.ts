// The message encoding the worker decides itself: the same answer nodemailer's own rule gives, without its scans.
import fc from 'fast-check';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { describe, expect, it } from 'vitest';
import { textEncodingFor } from './email.ts';

const nodemailerRule = (text: string) =>
  (new MimeNode('text/plain') as unknown as { _getTextEncoding(v: string): 'Q' | 'B' })._getTextEncoding(
    text,
  ) === 'Q'
    ? 'quoted-printable'
    : 'base64';

describe('textEncodingFor', () => {
  it('agrees with nodemailer on any text: Latin, Cyrillic, control characters, emoji', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('Jak oceniasz sklep?', 'Как вы оцените магазин?', '😀👍', 'ß'),
      // Each edge of the two character classes, one character at a time, so the counts come out close.
      ...'\u0000\u0008\t\n\u000b\u000c\r\u000e\u001f \u007f\u0080\uffff@AZ[`az{'
        .split('')
        .map((c) => fc.constant(c)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(textEncodingFor(text)).toBe(nodemailerRule(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('is quoted-printable for English and Polish, base64 for Russian and for no letters at all', () => {
    expect(textEncodingFor('How likely are you to recommend us?')).toBe('quoted-printable');
    expect(textEncodingFor('Jak bardzo prawdopodobne jest, że polecisz nas znajomym?')).toBe(
      'quoted-printable',
    );
    expect(textEncodingFor('Насколько вероятно, что вы порекомендуете нас?')).toBe('base64');
    expect(textEncodingFor('')).toBe('base64');
    expect(textEncodingFor('0 1 2 3')).toBe('base64');
  });
});
