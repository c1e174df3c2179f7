// /r/:code — a promoter's referral link: counts the click (people, once a day; not bots) and sends the visitor on to the shop.
import { type AppContext, followReferral } from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { notFoundPage } from './answer.ts';

export function referralRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get<{ Params: { code: string } }>('/r/:code', async (request, reply) => {
    const { code } = request.params;
    const target = /^[a-z2-9]{8}$/.test(code)
      ? await followReferral(
          ctx.database,
          code,
          { ip: request.ip, userAgent: request.headers['user-agent'] },
          ctx.clock.now(),
        )
      : null;
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (target) return reply.redirect(target, 302);
    return notFoundPage(request, reply);
  });
}
