// /v1/responses: answers with their contact (or place, for anonymous ones), event and properties, newest first,
// keyset-paged; /v1/responses.csv streams every matching one as RFC 4180 CSV.
import { type AppContext, contactView, exportResponsesCsv, listResponses, segmentOf } from '@surveyflow/core';
import { ErrorBody, type HttpApp, keysetCursor } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { ResponseExportQuery, ResponseListQuery, ResponsePage } from '../schemas/responses.ts';

const tags = ['responses'];
const security = [{ apiKey: [] }];

type Row = Awaited<ReturnType<typeof listResponses>>['rows'][number];

function responseView({ response: r, contact, location, surveyKind, eventExternalId, eventType }: Row) {
  return {
    id: r.id,
    surveyId: r.surveyId,
    invitationId: r.invitationId,
    score: r.score,
    segment: segmentOf(surveyKind, r.score),
    comment: r.comment,
    channel: r.channel,
    contact: contact ? contactView(contact) : null,
    location: location?.id ? location : null,
    event: eventExternalId ? { id: eventExternalId, type: eventType } : null,
    properties: r.properties,
    answers: r.answers,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function responseRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/responses',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List answers, newest first',
        description:
          "Each with score, segment, comment, channel, contact (or `location` for anonymous answers at a location code), event and properties. Filter by survey, segment, channel, hasComment, an extra question's answer (`answer=delivery:2`), an event property's value (`property=store:Warsaw`), text in the comment or exactly the contact's id (`q`) and time; page with `cursor`.",
        querystring: ResponseListQuery,
        response: { 200: ResponsePage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const { rows, hasMore } = await listResponses(ctx.database, request.workspaceId, {
        ...filter,
        after: cursor,
      });
      const last = rows.at(-1);
      return {
        data: rows.map(responseView),
        next: hasMore && last ? keysetCursor.encode({ at: last.cursorAt, id: last.response.id }) : null,
      };
    },
  );

  app.get(
    '/v1/responses.csv',
    {
      config: { permission: 'data.export' },
      schema: {
        tags,
        security,
        summary: 'Every matching answer as CSV',
        description:
          "The same filters as GET /v1/responses, streamed (RFC 4180, UTF-8, header row). `columns=properties.store,properties.orderId` adds event-property columns; `answers.<question id>` adds an extra question's answers.",
        querystring: ResponseExportQuery,
        response: { 200: z.any().meta({ description: 'text/csv' }), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const { columns, ...filter } = request.query;
      const csv = await exportResponsesCsv(ctx.database, {
        workspaceId: request.workspaceId,
        actor: actorOf(request),
        filter,
        columns,
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="responses.csv"')
        .send(csv);
    },
  );
}
