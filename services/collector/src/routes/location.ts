// /l/:code — a permanent QR code in a shop, desk or kiosk: anonymous answers tagged with the place, one per device per period.
import { randomBytes } from 'node:crypto';
import {
  type AppContext,
  brandOf,
  findLocationByCode,
  isValidScore,
  type LocationLink,
  pickLocale,
  recordLocationAnswer,
  renderQuestion,
  sha256,
  uiText,
} from '@surveyflow/core';
import type { HttpApp } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { surveyPage } from '../pages/pages.ts';
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
import { CodeParams, htmlPage, pageError, pageOrJson } from './responses.ts';

const COOKIE = 'sf_device';
const YEAR_S = 365 * 86_400;

/**
 * The device: a random cookie set on first sight, signed (with SECRET_KEY, by @fastify/cookie) so a
 * script cannot mint a fresh device for every answer. A browser that refuses cookies is known by
 * its address and user agent instead, so refusing them does not lift the limit. Location codes (/l)
 * and kiosks (/k) each keep their own.
 */
export function deviceOf(
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  secure: boolean,
): string {
  const cookie = request.cookies[COOKIE];
  const known = cookie ? request.unsignCookie(cookie) : undefined;
  if (known?.valid && known.value) return known.value;
  const fresh = randomBytes(16).toString('base64url');
  reply.setCookie(COOKIE, fresh, {
    signed: true,
    path,
    maxAge: YEAR_S,
    httpOnly: true,
    sameSite: 'lax',
    secure,
  });
  // Only a GET has had the chance to set the cookie; a POST without one is a cookieless device.
  return request.method === 'GET'
    ? fresh
    : `anon:${sha256(`${request.ip} ${request.headers['user-agent'] ?? ''}`)}`;
}

export function locationRoutes(app: HttpApp, ctx: AppContext) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:');

  const device = (request: FastifyRequest, reply: FastifyReply) => deviceOf(request, reply, '/l', secure);

  async function open(code: string, acceptLanguage: string | undefined): Promise<LocationLink> {
    const link = /^[a-z2-9]{10}$/.test(code) ? await findLocationByCode(ctx.database, code) : null;
    if (!link) throw PageError.unknownLink(pickLocale(acceptLanguage));
    return link;
  }

  const locationErrors = {
    400: pageError('A code or field that cannot be read (named in details)'),
    404: pageError('A code we never issued'),
  };

  app.get(
    '/l/:code',
    {
      schema: {
        tags: ['respondents'],
        summary: "A location code's survey page (sets the device cookie)",
        params: CodeParams,
        querystring: ScoreQuery,
        response: { 200: htmlPage('The survey, headed with the place'), ...locationErrors },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const link = await open(request.params.code, request.headers['accept-language']);
      device(request, reply);
      const locale = pickLocale(request.headers['accept-language']);
      const requested = request.query.score ?? Number.NaN;
      return reply.type('text/html; charset=utf-8').send(
        surveyPage({
          locale,
          kind: link.survey.kind,
          question: renderQuestion(link.survey.question, locale, link.workspace.name),
          // The place in the header, so a customer sees the code belongs where they stand.
          workspaceName: `${link.workspace.name} · ${link.location.name}`,
          brand: brandOf(link.workspace),
          actionUrl: `/l/${link.location.code}`,
          selected: isValidScore(link.survey.kind, requested) ? requested : null,
          comment: null,
          notice: null,
          questions: link.survey.questions,
          answers: {},
        }),
      );
    },
  );

  app.post(
    '/l/:code',
    {
      schema: {
        tags: ['respondents'],
        summary: 'Answer at a location: one answer per device per period, changeable inside the edit window',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: CodeParams,
        body: AnswerBody,
        response: {
          200: pageOrJson('The "why?" page or the thanks page; JSON: the changed answer', AnswerView),
          201: AnswerView.describe('JSON: the answer, recorded'),
          ...locationErrors,
          429: pageError('This device (or network address) has answered here recently'),
        },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const link = await open(request.params.code, request.headers['accept-language']);
      const locale = pickLocale(request.headers['accept-language']);
      const answer = checkScore(link.survey.kind, request.body, locale);
      const answers = extraAnswers(link.survey, answer, locale);
      const outcome = await recordLocationAnswer(
        ctx.database,
        link,
        device(request, reply),
        request.ip,
        { score: answer.score, comment: answer.comment, answers },
        ctx.clock.now(),
        ctx.config.EDIT_WINDOW_MINUTES,
      );
      const timeZone = link.workspace.timezone;
      if (outcome.status === 'device_limit') {
        // dateStyle cannot be combined with timeZoneName, so the zone is named after the time.
        const time = `${outcome.until.toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' })} (${timeZone})`;
        throw new PageError(
          locale,
          'device_limit',
          'rate_limited',
          uiText(locale, 'deviceLimitMessage', { time }),
        );
      }
      return replyAfterAnswer(ctx, request, reply, {
        locale,
        survey: link.survey,
        workspaceName: link.workspace.name,
        brand: brandOf(link.workspace),
        timeZone,
        actionUrl: `/l/${link.location.code}`,
        outcome,
        skipped: answer.skip !== undefined,
      });
    },
  );
}
