// The signed-in home (/app), switching workspace, signing out here or everywhere, and (instance admins) creating a workspace.
import {
  type AppContext,
  AppError,
  createWorkspaceAsOwner,
  revokeAllSessions,
  revokeSession,
  switchWorkspace,
} from '@surveyflow/core';
import { type HttpApp, text, uuid } from '@surveyflow/http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { assets } from '../assets.ts';
import { homePage } from '../pages/home.tsx';
import { instanceAdmins, localeOf, needSession, operatorOf, SESSION_COOKIE } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

const SwitchBody = z.object({ workspaceId: uuid, ...csrfField });
const NewWorkspaceBody = z.object({ name: text(200).trim().min(1, 'must not be empty'), ...csrfField });

export function homeRoutes(app: HttpApp, ctx: AppContext) {
  const isInstanceAdmin = instanceAdmins(ctx);
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const signedOut = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { path: '/app' }).redirect('/app/sign-in', 303);

  for (const asset of assets.all) {
    app.get(asset.path, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body),
    );
  }

  app.get(
    '/app',
    {
      schema: {
        tags,
        summary: 'The signed-in home: who you are, your workspaces, sign out',
        response: { 200: htmlPage('The home page'), 303: redirect('Not signed in: to /app/sign-in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = operatorOf(request);
      return reply.type('text/html; charset=utf-8').send(
        homePage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          canCreateWorkspace: isInstanceAdmin(session.user.email),
        }),
      );
    },
  );

  app.post(
    '/app/workspace',
    {
      schema: {
        tags,
        summary: 'Shows another of your workspaces',
        consumes: ['application/x-www-form-urlencoded'],
        body: SwitchBody,
        response: { 303: redirect('To /app'), ...formErrors, 404: htmlPage('Not one of your workspaces') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      if (!(await switchWorkspace(ctx.database, operatorOf(request), request.body.workspaceId))) {
        throw AppError.notFound('Workspace');
      }
      return reply.redirect('/app', 303);
    },
  );

  app.post(
    '/app/sign-out',
    {
      schema: {
        tags,
        summary: 'Signs this browser out',
        consumes: ['application/x-www-form-urlencoded'],
        body: FormOnly,
        response: { 303: redirect('To the sign-in page'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      await revokeSession(ctx.database, operatorOf(request).sessionId, ctx.clock.now());
      return signedOut(reply);
    },
  );

  app.post(
    '/app/sign-out-everywhere',
    {
      schema: {
        tags,
        summary: 'Ends every session of yours, on every device',
        consumes: ['application/x-www-form-urlencoded'],
        body: FormOnly,
        response: { 303: redirect('To the sign-in page'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      await revokeAllSessions(ctx.database, operatorOf(request).user.id, ctx.clock.now());
      return signedOut(reply);
    },
  );

  app.post(
    '/app/workspaces',
    {
      schema: {
        tags,
        summary: 'Creates a workspace you own (instance admins only)',
        consumes: ['application/x-www-form-urlencoded'],
        body: NewWorkspaceBody,
        response: { 303: redirect('To the new workspace'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = operatorOf(request);
      if (!isInstanceAdmin(session.user.email)) {
        throw AppError.forbidden('Only instance admins (INSTANCE_ADMIN_EMAILS) create workspaces');
      }
      const { workspaceId } = await createWorkspaceAsOwner(ctx.database, {
        name: request.body.name,
        owner: { userId: session.user.id, email: session.user.email },
        timezone: ctx.config.DEFAULT_TIMEZONE,
      });
      await switchWorkspace(ctx.database, session, workspaceId);
      return reply.redirect('/app', 303);
    },
  );
}
