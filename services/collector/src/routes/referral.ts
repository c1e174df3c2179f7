// /r/:code — a promoter's referral link: counts the click (people, once a day; not bots) and sends the visitor on to the shop.
import { type AppContext, followReferral, pickLocale } from '@surveyflow/core';
import type { HttpApp } from '@surveyflow/http';
import { PageError, renderPageError } from './answer.ts';
import { CodeParams, noBody, pageError } from './responses.ts';

export function referralRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/r/:code',
    {
      schema: {
        tags: ['respondents'],
        summary: "A promoter's referral link: counts the visit and redirects to the shop with ?ref=",
        params: CodeParams,
        response: {
          302: noBody("To the workspace's referral URL, with ?ref=<code>"),
          400: pageError('A code that cannot be read'),
          404: pageError('A code we never issued, or a workspace without a referral URL'),
        },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const { code } = request.params;
      const target = /^[a-z2-9]{8}$/.test(code)
        ? await followReferral(
            ctx.database,
            code,
            { ip: request.ip, userAgent: request.headers['user-agent'] },
            ctx.clock.now(),
          )
        : null;
      if (!target) throw PageError.unknownLink(pickLocale(request.headers['accept-language']));
      return reply.redirect(target, 302);
    },
  );
}
