import { describe, expect, it } from 'vitest';
import { commentThemes, languageOf, type ThemeComment, termsOf } from './themes.ts';

const c = (
  id: string,
  text: string,
  segment: ThemeComment['segment'] = 'detractor',
  locale = 'en',
): ThemeComment => ({
  id,
  text,
  segment,
  locale,
});

describe('termsOf', () => {
  it('English: stemmed (Snowball), stop words out, pairs within a clause', () => {
    const stems = termsOf('The delivery was late. Delivered late again!', 'en').map((t) => t.stem);
    // Snowball English: delivery → deliveri, delivered → deliv, late → late; "the", "was" are stop words
    expect(stems).toEqual(
      expect.arrayContaining(['deliveri', 'late', 'deliveri late', 'deliv', 'deliv late']),
    );
    expect(stems).not.toContain('the');
  });

  it('Russian (Snowball) and Polish (nlp.js StemmerPl) fold inflections together', () => {
    expect(termsOf('Доставка опоздала, доставки нет', 'ru').filter((t) => t.stem === 'доставк')).toHaveLength(
      1,
    );
    const pl = termsOf('Dostawa spóźniona. Brak dostawy', 'pl').map((t) => t.stem);
    expect(pl).toContain('dostaw');
    expect(pl.filter((s) => s === 'dostaw')).toHaveLength(1);
  });

  it('the language comes from the locale, else from the letters', () => {
    expect(languageOf('anything', 'pl-PL')).toBe('pl');
    expect(languageOf('Курьер опоздал')).toBe('ru');
    expect(languageOf('Przesyłka dotarła późno')).toBe('pl');
    expect(languageOf('fine')).toBe('en');
  });
});

describe('commentThemes', () => {
  const previous = [
    c('p1', 'Great product', 'promoter'),
    c('p2', 'Friendly support', 'promoter'),
    c('p3', 'Great support', 'promoter'),
    c('p4', 'Delivery was late', 'detractor'),
    c('p5', 'Fine', 'passive'),
    c('p6', 'Good price', 'promoter'),
    c('p7', 'Good product', 'promoter'),
    c('p8', 'ok', 'passive'),
    c('p9', 'Nice packaging', 'promoter'),
    c('p10', 'Great app', 'promoter'),
  ];
  const current = [
    c('c1', 'Delivery was late again'),
    c('c2', 'Late delivery, cold food'),
    c('c3', 'The delivery took ages'),
    c('c4', 'Delivery late by two hours'),
    c('c5', 'Great product', 'promoter'),
    c('c6', 'Great product but late delivery', 'passive'),
    c('c7', 'Really late delivery'),
    c('c8', 'Late and rude courier'),
  ];

  it('counts comments per theme, the share of detractors among them, examples, and the rising mark', () => {
    const { comments, previousComments, themes } = commentThemes(current, previous);
    expect(comments).toBe(8);
    expect(previousComments).toBe(10);
    const delivery = themes.find((t) => t.stem === 'deliveri');
    // 6 of 8 comments mention delivery; 5 of those 6 are detractors; the previous period had 1 of 10.
    // Rising: 6/8 against 1/10 — two proportions (pooled z = χ² without correction): scipy
    // chi2_contingency([[6,2],[1,9]], correction=False) p = 0.00494 (z = 2.81).
    expect(delivery).toMatchObject({
      term: 'delivery',
      kind: 'word',
      mentions: 6,
      share: 0.75,
      detractorShare: 0.833,
      previousMentions: 1,
      rising: true,
    });
    expect(delivery?.examples.map((e) => e.id)).toEqual(['c1', 'c2', 'c3']);
    const phrase = themes.find((t) => t.stem === 'late deliveri');
    expect(phrase).toMatchObject({ term: 'late delivery', kind: 'phrase', mentions: 3 });
    const great = themes.find((t) => t.stem === 'great');
    expect(great).toMatchObject({ mentions: 2, detractorShare: 0, previousMentions: 3, rising: false });
    expect(themes.find((t) => t.stem === 'courier')).toBeUndefined(); // one mention does not stand out
  });

  it('without a previous period nothing is rising and previous counts are null', () => {
    const { themes, previousComments } = commentThemes(current, null);
    expect(previousComments).toBeNull();
    expect(themes.every((t) => t.previousMentions === null && !t.rising)).toBe(true);
    expect(themes[0]?.term).toBe('delivery');
  });
});
