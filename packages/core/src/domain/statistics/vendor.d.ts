// Types for the text libraries the comment themes use, which ship none.
declare module 'snowball-stemmers' {
  export function newStemmer(language: string): { stem(word: string): string };
  export function algorithms(): string[];
}

declare module 'stopword' {
  export const eng: string[];
  export const rus: string[];
  export const pol: string[];
}

declare module '@nlpjs/lang-pl' {
  export class StemmerPl {
    stemWord(word: string): string;
  }
}
