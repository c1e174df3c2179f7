// Comment themes: the words and two-word phrases that stand out, stemmed per language, stop words removed.
/// <reference path="./vendor.d.ts" />
import { StemmerPl } from '@nlpjs/lang-pl';
import { newStemmer } from 'snowball-stemmers';
import { eng, pol, rus } from 'stopword';
import type { Segment } from '../scoring.ts';
import { twoProportions } from './compare.ts';

export const themeLanguages = ['en', 'ru', 'pl'] as const;
export type ThemeLanguage = (typeof themeLanguages)[number];

export type ThemeComment = { id: string; text: string; segment: Segment; locale?: string | null };

export type Theme = {
  /** What people wrote: the most frequent spelling of the stem (or pair of stems). */
  term: string;
  kind: 'word' | 'phrase';
  /** The stemmed form the counting is done on ("deliv", "late deliv"). */
  stem: string;
  language: ThemeLanguage;
  /** Comments that mention it (once per comment). */
  mentions: number;
  /** mentions ÷ comments in the period, 0–1. */
  share: number;
  /** Among the comments that mention it, the share written by detractors, 0–1. */
  detractorShare: number;
  examples: { id: string; text: string }[];
  /** Mentions in the previous period (null when there was no previous period to compare with). */
  previousMentions: number | null;
  /** Rose sharply: at least 3 mentions, at least twice the previous share, and p < 0.05 (two proportions). */
  rising: boolean;
};

const stemmers: Record<ThemeLanguage, (w: string) => string> = (() => {
  const en = newStemmer('english');
  const ru = newStemmer('russian');
  const pl = new StemmerPl();
  return { en: (w) => en.stem(w), ru: (w) => ru.stem(w), pl: (w) => pl.stemWord(w) };
})();

const stopWords: Record<ThemeLanguage, ReadonlySet<string>> = {
  en: new Set(eng),
  ru: new Set(rus),
  pl: new Set(pol),
};

/** The comment's language: its locale when that is en, ru or pl; else Cyrillic → ru, Polish letters → pl, else en. */
export function languageOf(text: string, locale?: string | null): ThemeLanguage {
  const base = locale?.slice(0, 2).toLowerCase();
  if (base === 'en' || base === 'ru' || base === 'pl') return base;
  if (/\p{Script=Cyrillic}/u.test(text)) return 'ru';
  if (/[ąćęłńóśźż]/iu.test(text)) return 'pl';
  return 'en';
}

type Term = { stem: string; surface: string; kind: 'word' | 'phrase' };

/** The distinct terms of one comment: stemmed words and adjacent pairs within a clause, stop words out. */
export function termsOf(text: string, language: ThemeLanguage): Term[] {
  const stop = stopWords[language];
  const stem = stemmers[language];
  const out = new Map<string, Term>();
  for (const clause of text.toLowerCase().split(/[.,;:!?()\n\r"«»„”…–—-]+/u)) {
    const words = (clause.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? []).filter(
      (w) => w.length > 1 && !/^\p{N}+$/u.test(w) && !stop.has(w),
    );
    const stems = words.map(stem);
    words.forEach((w, i) => {
      const s = stems[i] as string;
      if (!out.has(s)) out.set(s, { stem: s, surface: w, kind: 'word' });
      const next = words[i + 1];
      if (next === undefined) return;
      const pair = `${s} ${stems[i + 1]}`;
      if (!out.has(pair)) out.set(pair, { stem: pair, surface: `${w} ${next}`, kind: 'phrase' });
    });
  }
  return [...out.values()];
}

type Tally = {
  stem: string;
  kind: 'word' | 'phrase';
  language: ThemeLanguage;
  mentions: number;
  detractors: number;
  surfaces: Map<string, number>;
  examples: { id: string; text: string }[];
};

function tally(comments: readonly ThemeComment[], examples: number): Map<string, Tally> {
  const byTerm = new Map<string, Tally>();
  for (const c of comments) {
    const language = languageOf(c.text, c.locale);
    for (const t of termsOf(c.text, language)) {
      const key = `${language}:${t.stem}`;
      let row = byTerm.get(key);
      if (!row) {
        row = {
          stem: t.stem,
          kind: t.kind,
          language,
          mentions: 0,
          detractors: 0,
          surfaces: new Map(),
          examples: [],
        };
        byTerm.set(key, row);
      }
      row.mentions++;
      if (c.segment === 'detractor') row.detractors++;
      row.surfaces.set(t.surface, (row.surfaces.get(t.surface) ?? 0) + 1);
      if (row.examples.length < examples) row.examples.push({ id: c.id, text: c.text });
    }
  }
  return byTerm;
}

/**
 * The themes of `current` (newest comments first, so examples are recent), ranked by mentions; a term
 * needs `minMentions` comments (default 2) to stand out. `previous` (the period before; null when
 * there is none) gives each theme its previous count and the rising mark.
 */
export function commentThemes(
  current: readonly ThemeComment[],
  previous: readonly ThemeComment[] | null,
  options: { limit?: number; minMentions?: number; examples?: number } = {},
): { comments: number; previousComments: number | null; themes: Theme[] } {
  const limit = options.limit ?? 20;
  const minMentions = options.minMentions ?? 2;
  const now = tally(current, options.examples ?? 3);
  const before = previous ? tally(previous, 0) : null;
  const nNow = current.length;
  const nBefore = previous?.length ?? 0;
  const themes = [...now.entries()]
    .filter(([, t]) => t.mentions >= minMentions)
    .map(([key, t]): Theme => {
      const prev = before ? (before.get(key)?.mentions ?? 0) : null;
      const share = nNow ? t.mentions / nNow : 0;
      let rising = false;
      if (prev !== null && nBefore > 0 && t.mentions >= 3 && share >= 2 * (prev / nBefore)) {
        const test = twoProportions(t.mentions, nNow, prev, nBefore);
        rising = test !== null && test.diff > 0 && test.p < 0.05;
      }
      const term =
        [...t.surfaces.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? t.stem;
      return {
        term,
        kind: t.kind,
        stem: t.stem,
        language: t.language,
        mentions: t.mentions,
        share: Math.round(share * 1000) / 1000,
        detractorShare: Math.round((t.detractors / t.mentions) * 1000) / 1000,
        examples: t.examples,
        previousMentions: prev,
        rising,
      };
    })
    .sort(
      (a, b) =>
        b.mentions - a.mentions ||
        Number(b.kind === 'phrase') - Number(a.kind === 'phrase') ||
        a.term.localeCompare(b.term),
    )
    .slice(0, limit);
  return { comments: nNow, previousComments: previous ? nBefore : null, themes };
}
