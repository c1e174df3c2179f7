// /v1/contacts/:id and /v1/stats/skips: why each customer was or was not asked, one by one and in aggregate.
import {
  type AppContext,
  AppError,
  contactByExternalId,
  contactHistory,
  optInContact,
  optOutContact,
  parseInput,
  skipReasons,
  skipStats,
} from '@surveyflow/core';

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { periodQuery } from './responses.ts';

export function contactRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get<{ Params: { id: string } }>('/v1/contacts/:id', async (request) => {
    const view = await contactHistory(ctx.database, request.workspaceId, request.params.id, ctx.clock.now());
    if (!view) throw AppError.notFound(`Contact ${request.params.id}`);
    return view;
  });

  // The API path of opting out: honoured at once, like the link in every email.
  app.post<{ Params: { id: string } }>('/v1/contacts/:id/unsubscribe', async (request) => {
    const contact = await contactByExternalId(ctx.database, request.workspaceId, request.params.id);
    if (!contact) throw AppError.notFound(`Contact ${request.params.id}`);
    const changed = await optOutContact(ctx.database, contact.id, ctx.clock.now(), 'api');
    return { id: request.params.id, optedOut: true, alreadyOptedOut: !changed };
  });

  app.post<{ Params: { id: string } }>('/v1/contacts/:id/resubscribe', async (request) => {
    const contact = await contactByExternalId(ctx.database, request.workspaceId, request.params.id);
    if (!contact) throw AppError.notFound(`Contact ${request.params.id}`);
    await optInContact(ctx.database, contact.id, ctx.clock.now());
    return { id: request.params.id, optedOut: false };
  });

  app.get('/v1/stats/skips', async (request) => {
    const period = parseInput(z.object(periodQuery), request.query);
    const rows = await skipStats(ctx.database, request.workspaceId, period);
    return {
      from: period.from ?? null,
      to: period.to ?? null,
      data: rows.map((r) => ({
        trigger: r.triggerId ? { id: r.triggerId, name: r.triggerName } : null,
        reason: r.reason,
        explanation: r.reason ? (skipReasons[r.reason as keyof typeof skipReasons] ?? null) : null,
        count: r.count,
      })),
    };
  });
}
