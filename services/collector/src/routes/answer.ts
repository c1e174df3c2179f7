// What the respondents' pages share (survey links, location codes, unsubscribe, referral links): the posted answer, the reply after it, the errors.
import {
  type AppContext,
  AppError,
  type Brand,
  type ExtraAnswers,
  isValidScore,
  type Locale,
  localized,
  maxTextAnswer,
  parseExtraAnswers,
  type SurveyKind,
  type SurveyQuestion,
  type schema,
  scoreRange,
  uiText,
} from '@surveyflow/core';
import { type ErrorRenderer, text, wantsHtml } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';
import { followupPage, messagePage, thanksPage } from '../pages/pages.ts';

const SCORE_MESSAGE = 'must be a whole number from 0 to 10';

/** A form sends the score as text, an API client as a number; both are a whole number on a scale no survey exceeds. */
const score = z
  .union(
    [
      z.int(),
      z
        .string()
        .regex(/^-?\d{1,9}$/)
        .transform(Number),
    ],
    { error: SCORE_MESSAGE },
  )
  .pipe(z.number().min(0, SCORE_MESSAGE).max(10, SCORE_MESSAGE));

/**
 * The posted answer: the survey page's form fields, or the same as JSON. The survey's extra questions
 * come as `answers: { id: value }` (JSON) or as `answers.<id>` form fields; which ids and values count
 * depends on the survey, so they are checked against it (extraAnswers), each bad one a 400 naming it.
 */
export const AnswerBody = z.looseObject({
  score,
  comment: text(5000)
    .nullish()
    .transform((v) => v?.trim() || null),
  /** "Skip" on the follow-up page: no comment is coming. */
  skip: text(20).optional(),
  /** Set by the page's own script when it sends the one-click score by itself. */
  auto: text(20).optional(),
  answers: z
    .record(z.string().max(40), z.union([text(maxTextAnswer), z.number()]))
    .optional()
    .describe("Answers to the survey's extra questions by id (forms send answers.<id> fields)"),
});

export type Answer = z.output<typeof AnswerBody>;

/** `?score=N` preselects N; anything else (a mangled link) preselects nothing rather than failing. */
export const ScoreQuery = z.object({
  score: z
    .string()
    .regex(/^\d{1,2}$/)
    .transform(Number)
    .optional()
    .catch(undefined)
    .describe('The score to preselect (from a one-click link in the email)'),
});

/** What an API client gets back for an answer (a browser gets the next page instead). */
export const AnswerView = z
  .object({
    responseId: z.uuid(),
    status: z.enum(['created', 'updated']),
    score: z.int(),
    comment: z.string().nullable(),
    editableUntil: z.iso.datetime(),
    /** The "why?" to ask next; null once a comment (or a skip) has come. */
    followupQuestion: z.string().nullable(),
  })
  .meta({ id: 'Answer' });

/** The survey's own scale decides which scores count; the schema only knows the widest. */
export function checkScore(kind: SurveyKind, answer: Answer, locale: Locale): Answer {
  if (isValidScore(kind, answer.score)) return answer;
  const { min, max } = scoreRange[kind];
  throw PageError.of(
    locale,
    AppError.validation([{ field: 'score', message: `must be a whole number from ${min}–${max}` }]),
  );
}

/** The extra answers of a posted answer (JSON `answers` and `answers.<id>` form fields), checked against the survey. */
export function extraAnswers(
  survey: { kind: SurveyKind; questions: SurveyQuestion[] },
  body: Answer,
  locale: Locale,
): ExtraAnswers {
  const raw: Record<string, unknown> = { ...(body.answers ?? {}) };
  for (const [key, value] of Object.entries(body)) if (key.startsWith('answers.')) raw[key.slice(8)] = value;
  const { answers, issues } = parseExtraAnswers(survey.kind, survey.questions, raw);
  if (issues.length) throw PageError.of(locale, AppError.validation(issues));
  return answers;
}

/** An error a respondent's page answers with, in the respondent's language. */
export class PageError extends AppError {
  constructor(
    readonly locale: Locale,
    code: string,
    kind: AppError['kind'],
    message: string,
    details?: AppError['details'],
  ) {
    super(code, kind, message, details);
  }

  static of(locale: Locale, err: AppError) {
    return new PageError(locale, err.code, err.kind, err.message, err.details);
  }

  /** A link or code we never issued. */
  static unknownLink(locale: Locale) {
    return new PageError(locale, 'not_found', 'not_found', uiText(locale, 'notFoundMessage'));
  }
}

/** The parameters that name a link or code: a bad one is a link we never issued. */
const linkFields = new Set(['token', 'code']);

/** The page a browser sees for an error of a respondent's page (API clients get the error body instead). */
export const renderPageError: ErrorRenderer = (err) => {
  // Errors from the schemas come before we know who is asking: those pages are in English.
  const locale = err instanceof PageError ? err.locale : 'en';
  const page = (title: string, message: string) => messagePage({ locale, title, message });
  switch (err.kind) {
    case 'not_found':
      return page(uiText(locale, 'notFoundTitle'), err.message);
    case 'gone':
      return page(uiText(locale, 'expiredTitle'), err.message);
    case 'conflict':
      return page(uiText(locale, 'editClosedTitle'), err.message);
    case 'rate_limited':
      return page(uiText(locale, 'deviceLimitTitle'), err.message);
    case 'invalid': {
      const details = err.details ?? [];
      if (details.some((d) => linkFields.has(d.field))) {
        return page(uiText(locale, 'notFoundTitle'), uiText(locale, 'notFoundMessage'));
      }
      const message = details.length ? details.map((d) => `${d.field} ${d.message}`).join('; ') : err.message;
      return page(uiText(locale, 'badAnswerTitle'), message);
    }
    default:
      return page(err.message, err.message);
  }
};

/** After an answer is stored: schedule its follow-up, then ask "why?" (no comment yet) or thank. */
export async function replyAfterAnswer(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: {
    locale: Locale;
    survey: typeof schema.surveys.$inferSelect;
    workspaceName: string;
    brand?: Brand | undefined;
    timeZone: string;
    actionUrl: string;
    outcome: { status: 'created' | 'updated'; response: typeof schema.responses.$inferSelect };
    skipped: boolean;
  },
) {
  const { locale, outcome, actionUrl, workspaceName } = input;
  const { response } = outcome;
  const done = response.comment !== null || input.skipped;
  await scheduleFollowup(ctx, response, outcome.status, done);
  const followupQuestion = localized(input.survey.followupQuestion, locale);
  if (!wantsHtml(request.headers.accept)) {
    const view: z.input<typeof AnswerView> = {
      responseId: response.id,
      status: outcome.status,
      score: response.score,
      comment: response.comment,
      editableUntil: response.editableUntil.toISOString(),
      followupQuestion: done ? null : followupQuestion,
    };
    return reply.status(outcome.status === 'created' ? 201 : 200).send(view);
  }
  reply.type('text/html; charset=utf-8');
  if (!done) {
    return reply.send(
      followupPage({
        locale,
        question: followupQuestion,
        actionUrl,
        score: response.score,
        workspaceName,
        brand: input.brand,
        kind: input.survey.kind,
        questions: input.survey.questions,
        answers: response.answers,
      }),
    );
  }
  return reply.send(
    thanksPage({
      locale,
      workspaceName,
      brand: input.brand,
      editableUntil: response.editableUntil,
      timeZone: input.timeZone,
      actionUrl,
    }),
  );
}
