// What the respondents' pages share (survey links, location codes, unsubscribe, referral links): reading the form, the reply after it, the errors.
import {
  type AppContext,
  isValidScore,
  type Locale,
  localized,
  pickLocale,
  type SurveyKind,
  type schema,
  uiText,
} from '@surveyflow/core';
import { issuesToDetails } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';
import { followupPage, messagePage, thanksPage } from '../pages/pages.ts';

const answerSchema = z.object({
  score: z.coerce.number({ error: 'must be a number' }).int('must be a whole number'),
  comment: z
    .string()
    .max(5000)
    .optional()
    .transform((v) => v?.trim() || null),
  /** "Skip" on the follow-up page: no comment is coming. */
  skip: z.string().optional(),
  /** Set by the page's own script when it sends the one-click score by itself. */
  auto: z.string().optional(),
});

export type Answer = z.infer<typeof answerSchema>;

/**
 * The page holds a credential (a token) or a per-device cookie: keep it out of caches, search
 * engines and Referer headers. Scripts run only with this response's nonce.
 */
export function privateHeaders(reply: FastifyReply, scriptNonce?: string) {
  const scripts = scriptNonce ? `script-src 'nonce-${scriptNonce}'; ` : '';
  return reply
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      `default-src 'none'; ${scripts}style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'`,
    );
}

export const wantsJson = (request: FastifyRequest) =>
  request.headers['content-type']?.startsWith('application/json') === true ||
  request.headers.accept?.startsWith('application/json') === true;

/** The posted answer, or null once a 400 naming the field has been sent. */
export function parseAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: SurveyKind,
  locale: Locale,
): Answer | null {
  const parsed = answerSchema.safeParse(request.body ?? {});
  const issue = parsed.success ? undefined : issuesToDetails(parsed.error)[0];
  if (parsed.success && isValidScore(kind, parsed.data.score)) return parsed.data;
  const range = { nps: '0–10', csat: '1–5', ces: '1–7' }[kind];
  const field = issue?.field ?? 'score';
  const message = issue && field !== 'score' ? issue.message : `must be a whole number from ${range}`;
  answerError(reply, request, locale, 400, 'validation_failed', `${field} ${message}`, field);
  return null;
}

export function answerError(
  reply: FastifyReply,
  request: FastifyRequest,
  locale: Locale,
  status: 400 | 409 | 429,
  code: string,
  message: string,
  field?: string,
) {
  if (wantsJson(request)) {
    return reply
      .status(status)
      .send({ error: { code, message, ...(field ? { details: [{ field, message }] } : {}) } });
  }
  const title = uiText(
    locale,
    status === 409 ? 'editClosedTitle' : status === 429 ? 'deviceLimitTitle' : 'badAnswerTitle',
  );
  return reply.status(status).type('text/html; charset=utf-8').send(messagePage({ locale, title, message }));
}

/** After an answer is stored: schedule its follow-up, then ask "why?" (no comment yet) or thank. */
export async function replyAfterAnswer(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: {
    locale: Locale;
    survey: typeof schema.surveys.$inferSelect;
    workspaceName: string;
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
  if (wantsJson(request)) {
    return reply.status(outcome.status === 'created' ? 201 : 200).send({
      responseId: response.id,
      status: outcome.status,
      score: response.score,
      comment: response.comment,
      editableUntil: response.editableUntil,
      followupQuestion: done ? null : followupQuestion,
    });
  }
  reply.type('text/html; charset=utf-8');
  if (!done) {
    return reply.send(
      followupPage({ locale, question: followupQuestion, actionUrl, score: response.score, workspaceName }),
    );
  }
  return reply.send(
    thanksPage({
      locale,
      workspaceName,
      editableUntil: response.editableUntil,
      timeZone: input.timeZone,
      actionUrl,
    }),
  );
}

/** The page for a link or code we never issued, in the visitor's language. */
export function notFoundPage(request: FastifyRequest, reply: FastifyReply) {
  const locale = pickLocale(request.headers['accept-language']);
  return reply
    .status(404)
    .type('text/html; charset=utf-8')
    .send(
      messagePage({
        locale,
        title: uiText(locale, 'notFoundTitle'),
        message: uiText(locale, 'notFoundMessage'),
      }),
    );
}
