// The collector as a Fastify plugin: everything respondents touch (survey pages now; SMS, unsubscribe, QR later).
import formbody from '@fastify/formbody';
import type { AppContext } from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { devOutboxRoutes } from './routes/dev-outbox.ts';
import { surveyRoutes } from './routes/survey.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';

export function collector(ctx: AppContext) {
  return async function collectorPlugin(app: FastifyInstance) {
    await app.register(async (pages) => {
      await pages.register(formbody);
      surveyRoutes(pages, ctx);
      unsubscribeRoutes(pages, ctx);
      if (ctx.config.DEV_OUTBOX) devOutboxRoutes(pages, ctx);
    });
  };
}
