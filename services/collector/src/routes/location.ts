// /l/:code — a permanent QR code in a shop, desk or kiosk: anonymous answers tagged with the place, one per device per period.
import { createHmac, randomBytes } from 'node:crypto';
import {
  type AppContext,
  findLocationByCode,
  isValidScore,
  type LocationLink,
  pickLocale,
  recordLocationAnswer,
  renderQuestion,
  safeEqual,
  sha256,
  uiText,
} from '@surveyflow/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { surveyPage } from '../pages/pages.ts';
import { answerError, notFoundPage, parseAnswer, privateHeaders, replyAfterAnswer } from './answer.ts';

type Params = { code: string };
const COOKIE = 'sf_device';
const YEAR_S = 365 * 86_400;

const cookieValue = (request: FastifyRequest, name: string) =>
  request.headers.cookie
    ?.split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === name)?.[1];

export function locationRoutes(app: FastifyInstance, ctx: AppContext) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:');
  const sign = (id: string) =>
    createHmac('sha256', ctx.config.SECRET_KEY).update(`device:${id}`).digest('base64url').slice(0, 22);

  /**
   * The device: a random cookie set on first sight. A browser that refuses cookies is known by its
   * address and user agent instead, so refusing them does not lift the limit.
   */
  function device(request: FastifyRequest, reply: FastifyReply): string {
    // Signed, so a script cannot mint a fresh device for every answer.
    const [id, mac] = (cookieValue(request, COOKIE) ?? '').split('.');
    if (id && mac && safeEqual(mac, sign(id))) return id;
    const fresh = randomBytes(16).toString('base64url');
    reply.header(
      'set-cookie',
      `${COOKIE}=${fresh}.${sign(fresh)}; Path=/l; Max-Age=${YEAR_S}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    );
    // Only a GET has had the chance to set the cookie; a POST without one is a cookieless device.
    return request.method === 'GET'
      ? fresh
      : `anon:${sha256(`${request.ip} ${request.headers['user-agent'] ?? ''}`)}`;
  }

  async function open(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
  ): Promise<LocationLink | null> {
    privateHeaders(reply);
    const link = /^[a-z2-9]{10}$/.test(request.params.code)
      ? await findLocationByCode(ctx.database, request.params.code)
      : null;
    if (link) return link;
    notFoundPage(request, reply);
    return null;
  }

  app.get<{ Params: Params; Querystring: { score?: string } }>('/l/:code', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    device(request, reply);
    const locale = pickLocale(request.headers['accept-language']);
    const requested = request.query.score ? Number(request.query.score) : Number.NaN;
    return reply.type('text/html; charset=utf-8').send(
      surveyPage({
        locale,
        kind: link.survey.kind,
        question: renderQuestion(link.survey.question, locale, link.workspace.name),
        // The place in the header, so a customer sees the code belongs where they stand.
        workspaceName: `${link.workspace.name} · ${link.location.name}`,
        actionUrl: `/l/${link.location.code}`,
        selected: isValidScore(link.survey.kind, requested) ? requested : null,
        comment: null,
        notice: null,
      }),
    );
  });

  app.post<{ Params: Params }>('/l/:code', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    const locale = pickLocale(request.headers['accept-language']);
    const answer = parseAnswer(request, reply, link.survey.kind, locale);
    if (!answer) return reply;
    const outcome = await recordLocationAnswer(
      ctx.database,
      link,
      device(request, reply),
      request.ip,
      answer,
      ctx.clock.now(),
      ctx.config.EDIT_WINDOW_MINUTES,
    );
    const timeZone = link.workspace.timezone;
    if (outcome.status === 'device_limit') {
      // dateStyle cannot be combined with timeZoneName, so the zone is named after the time.
      const time = `${outcome.until.toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' })} (${timeZone})`;
      return answerError(
        reply,
        request,
        locale,
        429,
        'device_limit',
        uiText(locale, 'deviceLimitMessage', { time }),
      );
    }
    return replyAfterAnswer(ctx, request, reply, {
      locale,
      survey: link.survey,
      workspaceName: link.workspace.name,
      timeZone,
      actionUrl: `/l/${link.location.code}`,
      outcome,
      skipped: answer.skip !== undefined,
    });
  });
}
