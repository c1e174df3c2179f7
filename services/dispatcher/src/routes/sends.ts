// /v1/sends: list sends — a CSV of contacts invited to a survey by the planner's rules, with live progress,
// pause, resume and cancel, and every row's outcome by line number.
import type { Readable } from 'node:stream';
import {
  type AppContext,
  AppError,
  changeSendState,
  createSend,
  getSendProgress,
  listSendRows,
  listSends,
  sendCounts,
  sendRowView,
  sendView,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams, pageFrom } from '@surveyflow/http';
import type { FastifyRequest } from 'fastify';
import {
  SendFields,
  SendListQuery,
  SendPage,
  SendRowPage,
  SendRowsQuery,
  SendSettings,
  SendView,
} from '../schemas/sends.ts';

const tags = ['sends'];
const security = [{ apiKey: [] }];
/** A CSV of a million rows is about 100 MB. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** The settings, from the query string and (for a form) the fields before the file, checked by one schema. */
function settingsOf(raw: Record<string, unknown>): SendSettings {
  const parsed = SendSettings.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw AppError.validation(
    parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'query', message: i.message })),
  );
}

/** The CSV as a stream and the settings: text/csv carries them in the query, a form in fields too. */
async function upload(
  request: FastifyRequest,
): Promise<{ csv: Readable; settings: SendSettings; fileName: string | null }> {
  const query = request.query as Record<string, unknown>;
  if (request.isMultipart()) {
    const part = await request.file({ limits: { fileSize: MAX_FILE_BYTES, files: 1 } });
    if (!part) throw AppError.validation([{ field: 'file', message: 'the form has no file' }]);
    const fields: Record<string, unknown> = { ...query };
    for (const [name, field] of Object.entries(part.fields)) {
      const values = [field].flat().flatMap((f) => (f && f.type === 'field' ? [String(f.value)] : []));
      if (values.length) fields[name] = values.length === 1 ? values[0] : values;
    }
    let settings: SendSettings;
    try {
      settings = settingsOf(fields);
    } catch (err) {
      part.file.resume();
      throw err;
    }
    return { csv: part.file, settings, fileName: part.filename || null };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'text/csv') {
    throw new AppError(
      'unsupported_media_type',
      'unsupported_media',
      'Send the CSV as the body (Content-Type: text/csv) or as the file of a multipart/form-data form',
    );
  }
  return { csv: request.body as Readable, settings: settingsOf(query), fileName: null };
}

