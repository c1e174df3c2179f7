// Cases in the console (/app/cases): the inbox views, one case, and the forms that work it — the same core use cases
// as /v1/cases (listCases, getCase, updateCase), with the closing message previewed by the template that sends it.
import {
  type AppContext,
  AppError,
  caseContext,
  caseInboxDetails,
  getCase,
  listCases,
  listMembers,
  type Permission,
  previewClosingMessage,
  roleAllows,
  updateCase,
} from '@surveyflow/core';
import { type HttpApp, keysetCursor, pageFrom, text, uuid } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { casePage, caseViews, inboxPage, previewPage } from '../pages/cases.tsx';
import { t } from '../pages/cases.words.ts';
import { actorOf, localeOf, type Member, memberWith, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, formPost, htmlPage, redirect } from './shapes.ts';

const PAGE = 25;

const InboxQuery = z.object({
  view: z.enum(caseViews).optional().catch(undefined),
  cursor: keysetCursor.schema.optional(),
});
const CaseParams = z.object({ id: uuid });
const done = ['assigned', 'acknowledged', 'noted', 'resolved', 'told', 'unreachable'] as const;
const CaseQuery = z.object({ done: z.enum(done).optional().catch(undefined) });
const AssignBody = z.object({
  assigneeId: z
    .union([z.literal(''), uuid], { error: 'must be a member of this workspace, or empty for nobody' })
    .transform((v) => (v === '' ? null : v)),
  ...csrfField,
});
const NoteBody = z.object({ note: text(5000).trim().min(1, 'must not be empty'), ...csrfField });
/** An empty closing message is none: the customer is not told. */
const ResolveBody = z.object({
  resolution: text(5000).trim().min(1, 'is required to resolve a case: say what was done'),
  closingMessage: text(1000)
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  ...csrfField,
});

/** The operator in their workspace, holding `permission` (data.read to look, cases.work to change). */
const allowed = (request: FastifyRequest, permission: Permission) => memberWith(request, permission);

const html = (reply: FastifyReply) => reply.type('text/html; charset=utf-8');

