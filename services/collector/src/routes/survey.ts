// /s/:token — the survey page. GET only shows (a link scanner records nothing); POST records the one response.
import {
  type AppContext,
  brandOf,
  type ExtraAnswers,
  findSurveyLink,
  isValidScore,
  looksLikeSurveyToken,
  pickLocale,
  recordResponse,
  renderQuestion,
  type SurveyLink,
  sha256,
  uiText,
} from '@surveyflow/core';
import type { HttpApp } from '@surveyflow/http';
import type { FastifyReply } from 'fastify';
import { scriptNonce } from '../page-scope.ts';
import { surveyPage, thanksPage } from '../pages/pages.ts';
import {
  AnswerBody,
  AnswerView,
  checkScore,
  extraAnswers,
  PageError,
  renderPageError,
  replyAfterAnswer,
  ScoreQuery,
} from './answer.ts';
import { htmlPage, pageError, pageOrJson, TokenParams } from './responses.ts';

const zoneOf = (link: SurveyLink) => link.contact.timezone ?? link.workspace.timezone;

/** A person opens one score link of an email; a link scanner opens them all, within seconds. */
const SCANNER_WINDOW_MS = 60_000;

/** The survey page of a link, in the contact's language, with what the caller preselects or says. */
function showSurvey(
  reply: FastifyReply,
  { survey, workspace, contact }: SurveyLink,
  actionUrl: string,
  state: {
    selected: number | null;
    comment: string | null;
    notice: string | null;
    autoSubmitNonce?: string | undefined;
    answers?: ExtraAnswers | undefined;
  },
) {
  const locale = pickLocale(contact.locale);
  return reply.type('text/html; charset=utf-8').send(
    surveyPage({
      locale,
      kind: survey.kind,
      question: renderQuestion(survey.question, locale, workspace.name),
      questions: survey.questions,
      answers: state.answers ?? {},
      workspaceName: workspace.name,
      brand: brandOf(workspace),
      actionUrl,
      ...state,
    }),
  );
}

export function surveyRoutes(app: HttpApp, ctx: AppContext) {
  const opensKey = (token: string) => `${ctx.config.QUEUE_PREFIX}:opens:${sha256(token)}`;

  /**
   * The scanner check is a nicety: Redis slow or down must neither hold the page nor lose an
   * answer, so each call gives up after a moment (and then assumes a person).
   */
  const quickly = <T>(work: Promise<T>, fallback: T) =>
    Promise.race([work, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), 250).unref())]).catch(
      () => fallback,
    );

  async function noteOpenedScore(token: string, score: number) {
    await quickly(
      ctx.redis
        .multi()
        .sadd(opensKey(token), String(score))
        .pexpire(opensKey(token), SCANNER_WINDOW_MS)
        .exec(),
      null,
    );
  }

  /** Were different scores of this link opened within the last minute? */
  async function openedManyScores(token: string): Promise<boolean> {
    return (await quickly(ctx.redis.scard(opensKey(token)), 0)) > 1;
  }

  /** The link of a token, or the error (a page for browsers) saying why it cannot be opened. */
  async function open(token: string, acceptLanguage: string | undefined): Promise<SurveyLink> {
    const link = looksLikeSurveyToken(token) ? await findSurveyLink(ctx.database, token) : null;
    if (!link) throw PageError.unknownLink(pickLocale(acceptLanguage));
    if (link.invitation.tokenExpiresAt && link.invitation.tokenExpiresAt <= ctx.clock.now()) {
      const locale = pickLocale(link.contact.locale);
      throw new PageError(locale, 'gone', 'gone', uiText(locale, 'expiredMessage'));
    }
    return link;
  }

  const surveyErrors = {
    400: pageError('A token or field that cannot be read (named in details)'),
    404: pageError('A link we never issued'),
    410: pageError('The survey is closed: the link has expired'),
  };

  app.get(
    '/s/:token',
    {
      schema: {
        tags: ['respondents'],
        summary: 'The survey page of a link (shows only: a link scanner records nothing)',
        params: TokenParams,
        querystring: ScoreQuery,
        response: {
          200: htmlPage('The survey (with a one-click score preselected), or the thanks page once final'),
          ...surveyErrors,
        },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const { token } = request.params;
      const link = await open(token, request.headers['accept-language']);
      const { survey, workspace, contact, response } = link;
      const locale = pickLocale(contact.locale);
      const now = ctx.clock.now();
      const actionUrl = `/s/${token}`;
      if (response && response.editableUntil <= now) {
        return reply.type('text/html; charset=utf-8').send(
          thanksPage({
            locale,
            workspaceName: workspace.name,
            brand: brandOf(workspace),
            editableUntil: null,
            timeZone: zoneOf(link),
            actionUrl,
          }),
        );
      }
      const requested = request.query.score ?? Number.NaN;
      const fromLink = isValidScore(survey.kind, requested) && !response;
      const selected = isValidScore(survey.kind, requested) ? requested : (response?.score ?? null);
      if (fromLink) await noteOpenedScore(token, requested);
      return showSurvey(reply, link, actionUrl, {
        selected,
        comment: response?.comment ?? null,
        answers: response?.answers,
        notice: response ? uiText(locale, 'alreadyAnswered') : null,
        autoSubmitNonce: fromLink ? scriptNonce(reply) : undefined,
      });
    },
  );

  app.post(
    '/s/:token',
    {
      schema: {
        tags: ['respondents'],
        summary: 'Answer a survey link (the form, or JSON); inside the edit window it changes the answer',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: TokenParams,
        body: AnswerBody,
        response: {
          200: pageOrJson(
            'The "why?" page, the thanks page, or a page asking to confirm a one-click score a scanner may have sent; JSON: the changed answer',
            AnswerView,
          ),
          201: AnswerView.describe('JSON: the answer, recorded'),
          ...surveyErrors,
          409: pageError('The edit window has passed: the first answer stands'),
        },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const { token } = request.params;
      const link = await open(token, request.headers['accept-language']);
      const { survey, workspace, contact } = link;
      const locale = pickLocale(contact.locale);
      const actionUrl = `/s/${token}`;
      const answer = checkScore(survey.kind, request.body, locale);
      const answers = extraAnswers(survey, answer, locale);
      if (answer.auto && (await openedManyScores(token))) {
        // A scanner that runs scripts opened every score of this email: record nothing, let a person confirm.
        return showSurvey(reply, link, actionUrl, {
          selected: answer.score,
          comment: null,
          notice: uiText(locale, 'confirmAnswer'),
        });
      }
      const now = ctx.clock.now();
      const outcome = await recordResponse(
        ctx.database,
        link,
        { score: answer.score, comment: answer.comment, answers },
        now,
        ctx.config.EDIT_WINDOW_MINUTES,
      );
      if (outcome.status === 'edit_window_closed') {
        throw new PageError(locale, 'edit_window_closed', 'conflict', uiText(locale, 'editClosedMessage'));
      }
      return replyAfterAnswer(ctx, request, reply, {
        locale,
        survey,
        workspaceName: workspace.name,
        brand: brandOf(workspace),
        timeZone: zoneOf(link),
        actionUrl,
        outcome,
        skipped: answer.skip !== undefined,
      });
    },
  );
}
