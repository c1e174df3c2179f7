// /s/:token — the survey page. GET only shows (a link scanner records nothing); POST records the one response.
import { randomBytes } from 'node:crypto';
import {
  type AppContext,
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
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage, surveyPage, thanksPage } from '../pages/pages.ts';
import { answerError, parseAnswer, privateHeaders, replyAfterAnswer, wantsJson } from './answer.ts';

type Params = { token: string };

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
  },
) {
  const locale = pickLocale(contact.locale);
  return reply.type('text/html; charset=utf-8').send(
    surveyPage({
      locale,
      kind: survey.kind,
      question: renderQuestion(survey.question, locale, workspace.name),
      workspaceName: workspace.name,
      actionUrl,
      ...state,
    }),
  );
}

export function surveyRoutes(app: FastifyInstance, ctx: AppContext) {
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

  /** Opens a link, or answers the page (or JSON) that says why it cannot be opened. */
  async function open(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
  ): Promise<SurveyLink | null> {
    privateHeaders(reply);
    const { token } = request.params;
    const link = looksLikeSurveyToken(token) ? await findSurveyLink(ctx.database, token) : null;
    const fail = (status: 404 | 410, key: 'notFound' | 'expired') => {
      const locale = pickLocale(link?.contact.locale ?? request.headers['accept-language']);
      if (wantsJson(request)) {
        reply.status(status).send({
          error: { code: status === 404 ? 'not_found' : 'gone', message: uiText(locale, `${key}Message`) },
        });
      } else {
        reply
          .status(status)
          .type('text/html; charset=utf-8')
          .send(
            messagePage({
              locale,
              title: uiText(locale, `${key}Title`),
              message: uiText(locale, `${key}Message`),
            }),
          );
      }
      return null;
    };
    if (!link) return fail(404, 'notFound');
    if (link.invitation.tokenExpiresAt && link.invitation.tokenExpiresAt <= ctx.clock.now())
      return fail(410, 'expired');
    return link;
  }

  app.get<{ Params: Params; Querystring: { score?: string } }>('/s/:token', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    const { survey, workspace, contact, response } = link;
    const locale = pickLocale(contact.locale);
    const now = ctx.clock.now();
    const actionUrl = `/s/${request.params.token}`;
    if (response && response.editableUntil <= now) {
      return reply.type('text/html; charset=utf-8').send(
        thanksPage({
          locale,
          workspaceName: workspace.name,
          editableUntil: null,
          timeZone: zoneOf(link),
          actionUrl,
        }),
      );
    }
    const requested = request.query.score ? Number(request.query.score) : Number.NaN;
    const fromLink = isValidScore(survey.kind, requested) && !response;
    const selected = isValidScore(survey.kind, requested) ? requested : (response?.score ?? null);
    const nonce = fromLink ? randomBytes(16).toString('base64') : undefined;
    if (nonce) {
      privateHeaders(reply, nonce);
      await noteOpenedScore(request.params.token, requested);
    }
    return showSurvey(reply, link, actionUrl, {
      selected,
      comment: response?.comment ?? null,
      notice: response ? uiText(locale, 'alreadyAnswered') : null,
      autoSubmitNonce: nonce,
    });
  });

  app.post<{ Params: Params }>('/s/:token', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    const { survey, workspace, contact } = link;
    const locale = pickLocale(contact.locale);
    const actionUrl = `/s/${request.params.token}`;
    const answer = parseAnswer(request, reply, survey.kind, locale);
    if (!answer) return reply;
    if (answer.auto && (await openedManyScores(request.params.token))) {
      // A scanner that runs scripts opened every score of this email: record nothing, let a person confirm.
      return showSurvey(reply, link, actionUrl, {
        selected: answer.score,
        comment: null,
        notice: uiText(locale, 'confirmAnswer'),
      });
    }
    const now = ctx.clock.now();
    const outcome = await recordResponse(ctx.database, link, answer, now, ctx.config.EDIT_WINDOW_MINUTES);
    if (outcome.status === 'edit_window_closed') {
      return answerError(
        reply,
        request,
        locale,
        409,
        'edit_window_closed',
        uiText(locale, 'editClosedMessage'),
      );
    }
    return replyAfterAnswer(ctx, request, reply, {
      locale,
      survey,
      workspaceName: workspace.name,
      timeZone: zoneOf(link),
      actionUrl,
      outcome,
      skipped: answer.skip !== undefined,
    });
  });
}
