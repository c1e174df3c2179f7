// Segment counting against known examples and, for any text, the properties billing relies on.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { smsSegments } from './segments.ts';

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = '\f^{}\\[]~|€';
const gsmChar = fc.constantFrom(...gsmBasic, ...gsmExtension);
const nonGsmChar = fc
  .oneof(
    fc.constantFrom('я', 'ç', '😀', '中', '’', '\u00a0'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  )
  .filter((c) => !gsmBasic.includes(c) && !gsmExtension.includes(c));
const anyText = fc.array(fc.oneof(gsmChar, nonGsmChar), { maxLength: 400 }).map((cs) => cs.join(''));
const gsmText = fc.array(gsmChar, { maxLength: 400 }).map((cs) => cs.join(''));

describe('smsSegments: known examples', () => {
  test.each([
    ['an empty body costs one part', '', 'GSM-7', 1, 0],
    ['160 GSM characters fit one message', 'a'.repeat(160), 'GSM-7', 1, 160],
    ['161 GSM characters take two parts', 'a'.repeat(161), 'GSM-7', 2, 161],
    ['306 GSM characters fill two parts of 153', 'a'.repeat(306), 'GSM-7', 2, 306],
    ['307 GSM characters take three parts', 'a'.repeat(307), 'GSM-7', 3, 307],
    ['the euro sign is an extension character worth two septets', '€', 'GSM-7', 1, 2],
    ['80 extension characters fit one message', '{'.repeat(80), 'GSM-7', 1, 160],
    ['81 extension characters take two parts', '|'.repeat(81), 'GSM-7', 2, 162],
    ['line breaks are GSM characters', 'Thanks!\r\nRate us 0-10', 'GSM-7', 1, 21],
    ['70 Cyrillic letters fit one UCS-2 message', 'я'.repeat(70), 'UCS-2', 1, 70],
    ['71 Cyrillic letters take two parts', 'я'.repeat(71), 'UCS-2', 2, 71],
    ['134 UCS-2 units fill two parts of 67', 'я'.repeat(134), 'UCS-2', 2, 134],
    ['135 UCS-2 units take three parts', 'я'.repeat(135), 'UCS-2', 3, 135],
    ['an emoji is a surrogate pair, two units', '😀', 'UCS-2', 1, 2],
    ['35 emoji fit one message', '😀'.repeat(35), 'UCS-2', 1, 70],
    ['36 emoji take two parts of 33 at most', '😀'.repeat(36), 'UCS-2', 2, 72],
    ['67 emoji take three parts: a pair is never split', '😀'.repeat(67), 'UCS-2', 3, 134],
    ['one emoji turns a GSM text into UCS-2', `${'a'.repeat(69)}😀`, 'UCS-2', 2, 71],
    ['ç is not in the GSM alphabet (only Ç is)', 'ça va', 'UCS-2', 1, 5],
  ])('%s', (_name, text, encoding, segments, units) => {
    expect(smsSegments(text)).toEqual({ encoding, segments, units });
  });

  test('an escape pair is not split across parts', () => {
    const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
    expect(smsSegments(text)).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
  });

  test('a surrogate pair is not split across parts', () => {
    const text = `${'я'.repeat(66)}😀${'я'.repeat(66)}`;
    expect(smsSegments(text)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
  });
});

describe('smsSegments: properties', () => {
  test('appending text never lowers the part count', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        expect(smsSegments(a + b).segments).toBeGreaterThanOrEqual(smsSegments(a).segments);
      }),
    );
  });

  test('GSM text is one message exactly when it has at most 160 septets', () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        const { encoding, segments, units } = smsSegments(text);
        expect(encoding).toBe('GSM-7');
        expect(units).toBe([...text].length + [...text].filter((c) => gsmExtension.includes(c)).length);
        expect(segments === 1).toBe(units <= 160);
      }),
    );
  });

  test('any text with one non-GSM character is UCS-2 counted in UTF-16 units', () => {
    fc.assert(
      fc.property(gsmText, nonGsmChar, gsmText, (before, odd, after) => {
        const text = before + odd + after;
        expect(smsSegments(text)).toMatchObject({ encoding: 'UCS-2', units: text.length });
      }),
    );
  });

  test('the parts hold every unit, and no part is left needlessly empty', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { encoding, segments, units } = smsSegments(text);
        const [single, part] = encoding === 'GSM-7' ? [160, 153] : [70, 67];
        if (segments === 1) expect(units).toBeLessThanOrEqual(single);
        else {
          expect(units).toBeGreaterThan(single);
          expect(segments * part).toBeGreaterThanOrEqual(units);
          // A part closes early by at most one unit: the half of a pair that would not fit.
          expect((segments - 1) * (part - 1)).toBeLessThan(units);
        }
      }),
    );
  });
});
