// /v1/contacts/:id and /v1/stats/skips: why each customer was or was not asked; correcting, unsubscribing and erasing a contact.
import {
  type AppContext,
  AppError,
  contactByExternalId,
  contactHistory,
  eraseContact,
  optInContact,
  optOutContact,
  skipReasons,
  skipStats,
  updateContact,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contactFields } from './events.ts';
import { periodQuery } from './responses.ts';

const contactChangesSchema = z
  .object(contactFields)
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something: email, phone, name, locale or timezone');

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

  app.patch<{ Params: { id: string } }>('/v1/contacts/:id', async (request) => {
    const changes = parseInput(contactChangesSchema, request.body);
    const updated = await updateContact(
      ctx.database,
      request.workspaceId,
      request.params.id,
      changes,
      ctx.clock.now(),
    );
    if (!updated) throw AppError.notFound(`Contact ${request.params.id}`);
    return contactHistory(ctx.database, request.workspaceId, request.params.id, ctx.clock.now());
  });

  // The right to erasure: identifying data goes, anonymous scores stay, the person is never asked again.
  app.delete<{ Params: { id: string } }>('/v1/contacts/:id', async (request, reply) => {
    if (!(await eraseContact(ctx.database, request.workspaceId, request.params.id, ctx.clock.now()))) {
      throw AppError.notFound(`Contact ${request.params.id}`);
    }
    return reply.status(204).send();
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