export function caseRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  /** The closing email wears the workspace's logo (by its public URL) and accent, previewed as sent. */
  const brand = { publicUrl: ctx.config.PUBLIC_URL };
  const forms = {
    303: redirect('Back to the case, with a notice'),
    ...formErrors,
    404: htmlPage('No such case'),
  };

  /** The cases of an inbox view, soonest due first (the API's order and cursors). */
  const inbox = (
    s: Member,
    view: (typeof caseViews)[number],
    after: { at: string; id: string } | undefined,
  ) =>
    listCases(
      ctx.database,
      s.workspace.workspaceId,
      {
        limit: PAGE,
        after,
        ...(view === 'mine' ? { assignee: s.user.id, unresolved: true } : {}),
        ...(view === 'unassigned' ? { assignee: 'none', unresolved: true } : {}),
        ...(view === 'overdue' ? { overdue: true } : {}),
      },
      ctx.clock.now(),
    );

  app.get(
    '/app/cases',
    {
      schema: {
        tags,
        summary: 'The cases inbox: mine, unassigned, overdue or all (default: mine when you have open ones)',
        querystring: InboxQuery,
        response: { 200: htmlPage('The inbox'), 303: redirect('Not signed in'), ...formErrors },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'data.read');
      const { cursor } = request.query;
      const view =
        request.query.view ?? ((await inbox(session, 'mine', undefined)).length > 0 ? 'mine' : 'unassigned');
      const rows = await inbox(session, view, cursor);
      const page = pageFrom(
        rows,
        PAGE,
        (r) => r,
        (r) => ({ at: r.cursorAt, id: r.id }),
      );
      const details = await caseInboxDetails(
        ctx.database,
        session.workspace.workspaceId,
        page.data.map((r) => r.id),
      );
      return html(reply).send(
        inboxPage({
          locale: localeOf(request),
          session,
          view,
          rows: page.data,
          details,
          next: page.next,
          cursor: cursor ? keysetCursor.encode(cursor) : undefined,
          now: ctx.clock.now(),
        }),
      );
    },
  );

  app.get(
    '/app/cases/:id',
    {
      schema: {
        tags,
        summary:
          'A case: the answer, the event, the whole history, the customer’s other answers, and its forms',
        params: CaseParams,
        querystring: CaseQuery,
        response: {
          200: htmlPage('The case'),
          303: redirect('Not signed in'),
          ...formErrors,
          404: htmlPage('No such case'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'data.read');
      const { workspaceId } = session.workspace;
      const now = ctx.clock.now();
      const [found, context] = await Promise.all([
        getCase(ctx.database, workspaceId, request.params.id, now),
        caseContext(ctx.database, workspaceId, request.params.id),
      ]);
      if (!found || !context) throw AppError.notFound(`Case ${request.params.id}`);
      const locale = localeOf(request);
      const notices = {
        assigned: 'doneAssigned',
        acknowledged: 'doneAcknowledged',
        noted: 'doneNoted',
        resolved: 'doneResolved',
        told: 'doneResolvedTold',
        unreachable: 'doneResolvedUnreachable',
      } as const;
      const { done: what } = request.query;
      return html(reply).send(
        casePage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          found,
          context,
          members: await listMembers(ctx.database.db, workspaceId),
          canWork: roleAllows(session.workspace.role, 'cases.work'),
          notice: what ? t(locale, notices[what]) : undefined,
          now,
        }),
      );
    },
  );

  /** One change through the core's updateCase, as PATCH /v1/cases/:id makes it; notices go to the sender queue. */
  async function change(
    request: FastifyRequest,
    s: Member,
    id: string,
    patch: Parameters<typeof updateCase>[3],
  ) {
    const { notice } = await updateCase(
      ctx.database,
      s.workspace.workspaceId,
      id,
      patch,
      s.user.email,
      ctx.clock.now(),
      actorOf(s),
      brand,
    );
    if (notice) await ctx.queues.addNotificationSends([notice]);
    request.log.info({ caseId: id, change: Object.keys(patch) }, 'case changed in the console');
    return notice;
  }

  app.post(
    '/app/cases/:id/assign',
    formPost(app, signedIn, {
      summary: 'Assigns the case to a member (empty: nobody)',
      params: CaseParams,
      body: AssignBody,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      await change(request, session, request.params.id, { assigneeId: request.body.assigneeId });
      return reply.redirect(`/app/cases/${request.params.id}?done=assigned`, 303);
    },
  );

  app.post(
    '/app/cases/:id/acknowledge',
    formPost(app, signedIn, {
      summary: 'Acknowledges an open case (someone has seen it; the SLA runs on)',
      params: CaseParams,
      body: FormOnly,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      const { id } = request.params;
      const found = await getCase(ctx.database, session.workspace.workspaceId, id, ctx.clock.now());
      if (!found) throw AppError.notFound(`Case ${id}`);
      // Only an open case: a replayed form must not turn a resolved case back into an acknowledged one.
      if (found.status === 'open') await change(request, session, id, { status: 'acknowledged' });
      return reply.redirect(`/app/cases/${id}?done=acknowledged`, 303);
    },
  );

  app.post(
    '/app/cases/:id/note',
    formPost(app, signedIn, {
      summary: 'Adds a note to the case’s history (the team’s eyes only)',
      params: CaseParams,
      body: NoteBody,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      await change(request, session, request.params.id, { note: request.body.note });
      return reply.redirect(`/app/cases/${request.params.id}?done=noted`, 303);
    },
  );

  app.post(
    '/app/cases/:id/resolve/preview',
    formPost(app, signedIn, {
      summary:
        'Shows what resolving would do and exactly the message the customer would get; changes nothing',
      params: CaseParams,
      body: ResolveBody,
      response: { 200: htmlPage('The confirmation page'), ...formErrors, 404: htmlPage('No such case') },
    }),
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      const { id } = request.params;
      const { resolution, closingMessage } = request.body;
      const { workspaceId } = session.workspace;
      const preview = await previewClosingMessage(ctx.database, workspaceId, id, closingMessage ?? '', brand);
      if (!preview) throw AppError.notFound(`Case ${id}`);
      const locale = localeOf(request);
      // The email is shown in a sandboxed frame of its own (its inline styles need a policy of their own).
      reply.header(
        'content-security-policy',
        `${String(reply.getHeader('content-security-policy'))};frame-src 'self'`,
      );
      return html(reply).send(
        previewPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          caseId: id,
          resolution,
          closingMessage,
          message: closingMessage ? preview.message : null,
          frameSrc: closingMessage
            ? `/app/cases/${id}/resolve/preview.html?${new URLSearchParams({ closingMessage })}`
            : '',
        }),
      );
    },
  );

  app.get(
    '/app/cases/:id/resolve/preview.html',
    {
      schema: {
        tags,
        summary:
          'The closing email exactly as the customer would get it (for the preview’s frame); sends nothing',
        params: CaseParams,
        querystring: z.object({ closingMessage: text(1000).trim().min(1) }),
        response: { 200: htmlPage('The email'), ...formErrors, 404: htmlPage('No such case or no email') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      const { id } = request.params;
      const preview = await previewClosingMessage(
        ctx.database,
        session.workspace.workspaceId,
        id,
        request.query.closingMessage,
        brand,
      );
      if (preview?.message?.channel !== 'email') throw AppError.notFound(`Email for case ${id}`);
      return html(reply)
        .header(
          'content-security-policy',
          `default-src 'none'; style-src 'unsafe-inline'; img-src data: https: ${new URL(ctx.config.PUBLIC_URL).origin}; frame-ancestors 'self'; sandbox`,
        )
        .send(preview.message.html);
    },
  );

  app.post(
    '/app/cases/:id/resolve',
    formPost(app, signedIn, {
      summary:
        'Resolves the case (after the preview) and sends the closing message, if any, in the same transaction',
      params: CaseParams,
      body: ResolveBody,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'cases.work');
      const { id } = request.params;
      const { resolution, closingMessage } = request.body;
      const notice = await change(request, session, id, { status: 'resolved', resolution, closingMessage });
      const what = !closingMessage ? 'resolved' : notice ? 'told' : 'unreachable';
      return reply.redirect(`/app/cases/${id}?done=${what}`, 303);
    },
  );
}
