// List sends in the console (/app/sends): the sends with their progress, a new send from an uploaded CSV
// (streamed by @fastify/multipart into the same use case the API calls), a send's page, pause/resume/cancel.

import multipart from '@fastify/multipart';
import {
  type AppContext,
  AppError,
  changeSendState,
  createSend,
  getSendProgress,
  listSends,
  listSurveys,
  roleAllows,
  sendCounts,
  sendView,
} from '@surveyflow/core';
import { type HttpApp, keysetCursor, uuid, zodRoutes } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { sendPage, sendsPage } from '../pages/sends.tsx';
import { sendsWords as w } from '../pages/sends.words.ts';
import { localeOf, memberOf, memberWith, needSession } from '../scope.ts';
import { FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

const member = memberOf;
const manager = (request: FastifyRequest) => memberWith(request, 'sends.manage', 'manage sends');

const ListQuery = z.object({
  cursor: keysetCursor.schema.optional().catch(undefined),
  done: z.enum(['started']).optional().catch(undefined),
});
const SendParams = z.object({ sendId: uuid });
const SendQuery = z.object({
  done: z.enum(['started', 'pause', 'resume', 'cancel']).optional().catch(undefined),
});
const NewSendFields = z.object({
  surveyId: uuid,
  channel: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [...new Set([v].flat().filter(Boolean))])
    .pipe(z.array(z.enum(['email', 'sms'])).min(1, 'choose a channel')),
  at: z.string().max(40).optional(),
  dryRun: z.literal('true').optional(),
});

/** The CSRF check of a multipart form: its token is a field before the file, so it is read from there. */
function checkCsrf(app: HttpApp, request: FastifyRequest, reply: FastifyReply, token: string | undefined) {
  request.body = { _csrf: token };
  return new Promise<void>((resolve, reject) =>
    app.csrfProtection.call(app, request, reply, (err?: Error) => (err ? reject(err) : resolve())),
  );
}

export function sendRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];

  // Forms with a file are parsed only here (the file streams; nothing is buffered).
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 1 } });
    const routes = zodRoutes(scope);

    routes.get(
      '/app/sends',
      {
        schema: {
          tags,
          summary: 'The list sends, newest first, with their progress; the form to start one',
          querystring: ListQuery,
          response: { 200: htmlPage('The sends page'), 303: redirect('Not signed in') },
        },
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = member(request);
        const locale = localeOf(request);
        const workspaceId = session.workspace.workspaceId;
        const limit = 20;
        const rows = await listSends(ctx.database, workspaceId, { limit, after: request.query.cursor });
        const page = rows.slice(0, limit);
        const counts = await sendCounts(
          ctx.database.db,
          page.map((r) => r.send.id),
        );
        const last = page.at(-1);
        return reply.type('text/html; charset=utf-8').send(
          sendsPage({
            locale,
            session,
            csrf: reply.generateCsrf(),
            sends: page.map((r) =>
              sendView({
                send: r.send,
                ...(counts.get(r.send.id) ?? { sent: 0, answered: 0 }),
              }),
            ),
            next:
              rows.length > limit && last
                ? keysetCursor.encode({ at: last.cursorAt, id: last.send.id })
                : null,
            surveys: (await listSurveys(ctx.database, workspaceId)).map((s) => ({ id: s.id, name: s.name })),
            canManage: roleAllows(session.workspace.role, 'sends.manage'),
          }),
        );
      },
    );

    routes.post(
      '/app/sends',
      {
        config: { noBody: true },
        schema: {
          tags,
          summary: 'Starts a send from an uploaded CSV (multipart: the fields, then the file)',
          consumes: ['multipart/form-data'],
          response: { 303: redirect('To the new send'), ...formErrors },
        },
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = manager(request);
        const part = await request.file();
        if (!part) throw AppError.validation([{ field: 'file', message: 'choose a CSV file' }]);
        const fields: Record<string, string | string[]> = {};
        for (const [name, field] of Object.entries(part.fields)) {
          const values = [field].flat().flatMap((f) => (f && f.type === 'field' ? [String(f.value)] : []));
          if (values.length) fields[name] = values.length === 1 ? (values[0] as string) : values;
        }
        try {
          await checkCsrf(app, request, reply, typeof fields._csrf === 'string' ? fields._csrf : undefined);
        } catch (err) {
          part.file.resume();
          throw err;
        }
        const parsed = NewSendFields.safeParse(fields);
        if (!parsed.success) {
          part.file.resume();
          throw AppError.validation(
            parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
          );
        }
        const zone = session.workspace.timezone;
        const at = parsed.data.at ? DateTime.fromISO(parsed.data.at, { zone }) : null;
        if (at && !at.isValid) {
          part.file.resume();
          throw AppError.validation([{ field: 'at', message: 'must be a date and time' }]);
        }
        const send = await createSend(
          ctx.database,
          session.workspace.workspaceId,
          {
            surveyId: parsed.data.surveyId,
            channels: parsed.data.channel,
            sendAt: at ? at.toJSDate() : null,
            dryRun: parsed.data.dryRun === 'true',
            fileName: part.filename || null,
          },
          part.file,
        );
        await ctx.queues.add('send.plan', { sendId: send.id });
        return reply.redirect(`/app/sends/${send.id}?done=started`, 303);
      },
    );

    routes.get(
      '/app/sends/:sendId',
      {
        schema: {
          tags,
          summary: 'A send: progress, counts by reason, bad rows by line, pause/resume/cancel',
          params: SendParams,
          querystring: SendQuery,
          response: {
            200: htmlPage('The send page'),
            303: redirect('Not signed in'),
            404: htmlPage('No such send'),
          },
        },
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = member(request);
        const locale = localeOf(request);
        const progress = await getSendProgress(
          ctx.database,
          session.workspace.workspaceId,
          request.params.sendId,
        );
        if (!progress) throw AppError.notFound(`Send ${request.params.sendId}`);
        const done = request.query.done;
        const notice = done
          ? w(
              locale,
              (
                {
                  started: 'startedNotice',
                  pause: 'pausedNotice',
                  resume: 'resumedNotice',
                  cancel: 'cancelledNotice',
                } as const
              )[done],
            )
          : undefined;
        return reply.type('text/html; charset=utf-8').send(
          sendPage({
            locale,
            session,
            csrf: reply.generateCsrf(),
            send: sendView(progress),
            canManage: roleAllows(session.workspace.role, 'sends.manage'),
            notice,
          }),
        );
      },
    );

    for (const action of ['pause', 'resume', 'cancel'] as const) {
      routes.post(
        `/app/sends/:sendId/${action}`,
        {
          schema: {
            tags,
            summary: `${action[0]?.toUpperCase()}${action.slice(1)}s the send (from its next chunk)`,
            consumes: ['application/x-www-form-urlencoded'],
            params: SendParams,
            body: FormOnly,
            response: {
              303: redirect('Back to the send'),
              ...formErrors,
              409: htmlPage('Not in a state for it'),
            },
          },
          preValidation: app.csrfProtection,
          preHandler: signedIn,
        },
        async (request, reply) => {
          const session = manager(request);
          const send = await changeSendState(
            ctx.database,
            session.workspace.workspaceId,
            request.params.sendId,
            action,
          );
          if (action === 'resume') await ctx.queues.addAgain('send.plan', [{ sendId: send.id }]);
          return reply.redirect(`/app/sends/${send.id}?done=${action}`, 303);
        },
      );
    }
  });
}
