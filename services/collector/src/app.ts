// The collector as a Fastify plugin: everything respondents and their providers touch: survey pages, unsubscribe, SMS webhooks, location codes, referral links.
import formbody from '@fastify/formbody';
import type { AppContext } from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { devOutboxRoutes } from './routes/dev-outbox.ts';
import { locationRoutes } from './routes/location.ts';
import { referralRoutes } from './routes/referral.ts';
import { smsRoutes } from './routes/sms.ts';
import { surveyRoutes } from './routes/survey.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';

export function collector(ctx: AppContext) {
  return async function collectorPlugin(app: FastifyInstance) {
    await app.register(async (pages) => {
      await pages.register(formbody);
      surveyRoutes(pages, ctx);
      unsubscribeRoutes(pages, ctx);
      smsRoutes(pages, ctx);
      locationRoutes(pages, ctx);
      referralRoutes(pages, ctx);
      if (ctx.config.DEV_OUTBOX || ctx.config.SMS_DEV_OUTBOX) devOutboxRoutes(pages, ctx);
    });
  };
}
