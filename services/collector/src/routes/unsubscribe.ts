// /u/:token — unsubscribing from survey emails: GET asks (scanners change nothing), POST does it at once
// (also the RFC 8058 one-click POST mail clients send), /undo takes it back; /email/inbound is the mailto: path.
import {
  type AppContext,
  AppError,
  findSurveyLink,
  looksLikeSurveyToken,
  optInContact,
  optOutContact,
  pickLocale,
  type SurveyLink,
  safeEqual,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { unsubscribePage } from '../pages/pages.ts';
import { notFoundPage } from './answer.ts';

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
    notFoundPage(request, reply);
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
    await optOutContact(ctx.database, link.contact.id, ctx.clock.now(), 'link');
    ctx.log.info({ contactId: link.contact.id }, 'contact unsubscribed by link');
    return show(reply, link, request.params.token, 'done');
  });

  app.post<{ Params: Params }>('/u/:token/undo', async (request, reply) => {
    const link = await open(request, reply);
    if (!link) return reply;
    await optInContact(ctx.database, link.contact.id, ctx.clock.now());
    return show(reply, link, request.params.token, 'undone');
  });

  /**
   * The mailto: path of List-Unsubscribe. An inbound-mail service (Mailgun routes, Postmark inbound,
   * anything that POSTs the message's subject as JSON or a form) forwards mail sent to
   * UNSUBSCRIBE_MAILTO here; the secret in the path stands in for a signature. The subject carries
   * the survey token. Unknown tokens answer the same as known ones: the sender learns nothing.
   */
  app.post<{ Params: { secret: string } }>('/email/inbound/:secret', async (request) => {
    const expected = ctx.config.INBOUND_EMAIL_TOKEN;
    if (!expected || !safeEqual(request.params.secret, expected)) {
      throw AppError.forbidden('Unknown inbound mail endpoint');
    }
    const { subject } = parseInput(inboundMailSchema, request.body);
    const token = /unsubscribe\s+([A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])/i.exec(subject)?.[1];
    const link = token ? await findSurveyLink(ctx.database, token) : null;
    if (link) await optOutContact(ctx.database, link.contact.id, ctx.clock.now(), 'mail');
    return { received: true };
  });
}

/** Mailgun sends `subject`, Postmark `Subject`: either will do. */
const inboundMailSchema = z
  .object({ subject: z.string().max(2000).optional(), Subject: z.string().max(2000).optional() })
  .transform((m) => ({ subject: m.subject ?? m.Subject ?? '' }));
