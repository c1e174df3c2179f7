// The few questions a survey may ask after its main score: attribute ratings, one single choice, free text.
import type { SurveyKind } from './kinds.ts';
import { scoreRange } from './scoring.ts';

type Localized = Record<string, string>;

/** A question's id: what answers, exports and filters name it by ("delivery", "reason"). */
export const questionIdPattern = /^[a-z][a-z0-9_]{0,39}$/;

export type RatingQuestion = {
  id: string;
  type: 'rating';
  label: Localized;
  /** "survey": the survey's own scale (NPS 0–10, CSAT 1–5, CES 1–7); "1-5": one to five. */
  scale: 'survey' | '1-5';
  /** Operator-set importance for CSI (any number ≥ 0, normalised); without it CSI derives importance. */
  importance?: number | undefined;
};
export type ChoiceQuestion = {
  id: string;
  type: 'choice';
  label: Localized;
  options: { id: string; label: Localized }[];
};
export type TextQuestion = { id: string; type: 'text'; label: Localized };
export type SurveyQuestion = RatingQuestion | ChoiceQuestion | TextQuestion;

/** The extra answers of one response, by question id: a rating's number, a choice's option id, a text. */
export type ExtraAnswers = Record<string, number | string>;

export const maxQuestions = 8;
export const maxTextAnswer = 2000;

/** The scale a rating question is answered on. */
export function ratingRange(kind: SurveyKind, q: RatingQuestion): { min: number; max: number } {
  return q.scale === 'survey' ? scoreRange[kind] : { min: 1, max: 5 };
}

/** Problems with a list of questions as a whole (each names its path), for the API to report as 400. */
export function questionListIssues(
  questions: readonly SurveyQuestion[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  questions.forEach((q, i) => {
    if (seen.has(q.id)) issues.push({ path: [i, 'id'], message: `repeats the id "${q.id}"` });
    seen.add(q.id);
    if (q.type === 'choice') {
      const ids = new Set<string>();
      q.options.forEach((o, j) => {
        if (ids.has(o.id))
          issues.push({ path: [i, 'options', j, 'id'], message: `repeats the option "${o.id}"` });
        ids.add(o.id);
      });
    }
  });
  const choices = questions.filter((q) => q.type === 'choice').length;
  if (choices > 1) issues.push({ path: [], message: 'may hold at most one single-choice question' });
  return issues;
}

/**
 * The extra answers posted with (or after) the main score, checked against the survey's questions.
 * Empty values are unanswered questions (every one is optional); each bad value is an issue naming
 * its field (`answers.delivery`), so the caller can answer 400 instead of storing it.
 */
export function parseExtraAnswers(
  kind: SurveyKind,
  questions: readonly SurveyQuestion[],
  raw: Readonly<Record<string, unknown>>,
): { answers: ExtraAnswers; issues: { field: string; message: string }[] } {
  const answers: ExtraAnswers = {};
  const issues: { field: string; message: string }[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(raw)) {
    const field = `answers.${id}`;
    const q = byId.get(id);
    if (!q) {
      issues.push({ field, message: 'is not a question of this survey' });
      continue;
    }
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    if (q.type === 'rating') {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\d{1,2}$/.test(value.trim())
            ? Number(value)
            : Number.NaN;
      const { min, max } = ratingRange(kind, q);
      if (!Number.isInteger(n) || n < min || n > max)
        issues.push({ field, message: `must be a whole number from ${min} to ${max}` });
      else answers[id] = n;
    } else if (q.type === 'choice') {
      if (typeof value !== 'string' || !q.options.some((o) => o.id === value))
        issues.push({ field, message: `must be one of ${q.options.map((o) => o.id).join(', ')}` });
      else answers[id] = value;
    } else {
      if (typeof value !== 'string') issues.push({ field, message: 'must be text' });
      else if (value.length > maxTextAnswer)
        issues.push({ field, message: `must be at most ${maxTextAnswer} characters` });
      else if (value.includes('\u0000'))
        issues.push({ field, message: 'must not contain the NUL character' });
      else answers[id] = value.trim();
    }
  }
  return { answers, issues };
}