export function sendRoutes(app: HttpApp, ctx: AppContext) {
  // The CSV body is read as a stream by the use case, never buffered (so no body limit applies to it).
  // Parsers are per scope, not per route: every other /v1 route still answers 415 to a CSV body.
  app.addContentTypeParser('text/csv', (request, payload, done) => {
    if (request.routeOptions.url === '/v1/sends') return done(null, payload);
    payload.resume();
    done(
      new AppError('unsupported_media_type', 'unsupported_media', 'Only POST /v1/sends takes a CSV body'),
      undefined,
    );
  });

  app.post(
    '/v1/sends',
    {
      config: { permission: 'sends.manage', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Start a list send from a CSV of contacts',
        description:
          'The body is the CSV (`Content-Type: text/csv`, settings in the query string) or a `multipart/form-data` form whose `file` part is the CSV (settings as fields before it, or in the query). The header row names the columns: `id` (required), `email`, `phone`, `name`, `locale`, `timezone`; any other column is kept as a property. Every row goes through the rules an event does (opt-outs, bounces, the global contact rule and throttles, sampling, the send window and quiet hours in the contact’s zone). Bad rows are reported by line and never stop the rest. Answers 202 while the rows are planned in the background: follow `GET /v1/sends/{id}`.',
        consumes: ['text/csv', 'multipart/form-data'],
        querystring: SendFields.partial().describe('The settings (also accepted as form fields).'),
        response: { 202: SendView, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, ...errors },
      },
      // The query is checked with the form fields below, by the same schema, so one rule names a bad field.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const { csv, settings, fileName } = await upload(request);
      const send = await createSend(
        ctx.database,
        request.workspaceId,
        {
          surveyId: settings.surveyId,
          channels: settings.channel,
          sendAt: settings.at ?? null,
          sendWindow:
            settings.windowStart && settings.windowEnd
              ? {
                  days: settings.windowDays ?? [1, 2, 3, 4, 5, 6, 7],
                  start: settings.windowStart,
                  end: settings.windowEnd,
                }
              : null,
          throttleDays: settings.throttleDays,
          sampleRate: settings.sampleRate,
          dryRun: settings.dryRun ?? false,
          fileName,
        },
        csv,
      );
      await ctx.queues.add('send.plan', { sendId: send.id });
      const progress = await getSendProgress(ctx.database, request.workspaceId, send.id);
      if (!progress) throw AppError.notFound(`Send ${send.id}`);
      return reply.status(202).send(sendView(progress));
    },
  );

  app.get(
    '/v1/sends',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List sends, newest first',
        querystring: SendListQuery,
        response: { 200: SendPage, ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listSends(ctx.database, request.workspaceId, { limit, after: cursor });
      const counts = await sendCounts(
        ctx.database.db,
        rows.map((r) => r.send.id),
      );
      return pageFrom(
        rows,
        limit,
        (r) => sendView({ send: r.send, ...(counts.get(r.send.id) ?? { sent: 0, answered: 0 }) }),
        (r) => ({ at: r.cursorAt, id: r.send.id }),
      );
    },
  );

  app.get(
    '/v1/sends/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'A send and its progress',
        description:
          'Rows read, planned, invited, skipped (by reason), bad (the first 20 by line; all through /rows?outcome=bad), sent and answered so far. Poll it to watch a send move.',
        params: IdParams,
        response: { 200: SendView, ...errors },
      },
    },
    async (request) => {
      const progress = await getSendProgress(ctx.database, request.workspaceId, request.params.id);
      if (!progress) throw AppError.notFound(`Send ${request.params.id}`);
      return sendView(progress);
    },
  );

  app.get(
    '/v1/sends/:id/rows',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'A send’s rows by line, with their outcome',
        params: IdParams,
        querystring: SendRowsQuery,
        response: { 200: SendRowPage, ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, outcome } = request.query;
      const progress = await getSendProgress(ctx.database, request.workspaceId, request.params.id);
      if (!progress) throw AppError.notFound(`Send ${request.params.id}`);
      const rows = await listSendRows(ctx.database, request.workspaceId, request.params.id, {
        outcome,
        afterLine: cursor,
        limit,
      });
      const page = rows.slice(0, limit);
      return {
        data: page.map(sendRowView),
        next: rows.length > limit ? String(page.at(-1)?.line ?? '') : null,
      };
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(
      `/v1/sends/:id/${action}`,
      {
        config: { permission: 'sends.manage', noBody: true },
        schema: {
          tags,
          security,
          summary: { pause: 'Pause a send', resume: 'Resume a paused send', cancel: 'Cancel a send' }[action],
          description:
            'Takes effect at the next chunk (at most a thousand rows): rows already planned stay planned, and invitations already made go out unless cancelled one by one. 409 when the send is not in a state this applies to.',
          params: IdParams,
          response: { 200: SendView, 409: ErrorBody, ...errors },
        },
      },
      async (request) => {
        const send = await changeSendState(ctx.database, request.workspaceId, request.params.id, action);
        if (action === 'resume') await ctx.queues.addAgain('send.plan', [{ sendId: send.id }]);
        const progress = await getSendProgress(ctx.database, request.workspaceId, send.id);
        if (!progress) throw AppError.notFound(`Send ${send.id}`);
        return sendView(progress);
      },
    );
  }
}
