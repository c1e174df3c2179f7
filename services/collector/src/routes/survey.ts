// /s/:token — the survey page. GET only shows (a link scanner records nothing); POST records the one response.
import {
  type AppContext,
  findSurveyLink,
  issuesToDetails,
  isValidScore,
  localized,
  looksLikeSurveyToken,
  pickLocale,
  recordResponse,
  renderQuestion,
  type SurveyLink,
  uiText,
} from '@surveyflow/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';
import { followupPage, messagePage, surveyPage, thanksPage } from '../pages/pages.ts';

type Params = { token: string };

const zoneOf = (link: SurveyLink) => link.contact.timezone ?? link.workspace.timezone;

const answerSchema = z.object({
  score: z.coerce.number({ error: 'must be a number' }).int('must be a whole number'),
  comment: z
    .string()
    .max(5000)
    .optional()
    .transform((v) => v?.trim() || null),
  /** "Skip" on the follow-up page: no comment is coming. */
  skip: z.string().optional(),
});

/** The token is a credential in the URL: keep it out of caches, search engines and Referer headers. */
function privateHeaders(reply: FastifyReply) {
  return reply
    .header('cache-control', 'no-store')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    );
}

const wantsJson = (request: FastifyRequest) =>
  request.headers['content-type']?.startsWith('application/json') === true ||
  request.headers.accept?.startsWith('application/json') === true;

export function surveyRoutes(app: FastifyInstance, ctx: AppContext) {
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
              status,
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
    const requested = Number(request.query.score);
    const selected = isValidScore(survey.kind, requested) ? requested : (response?.score ?? null);
    return reply.type('text/html; charset=utf-8').send(
      surveyPage({
        locale,
        kind: survey.kind,
        question: renderQuestion(survey.question, locale, workspace.name),
        workspaceName: workspace.name,
        actionUrl,
        selected,
        comment: response?.comment ?? null,
        notice: response ? uiText(locale, 'alreadyAnswered') : null,
      }),
    );
  });

  app.post<{ Params: Params }>('/s/:token', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    const { survey, workspace, contact } = link;
    const locale = pickLocale(contact.locale);
    const actionUrl = `/s/${request.params.token}`;
    const parsed = answerSchema.safeParse(request.body ?? {});
    const issue = parsed.success ? undefined : issuesToDetails(parsed.error)[0];
    if (!parsed.success || !isValidScore(survey.kind, parsed.data.score)) {
      const range = { nps: '0–10', csat: '1–5', ces: '1–7' }[survey.kind];
      const field = issue?.field ?? 'score';
      const message = issue && field !== 'score' ? issue.message : `must be a whole number from ${range}`;
      return answerError(reply, request, locale, 400, 'validation_failed', `${field} ${message}`, field);
    }
    const answer = parsed.data;
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
    const { response } = outcome;
    const done = response.comment !== null || answer.skip !== undefined;
    await scheduleFollowup(ctx, response.id, outcome.status, done, response.followedUpAt !== null);

    const askWhy = !done;
    const followupQuestion = localized(survey.followupQuestion, locale);
    if (wantsJson(request)) {
      return reply.status(outcome.status === 'created' ? 201 : 200).send({
        responseId: response.id,
        status: outcome.status,
        score: response.score,
        comment: response.comment,
        editableUntil: response.editableUntil,
        followupQuestion: askWhy ? followupQuestion : null,
      });
    }
    reply.type('text/html; charset=utf-8');
    if (askWhy) {
      return reply.send(
        followupPage({
          locale,
          question: followupQuestion,
          actionUrl,
          score: response.score,
          workspaceName: workspace.name,
        }),
      );
    }
    return reply.send(
      thanksPage({
        locale,
        workspaceName: workspace.name,
        editableUntil: response.editableUntil,
        timeZone: zoneOf(link),
        actionUrl,
      }),
    );
  });

  function answerError(
    reply: FastifyReply,
    request: FastifyRequest,
    locale: ReturnType<typeof pickLocale>,
    status: 400 | 409,
    code: string,
    message: string,
    field?: string,
  ) {
    if (wantsJson(request)) {
      return reply
        .status(status)
        .send({ error: { code, message, ...(field ? { details: [{ field, message }] } : {}) } });
    }
    const title = uiText(locale, status === 409 ? 'editClosedTitle' : 'badAnswerTitle');
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(messagePage({ locale, status, title, message }));
  }
}
