// /u/:token — unsubscribing from survey emails: GET asks (scanners change nothing), POST does it at once
// (also the RFC 8058 one-click POST mail clients send), /undo takes it back; /email/inbound is the mailto: path.
import {
  type AppContext,
  AppError,
  brandOf,
  findSurveyLink,
  looksLikeSurveyToken,
  optInContact,
  optOutContact,
  pickLocale,
  type SurveyLink,
  safeEqual,
} from '@surveyflow/core';
import { ErrorBody, type HttpApp, text } from '@surveyflow/http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { unsubscribePage } from '../pages/pages.ts';
import { PageError, renderPageError } from './answer.ts';
import { htmlPage, pageError, TokenParams } from './responses.ts';

/** The RFC 8058 one-click POST says `List-Unsubscribe=One-Click`; the page's own button sends nothing. */
const OneClickBody = z
  .object({ 'List-Unsubscribe': text(100).optional().describe('One-Click (RFC 8058)') })
  .nullish();

/** Mailgun sends `subject`, Postmark `Subject`: either will do (the other fields are not read). */
const InboundMailBody = z
  .object({ subject: text(2000).optional(), Subject: text(2000).optional() })
  .transform((m) => ({ subject: m.subject ?? m.Subject ?? '' }));

/** Undo is the page's button: it sends no fields (any that come are not read), or no body at all (null). */
const NoFields = z.object({}).nullish();

const InboundMailParams = z.object({ secret: text(200).describe('INBOUND_EMAIL_TOKEN') });

export function unsubscribeRoutes(app: HttpApp, ctx: AppContext) {
  /** The link's contact; an expired survey link still unsubscribes (opting out must always work). */
  async function open(token: string, acceptLanguage: string | undefined): Promise<SurveyLink> {
    const link = looksLikeSurveyToken(token) ? await findSurveyLink(ctx.database, token) : null;
    if (!link) throw PageError.unknownLink(pickLocale(acceptLanguage));
    return link;
  }

  const show = (reply: FastifyReply, link: SurveyLink, token: string, state: 'confirm' | 'done' | 'undone') =>
    reply.type('text/html; charset=utf-8').send(
      unsubscribePage({
        locale: pickLocale(link.contact.locale),
        workspaceName: link.workspace.name,
        brand: brandOf(link.workspace),
        actionUrl: `/u/${token}`,
        state,
      }),
    );

  const options = (summary: string, page: string) => ({
    schema: {
      tags: ['respondents'],
      summary,
      params: TokenParams,
      response: {
        200: htmlPage(page),
        400: pageError('A token or field that cannot be read (named in details)'),
        404: pageError('A link we never issued'),
      },
    },
    config: { renderError: renderPageError },
  });

  app.get(
    '/u/:token',
    options('Asks to confirm unsubscribing (changes nothing)', 'The confirmation, or "you are unsubscribed"'),
    async (request, reply) => {
      const link = await open(request.params.token, request.headers['accept-language']);
      return show(reply, link, request.params.token, link.contact.optedOutAt ? 'done' : 'confirm');
    },
  );

  const post = options(
    'Unsubscribes the contact from survey emails at once (also the RFC 8058 one-click POST)',
    '"You are unsubscribed", with a button to undo',
  );
  app.post(
    '/u/:token',
    {
      ...post,
      schema: { ...post.schema, consumes: ['application/x-www-form-urlencoded'], body: OneClickBody },
    },
    async (request, reply) => {
      const link = await open(request.params.token, request.headers['accept-language']);
      await optOutContact(ctx.database, link.contact.id, ctx.clock.now(), 'link');
      ctx.log.info({ contactId: link.contact.id }, 'contact unsubscribed by link');
      return show(reply, link, request.params.token, 'done');
    },
  );

  const undo = options('Takes an unsubscribe back', '"Welcome back"');
  app.post(
    '/u/:token/undo',
    { ...undo, schema: { ...undo.schema, consumes: ['application/x-www-form-urlencoded'], body: NoFields } },
    async (request, reply) => {
      const link = await open(request.params.token, request.headers['accept-language']);
      await optInContact(ctx.database, link.contact.id, ctx.clock.now());
      return show(reply, link, request.params.token, 'undone');
    },
  );

  /**
   * The mailto: path of List-Unsubscribe. An inbound-mail service (Mailgun routes, Postmark inbound,
   * anything that POSTs the message's subject as JSON or a form) forwards mail sent to
   * UNSUBSCRIBE_MAILTO here; the secret in the path stands in for a signature. The subject carries
   * the survey token. Unknown tokens answer the same as known ones: the sender learns nothing.
   */
  app.post(
    '/email/inbound/:secret',
    {
      schema: {
        tags: ['providers'],
        summary: 'Inbound mail to UNSUBSCRIBE_MAILTO: "unsubscribe <token>" in the subject opts out',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        params: InboundMailParams,
        body: InboundMailBody,
        response: {
          200: z
            .object({ received: z.literal(true) })
            .describe('Received (the same whether or not the token was known)'),
          400: ErrorBody,
          403: ErrorBody,
        },
      },
      // The secret is checked before the body is read: a caller without it learns nothing from our answers.
      preValidation: async (request) => {
        const expected = ctx.config.INBOUND_EMAIL_TOKEN;
        const { secret } = request.params as { secret?: unknown };
        if (!expected || typeof secret !== 'string' || !safeEqual(secret, expected)) {
          throw AppError.forbidden('Unknown inbound mail endpoint');
        }
      },
    },
    async (request) => {
      const { subject } = request.body;
      const token = /unsubscribe\s+([A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])/i.exec(subject)?.[1];
      const link = token ? await findSurveyLink(ctx.database, token) : null;
      if (link) await optOutContact(ctx.database, link.contact.id, ctx.clock.now(), 'mail');
      return { received: true as const };
    },
  );
}
