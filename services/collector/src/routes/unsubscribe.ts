// /u/:token — unsubscribing from survey emails: GET asks (scanners change nothing), POST does it at once
// (also the RFC 8058 one-click POST mail clients send), /undo takes it back.
import {
  type AppContext,
  findSurveyLink,
  looksLikeSurveyToken,
  optInContact,
  optOutContact,
  pickLocale,
  type SurveyLink,
  uiText,
} from '@surveyflow/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage, unsubscribePage } from '../pages/pages.ts';

type Params = { token: string };

export function unsubscribeRoutes(app: FastifyInstance, ctx: AppContext) {
  /** The link's contact; an expired survey link still unsubscribes (opting out must always work). */
  async function open(
    request: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
  ): Promise<SurveyLink | null> {
    reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex');
    const { token } = request.params;
    const link = looksLikeSurveyToken(token) ? await findSurveyLink(ctx.database, token) : null;
    if (link) return link;
    const locale = pickLocale(request.headers['accept-language']);
    reply
      .status(404)
      .type('text/html; charset=utf-8')
      .send(
        messagePage({
          locale,
          status: 404,
          title: uiText(locale, 'notFoundTitle'),
          message: uiText(locale, 'notFoundMessage'),
        }),
      );
    return null;
  }

  const show = (reply: FastifyReply, link: SurveyLink, token: string, state: 'confirm' | 'done' | 'undone') =>
    reply.type('text/html; charset=utf-8').send(
      unsubscribePage({
        locale: pickLocale(link.contact.locale),
        workspaceName: link.workspace.name,
        actionUrl: `/u/${token}`,
        state,
      }),
    );

  app.get<{ Params: Params }>('/u/:token', async (request, reply) => {
    const link = await open(request, reply);
    return link
      ? show(reply, link, request.params.token, link.contact.optedOutAt ? 'done' : 'confirm')
      : reply;
  });

  app.post<{ Params: Params }>('/u/:token', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    await optOutContact(ctx.database, link.contact.id, ctx.clock.now());
    ctx.log.info({ contactId: link.contact.id }, 'contact unsubscribed by link');
    return show(reply, link, request.params.token, 'done');
  });

  app.post<{ Params: Params }>('/u/:token/undo', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    await optInContact(ctx.database, link.contact.id, ctx.clock.now());
    return show(reply, link, request.params.token, 'undone');
  });
}
