// Events (/app/events, /app/events/<id>): the list GET /v1/events pages through, and what GET /v1/events/:id shows of one.
import { type AppContext, AppError, eventView, listEvents } from '@surveyflow/core';
import { EventType, type HttpApp, keysetCursor, pageFrom, text } from '@surveyflow/http';
import { z } from 'zod';
import { eventPage, eventsPage } from '../pages/events.tsx';
import { localeOf, memberOf, needSession } from '../scope.ts';
import { htmlPage, redirect } from './shapes.ts';

const PAGE = 50;
// A browser's query string is whatever was typed: a bad type or cursor shows the first page, with the type named.
const EventsQuery = z.object({
  type: text(200).optional().catch(undefined),
  cursor: text(500).optional().catch(undefined),
});
const EventParams = z.object({ eventId: text(200) });

const member = memberOf;

export function eventRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];

  app.get(
    '/app/events',
    {
      schema: {
        tags,
        summary: 'Recent events, newest first, with what became of each (filter by type, keyset paging)',
        querystring: EventsQuery,
        response: { 200: htmlPage('The events page'), 303: redirect('Not signed in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const locale = localeOf(request);
      const rawType = request.query.type?.trim() || undefined;
      const type = rawType === undefined ? undefined : EventType.safeParse(rawType);
      const cursor = request.query.cursor ? keysetCursor.schema.safeParse(request.query.cursor) : undefined;
      const rows =
        type && !type.success
          ? []
          : await listEvents(ctx.database, session.workspace.workspaceId, {
              type: type?.data,
              limit: PAGE,
              after: cursor?.success ? cursor.data : undefined,
            });
      const page = pageFrom(
        rows,
        PAGE,
        (r) => r,
        (r) => ({ at: r.cursorAt, id: r.rowId }),
      );
      return reply.type('text/html; charset=utf-8').send(
        eventsPage({
          locale,
          session,
          events: page.data,
          next: page.next,
          query: { type: rawType, cursor: cursor?.success ? request.query.cursor : undefined },
          publicUrl: ctx.config.PUBLIC_URL,
          typeError: type && !type.success ? type.error.issues[0]?.message : undefined,
        }),
      );
    },
  );

  app.get(
    '/app/events/:eventId',
    {
      schema: {
        tags,
        summary: 'One event: its payload, every decision and invitation with its status',
        params: EventParams,
        response: {
          200: htmlPage('The event page'),
          303: redirect('Not signed in'),
          404: htmlPage('No such event'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const now = ctx.clock.now();
      const event = await eventView(ctx.database, session.workspace.workspaceId, request.params.eventId, {
        now,
        commentWaitMs: ctx.config.FOLLOWUP_COMMENT_WAIT_MS,
      });
      if (!event) throw AppError.notFound(`Event ${request.params.eventId}`);
      return reply
        .type('text/html; charset=utf-8')
        .send(eventPage({ locale: localeOf(request), session, event, now }));
    },
  );
}
