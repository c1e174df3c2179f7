// The collector as a Fastify plugin: everything respondents and their providers touch: survey pages, unsubscribe, SMS webhooks, location codes, referral links.
import formbody from '@fastify/formbody';
import type { AppContext } from '@surveyflow/core';
import { zodRoutes } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { pageScope } from './page-scope.ts';
import { brandRoutes } from './routes/brand.ts';
import { devOutboxRoutes } from './routes/dev-outbox.ts';
import { kioskRoutes } from './routes/kiosk.ts';
import { locationRoutes } from './routes/location.ts';
import { referralRoutes } from './routes/referral.ts';
import { smsRoutes } from './routes/sms.ts';
import { surveyRoutes } from './routes/survey.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { widgetRoutes } from './routes/widget.ts';

export function collector(ctx: AppContext) {
  return async function collectorPlugin(app: FastifyInstance) {
    await app.register(formbody);
    // Respondents' pages: security headers, the signed device cookie, pages by default. Only here:
    // the API and its /docs keep their own headers.
    await app.register(async (pages) => {
      await pageScope(pages, { cookieSecret: ctx.config.SECRET_KEY });
      const routes = zodRoutes(pages);
      surveyRoutes(routes, ctx);
      unsubscribeRoutes(routes, ctx);
      locationRoutes(routes, ctx);
      kioskRoutes(routes, ctx);
      referralRoutes(routes, ctx);
    });
    // The on-site widget runs on the shop's pages: CORS by its key's origins, no cookies, no page headers.
    await app.register(widgetRoutes(ctx));
    // Providers' webhooks and the dev outbox (whose mail previews must not get the pages' CSP).
    smsRoutes(zodRoutes(app), ctx);
    // Logos: outside the pages' scope, whose no-store would keep them from being cached.
    brandRoutes(zodRoutes(app), ctx);
    if (ctx.config.DEV_OUTBOX || ctx.config.SMS_DEV_OUTBOX) devOutboxRoutes(zodRoutes(app), ctx);
  };
}
