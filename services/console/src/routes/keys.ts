// API keys (/app/keys): list, create (the key shown once, on the answer), revoke — the core's own use cases, and a
// revocation reaches every process at once through the same message the API publishes. Checked on the server.
import {
  type AppContext,
  createApiKey,
  createPublishableKey,
  type Locale,
  listApiKeys,
  listPublishableKeys,
  listSurveys,
  publishApiKeysForget,
  revokeApiKey,
  revokePublishableKey,
  rotateIdentitySecret,
  scopes,
  setRequireIdentity,
} from '@surveyflow/core';
import { type HttpApp, text, uuid } from '@surveyflow/http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { say } from '../i18n.ts';
import { keysPage } from '../pages/keys.tsx';
import { pk } from '../pages/keys-publishable.words.ts';
import { settingsTabsFor } from '../pages/parts.tsx';
import { actorOf, localeOf, type Member, memberWith, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

const scope = z.enum(scopes, { error: `must be one of: ${scopes.join(', ')}` });
/** Checkboxes: one ticked comes as a string, several as an array, none not at all. */
const CreateBody = z.object({
  name: text(100).trim().min(1, 'must not be empty'),
  scopes: z
    .union([scope, z.array(scope).max(scopes.length)])
    .optional()
    .transform((v) => (v === undefined ? [] : [v].flat()))
    .refine((v) => v.length > 0, 'must grant at least one scope'),
  ...csrfField,
});
const KeyParams = z.object({ keyId: uuid });
const KeysQuery = z.object({
  done: z
    .enum(['revoked', 'pk-created', 'pk-revoked', 'pk-identity-required', 'pk-identity-optional'])
    .optional()
    .catch(undefined),
});
/** A publishable key: surveys ticked (one comes as a string), origins one per line. */
const CreatePublishableBody = z.object({
  name: text(100).trim().min(1, 'must not be empty'),
  surveyIds: z
    .union([uuid, z.array(uuid).max(20)])
    .optional()
    .transform((v) => (v === undefined ? [] : [v].flat()))
    .refine((v) => v.length > 0, 'must list at least one survey'),
  allowedOrigins: text(4000)
    .transform((v) => v.split(/\s+/).filter(Boolean))
    .refine((v) => v.length > 0 && v.length <= 20, 'must list 1 to 20 origins'),
  ...csrfField,
});

const RequireIdentityBody = z.object({
  require: z.enum(['on', 'off'], { error: 'must be on or off' }),
  ...csrfField,
});

/** The operator in their current workspace, allowed to manage keys (the team page's refusal otherwise). */
const manager = (request: FastifyRequest) => memberWith(request, 'keys.manage', 'manage API keys');

export function keyRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const list = (s: Member) => listApiKeys(ctx.database, s.workspace.workspaceId, { includeRevoked: true });
  const publishable = async (s: Member) => ({
    keys: await listPublishableKeys(ctx.database, s.workspace.workspaceId, { includeRevoked: true }),
    surveys: (await listSurveys(ctx.database, s.workspace.workspaceId)).map((v) => ({
      id: v.id,
      name: v.name,
    })),
    publicUrl: ctx.config.PUBLIC_URL,
  });
  const notices = {
    revoked: (locale: Locale) => say(locale, 'keyRevoked'),
    'pk-created': (locale: Locale) => pk(locale, 'created'),
    'pk-revoked': (locale: Locale) => pk(locale, 'revokedNotice'),
    'pk-identity-required': (locale: Locale) => pk(locale, 'requiredNotice'),
    'pk-identity-optional': (locale: Locale) => pk(locale, 'notRequiredNotice'),
  };
  /** The keys page; `extra` carries what this answer alone shows (a secret just made). */
  const page = async (
    request: FastifyRequest,
    reply: { generateCsrf(): string },
    session: Member,
    extra: Partial<Pick<Parameters<typeof keysPage>[0], 'created' | 'identitySecret' | 'notice'>> = {},
  ) =>
    keysPage({
      locale: localeOf(request),
      session,
      csrf: reply.generateCsrf(),
      keys: await list(session),
      tabs: settingsTabsFor(session.workspace.role),
      publishable: await publishable(session),
      ...extra,
    });

  app.get(
    '/app/keys',
    {
      schema: {
        tags,
        summary: "The workspace's API keys, revoked ones marked (admins and owners)",
        querystring: KeysQuery,
        response: {
          200: htmlPage('The API keys page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const { done } = request.query;
      return reply.type('text/html; charset=utf-8').send(
        await page(request, reply, session, {
          notice: done ? notices[done](localeOf(request)) : undefined,
        }),
      );
    },
  );

  app.post(
    '/app/keys',
    {
      schema: {
        tags,
        summary: 'Creates a key; the answer shows it once (only its hash and first characters are kept)',
        consumes: ['application/x-www-form-urlencoded'],
        body: CreateBody,
        response: { 200: htmlPage('The keys page with the new key, shown once'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const { row, key } = await createApiKey(
        ctx.database,
        {
          workspaceId: session.workspace.workspaceId,
          name: request.body.name,
          scopes: request.body.scopes,
          createdBy: session.user.id,
        },
        actorOf(session),
      );
      // A page with a secret on it is not kept by the browser or anything between: every /app answer is no-store (scope.ts).
      return reply
        .type('text/html; charset=utf-8')
        .send(await page(request, reply, session, { created: { name: row.name, key } }));
    },
  );

  app.post(
    '/app/keys/:keyId/revoke',
    {
      schema: {
        tags,
        summary: 'Revokes a key at once, on every process (never the last admin key: 409)',
        consumes: ['application/x-www-form-urlencoded'],
        params: KeyParams,
        body: FormOnly,
        response: {
          303: redirect('Back to the keys'),
          ...formErrors,
          404: htmlPage('No such key'),
          409: htmlPage('The last admin key'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      await revokeApiKey(ctx.database, session.workspace.workspaceId, request.params.keyId, actorOf(session));
      await publishApiKeysForget(ctx);
      return reply.redirect('/app/keys?done=revoked', 303);
    },
  );

  app.post(
    '/app/keys/publishable',
    {
      schema: {
        tags,
        summary: 'Creates a publishable key (pk_) for the on-site widget: surveys and exact origins',
        consumes: ['application/x-www-form-urlencoded'],
        body: CreatePublishableBody,
        response: {
          303: redirect('Back to the keys, the new one listed with its script tag'),
          ...formErrors,
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      await createPublishableKey(
        ctx.database,
        {
          workspaceId: session.workspace.workspaceId,
          name: request.body.name,
          surveyIds: request.body.surveyIds,
          allowedOrigins: request.body.allowedOrigins,
          createdBy: session.user.id,
        },
        actorOf(session),
      );
      return reply.redirect('/app/keys?done=pk-created', 303);
    },
  );

  app.post(
    '/app/keys/publishable/:keyId/revoke',
    {
      schema: {
        tags,
        summary: 'Revokes a publishable key: the widget stops at once',
        consumes: ['application/x-www-form-urlencoded'],
        params: KeyParams,
        body: FormOnly,
        response: { 303: redirect('Back to the keys'), ...formErrors, 404: htmlPage('No such key') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      await revokePublishableKey(
        ctx.database,
        session.workspace.workspaceId,
        request.params.keyId,
        actorOf(session),
      );
      return reply.redirect('/app/keys?done=pk-revoked', 303);
    },
  );

  app.post(
    '/app/keys/publishable/:keyId/identity-secret',
    {
      schema: {
        tags,
        summary:
          "Creates or replaces a publishable key's identity secret, as POST /v1/publishable-keys/:id/identity-secret does; the answer shows it once",
        consumes: ['application/x-www-form-urlencoded'],
        params: KeyParams,
        body: FormOnly,
        response: {
          200: htmlPage('The keys page with the secret, shown once'),
          ...formErrors,
          404: htmlPage('No such key'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const { key, identitySecret } = await rotateIdentitySecret(
        ctx.database,
        session.workspace.workspaceId,
        request.params.keyId,
        ctx.config.SECRET_KEY,
        actorOf(session),
      );
      return reply
        .type('text/html; charset=utf-8')
        .send(
          await page(request, reply, session, { identitySecret: { name: key.name, secret: identitySecret } }),
        );
    },
  );

  app.post(
    '/app/keys/publishable/:keyId/require-identity',
    {
      schema: {
        tags,
        summary:
          'Requires a signed identify for a publishable key, or stops requiring it (as PATCH /v1/publishable-keys/:id {requireIdentity})',
        consumes: ['application/x-www-form-urlencoded'],
        params: KeyParams,
        body: RequireIdentityBody,
        response: {
          303: redirect('Back to the keys'),
          ...formErrors,
          404: htmlPage('No such key'),
          409: htmlPage('The key has no identity secret yet'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const on = request.body.require === 'on';
      await setRequireIdentity(
        ctx.database,
        session.workspace.workspaceId,
        request.params.keyId,
        on,
        actorOf(session),
      );
      return reply.redirect(`/app/keys?done=${on ? 'pk-identity-required' : 'pk-identity-optional'}`, 303);
    },
  );
}
