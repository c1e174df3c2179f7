// Rule errors in the operator's language: every message we word has ru and pl, zod's built-in ones by their shape,
// English pages and unknown messages unchanged (the API's bodies never pass through here).
import { SurveyInput, TriggerInput } from '@surveyflow/http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorText } from './error-words.ts';

describe('errorText', () => {
  it('says our schema messages in Russian and Polish, and leaves English as it is', () => {
    const message = 'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D';
    expect(errorText('en', message)).toBe(message);
    expect(errorText('ru', message)).toBe(
      'неотрицательная длительность ISO 8601, например PT0S, PT2H или P3D',
    );
    expect(errorText('pl', message)).toBe('nieujemny czas trwania ISO 8601, np. PT0S, PT2H lub P3D');
  });

  it('words every error a bad trigger or survey form gets from the API’s own schemas', () => {
    const trigger = TriggerInput.safeParse({
      surveyId: 'x',
      eventTypes: ['bad type!'],
      delay: 'soon',
      throttleDays: 999,
      sampleRate: 'half',
      dedupeKey: 'nope',
      channels: ['email', 'email'],
    });
    const survey = SurveyInput.safeParse({
      kind: 'nps',
      name: '',
      question: {},
      actions: [{ type: 'alert', segments: [], emails: ['x'] }],
      questions: [{ id: 'Bad', type: 'text', label: { en: 'L' } }],
    });
    const messages = [
      ...(trigger.success ? [] : trigger.error.issues),
      ...(survey.success ? [] : survey.error.issues),
    ].map((i) => i.message);
    expect(messages.length).toBeGreaterThan(8);
    for (const m of messages) {
      expect(errorText('ru', m), m).not.toBe(m);
      expect(errorText('pl', m), m).not.toBe(m);
    }
  });

  it('numbers in zod’s own messages are kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        expect(errorText('ru', `Too big: expected number to be <=${n}`)).toBe(`не больше ${n}`);
        expect(errorText('pl', `Too small: expected string to have >=${n} characters`)).toBe(
          `za mało: potrzeba co najmniej ${n} znaków`,
        );
      }),
    );
  });

  it('a message it does not know stays as it is', () => {
    expect(errorText('ru', 'something new')).toBe('something new');
  });
});
