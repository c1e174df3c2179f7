// The responses feed (/app/responses) and its CSV export (/app/responses.csv): the same filters, the same core code as the API's
// GET /v1/responses and /v1/responses.csv; the export needs data.export and is audited as the member who made it.
import {
  type AppContext,
  AppError,
  dayStart,
  exportResponsesCsv,
  listResponses,
  listSurveys,
  type ResponseFilter,
  roleAllows,
  schema,
  segmentOf,
} from '@surveyflow/core';
import { type HttpApp, keysetCursor, text, uuid } from '@surveyflow/http';
import { z } from 'zod';
import { responsesPage } from '../pages/responses.tsx';
import { actorOf, localeOf, memberOf, needSession } from '../scope.ts';
import { formErrors, htmlPage, redirect } from './shapes.ts';

/** An empty form field is no value. */
const blank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const day = text(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');

const FeedFilters = z.object({
  survey: blank(uuid),
  segment: blank(z.enum(['detractor', 'passive', 'promoter'])),
  from: blank(day),
  to: blank(day),
  channel: blank(z.enum(schema.channels)),
  property: blank(
    text(300).regex(
      /^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,4}:.{1,200}$/s,
      'must be <property name>:<value>, e.g. store:Warsaw',
    ),
  ),
  hasComment: blank(z.literal('1', { error: 'must be 1 (only answers with a comment) or absent' })),
  q: blank(text(200).trim()),
});
const FeedQuery = FeedFilters.extend({
  cursor: blank(text(500)),
  limit: blank(z.coerce.number().int().min(1).max(200)),
});
type Filters = z.infer<typeof FeedFilters>;

/** The form's fields as the core filter the API's list and export take. */
function filterOf(f: Filters, timeZone: string): Omit<ResponseFilter, 'limit' | 'after'> {
  const at = f.property?.indexOf(':') ?? -1;
  return {
    surveyId: f.survey,
    segment: f.segment,
    channel: f.channel,
    hasComment: f.hasComment ? true : undefined,
    property:
      f.property && at > 0
        ? { path: f.property.slice(0, at).split('.'), value: f.property.slice(at + 1) }
        : undefined,
    q: f.q || undefined,
    from: f.from ? dayStart(f.from, timeZone, 'from') : undefined,
    to: f.to ? dayStart(f.to, timeZone, 'to', 1) : undefined,
  };
}

const member = memberOf;

/** The page size of the feed. */
const PAGE = 50;

export function responseRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];

  app.get(
    '/app/responses',
    {
      schema: {
        tags,
        summary: 'Answers, newest first, filtered; paged by the API’s cursors',
        querystring: FeedQuery,
        response: {
          200: htmlPage('The feed'),
          303: redirect('Not signed in: to /app/sign-in'),
          400: formErrors[400],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const { workspaceId, timezone } = session.workspace;
      const { cursor, ...filters } = request.query;
      const after = cursor ? keysetCursor.schema.safeParse(cursor) : undefined;
      if (after && !after.success) {
        throw AppError.validation([{ field: 'cursor', message: 'not a cursor this list returned' }]);
      }
      const [surveys, page] = await Promise.all([
        listSurveys(ctx.database, workspaceId),
        listResponses(ctx.database, workspaceId, {
          ...filterOf(filters, timezone),
          limit: request.query.limit ?? PAGE,
          after: after?.data,
        }),
      ]);
      const names = new Map(surveys.map((s) => [s.id, s.name]));
      const last = page.rows.at(-1);
      return reply.type('text/html; charset=utf-8').send(
        responsesPage({
          locale: localeOf(request),
          session,
          surveys: surveys.map((s) => ({ id: s.id, name: s.name })),
          query: request.query,
          rows: page.rows.map(
            ({ response: r, contact, location, surveyKind, eventExternalId, eventType }) => ({
              id: r.id,
              createdAt: r.createdAt,
              score: r.score,
              segment: segmentOf(surveyKind, r.score),
              comment: r.comment,
              channel: r.channel,
              surveyName: names.get(r.surveyId) ?? '',
              contact: contact ? { id: contact.externalId, name: contact.name, email: contact.email } : null,
              location: location?.id ? location.name : null,
              event: eventExternalId ? { id: eventExternalId, type: eventType } : null,
              properties: r.properties,
            }),
          ),
          next:
            page.hasMore && last ? keysetCursor.encode({ at: last.cursorAt, id: last.response.id }) : null,
          canExport: roleAllows(session.workspace.role, 'data.export'),
          publicUrl: ctx.config.PUBLIC_URL,
        }),
      );
    },
  );

  app.get(
    '/app/responses.csv',
    {
      schema: {
        tags,
        summary: 'Every answer the filters select, as CSV (needs data.export; audited)',
        querystring: FeedFilters,
        response: {
          200: { description: 'The CSV (RFC 4180)', content: { 'text/csv': { schema: z.any() } } },
          303: redirect('Not signed in: to /app/sign-in'),
          400: formErrors[400],
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const { workspaceId, timezone, role } = session.workspace;
      if (!roleAllows(role, 'data.export')) {
        throw new AppError('forbidden', 'forbidden', `A ${role} cannot export answers`, [
          { field: 'role', message: 'needs the data.export permission (agents, admins and owners)' },
        ]);
      }
      const filter = filterOf(request.query, timezone);
      const propertyColumns = filter.property ? [`properties.${filter.property.path.join('.')}`] : [];
      const csv = await exportResponsesCsv(ctx.database, {
        workspaceId,
        actor: actorOf(session),
        filter,
        columns: propertyColumns,
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="responses.csv"')
        .send(csv);
    },
  );
}
