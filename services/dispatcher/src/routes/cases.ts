// /v1/cases: detractors' answers as cases — who owns each, what is overdue, every change on record; resolving can tell the customer.
import { type AppContext, AppError, getCase, listCases, updateCase } from '@surveyflow/core';
import { errors, type HttpApp, IdParams, pageFrom } from '@surveyflow/http';
import { actorOf } from '../auth.ts';
import { CaseList, CaseListQuery, CasePatch, CaseView } from '../schemas/cases.ts';

const tags = ['cases'];
const security = [{ apiKey: [] }];

export function caseRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/cases',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List cases, soonest due first',
        description: "Filter by status, owner and overdue; page with `cursor` (the previous page's `next`).",
        querystring: CaseListQuery,
        response: { 200: CaseList, ...errors },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const rows = await listCases(
        ctx.database,
        request.workspaceId,
        { ...filter, after: cursor },
        ctx.clock.now(),
      );
      return pageFrom(
        rows,
        filter.limit,
        ({ cursorAt: _, ...c }) => c,
        (c) => ({ at: c.cursorAt, id: c.id }),
      );
    },
  );

  app.get(
    '/v1/cases/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'A case with its answer and whole history',
        params: IdParams,
        response: { 200: CaseView, ...errors },
      },
    },
    async (request) => {
      const found = await getCase(ctx.database, request.workspaceId, request.params.id, ctx.clock.now());
      if (!found) throw AppError.notFound(`Case ${request.params.id}`);
      return found;
    },
  );

  app.patch(
    '/v1/cases/:id',
    {
      config: { permission: 'cases.work' },
      schema: {
        tags,
        security,
        summary: 'Take, note, or resolve a case',
        description:
          'Resolving needs `resolution`; `closingMessage` goes to the customer on the channel they answered by, in the same transaction.',
        params: IdParams,
        body: CasePatch,
        response: { 200: CaseView, ...errors, 409: errors[400] },
      },
    },
    async (request) => {
      const { id } = request.params;
      const now = ctx.clock.now();
      const { notice } = await updateCase(
        ctx.database,
        request.workspaceId,
        id,
        request.body,
        'api',
        now,
        actorOf(request),
        { publicUrl: ctx.config.PUBLIC_URL },
      );
      if (notice) await ctx.queues.addNotificationSends([notice]);
      const found = await getCase(ctx.database, request.workspaceId, id, now);
      if (!found) throw AppError.notFound(`Case ${id}`);
      return { ...found, customerNotified: notice !== null };
    },
  );
}
