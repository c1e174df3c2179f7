// /v1/cases: detractors' answers as cases — who owns each, what is overdue, every change on record; resolving can tell the customer.
import { type AppContext, AppError, caseStatuses, getCase, listCases, updateCase } from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idParam } from './surveys.ts';

const listQuery = z.object({
  status: z.enum(caseStatuses).optional(),
  owner: z.string().min(1).max(200).optional(),
  overdue: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const patchSchema = z
  .object({
    status: z.enum(caseStatuses),
    owner: z.string().trim().min(1).max(200).nullable(),
    /** Required when resolving: what was done. */
    resolution: z.string().trim().min(1).max(5000),
    note: z.string().trim().min(1).max(5000),
    /** Sent to the customer when the case is resolved by this change. */
    closingMessage: z.string().trim().min(1).max(1000),
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'must change something: status, owner, resolution or note');

export function caseRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/v1/cases', async (request) => {
    const q = parseInput(listQuery, request.query);
    return { data: await listCases(ctx.database, request.workspaceId, q, ctx.clock.now()) };
  });

  app.get('/v1/cases/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const found = await getCase(ctx.database, request.workspaceId, id, ctx.clock.now());
    if (!found) throw AppError.notFound(`Case ${id}`);
    return found;
  });

  app.patch('/v1/cases/:id', async (request) => {
    const { id } = parseInput(idParam, request.params);
    const change = parseInput(patchSchema, request.body);
    const now = ctx.clock.now();
    const { notice } = await updateCase(ctx.database, request.workspaceId, id, change, 'api', now);
    if (notice) await ctx.queues.addNotificationSends([notice]);
    const found = await getCase(ctx.database, request.workspaceId, id, now);
    return { ...found, customerNotified: notice !== null };
  });
}
