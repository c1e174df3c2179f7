import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExtraAnswers, questionListIssues, type SurveyQuestion } from './questions.ts';

const questions: SurveyQuestion[] = [
  { id: 'delivery', type: 'rating', label: { en: 'Delivery' }, scale: '1-5' },
  { id: 'overall', type: 'rating', label: { en: 'Overall' }, scale: 'survey' },
  {
    id: 'bought',
    type: 'choice',
    label: { en: 'What did you buy?' },
    options: [
      { id: 'gift', label: { en: 'A gift' } },
      { id: 'self', label: { en: 'For myself' } },
    ],
  },
  { id: 'more', type: 'text', label: { en: 'Anything else?' } },
];

describe('parseExtraAnswers', () => {
  it('keeps valid answers (form text or JSON numbers) and skips empty ones: every question is optional', () => {
    expect(
      parseExtraAnswers('nps', questions, { delivery: '4', overall: 10, bought: 'gift', more: '  ok  ' }),
    ).toEqual({ answers: { delivery: 4, overall: 10, bought: 'gift', more: 'ok' }, issues: [] });
    expect(parseExtraAnswers('nps', questions, { delivery: '', more: '' })).toEqual({
      answers: {},
      issues: [],
    });
  });

  it('names each bad field: off the scale, an unknown option, an unknown question, a wrong type', () => {
    const { issues } = parseExtraAnswers('csat', questions, {
      delivery: 6,
      overall: '0',
      bought: 'car',
      colour: 'red',
      more: 5,
    });
    expect(issues).toEqual([
      { field: 'answers.delivery', message: 'must be a whole number from 1 to 5' },
      { field: 'answers.overall', message: 'must be a whole number from 1 to 5' },
      { field: 'answers.bought', message: 'must be one of gift, self' },
      { field: 'answers.colour', message: 'is not a question of this survey' },
      { field: 'answers.more', message: 'must be text' },
    ]);
  });

  it('property: whatever is posted, a kept rating is on its scale and nothing unknown is kept', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('delivery', 'overall', 'bought', 'more', 'x'),
          fc.oneof(fc.string(), fc.integer()),
        ),
        (raw) => {
          const { answers } = parseExtraAnswers('ces', questions, raw);
          if (answers.delivery !== undefined) expect(answers.delivery).toBeGreaterThanOrEqual(1);
          if (answers.overall !== undefined) expect(answers.overall).toBeLessThanOrEqual(7);
          expect(answers.x).toBeUndefined();
        },
      ),
    );
  });
});

describe('questionListIssues', () => {
  it('refuses repeated ids and options and a second single choice', () => {
    const choice = questions[2] as SurveyQuestion;
    expect(
      questionListIssues([
        ...questions,
        { ...choice, id: 'again' },
        { id: 'more', type: 'text', label: { en: 'x' } },
      ]),
    ).toEqual([
      { path: [5, 'id'], message: 'repeats the id "more"' },
      { path: [], message: 'may hold at most one single-choice question' },
    ]);
  });
});
