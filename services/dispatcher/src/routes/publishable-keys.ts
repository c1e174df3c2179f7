// /v1/publishable-keys: pk_ keys for the on-site widget, bound to surveys and origins; created, listed, revoked; their
// identity verification secret and whether identify calls must be signed with it.
import {
  type AppContext,
  createPublishableKey,
  listPublishableKeys,
  publishableKeyView,
  revokePublishableKey,
  rotateIdentitySecret,
  setRequireIdentity,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import {
  IdentitySecretView,
  PublishableKeyEdit,
  PublishableKeyInput,
  PublishableKeyList,
  PublishableKeyView,
} from '../schemas/publishable-keys.ts';

const tags = ['api-keys'];
const security = [{ apiKey: [] }];

export function publishableKeyRoutes(app: HttpApp, ctx: AppContext) {
  app.post(
    '/v1/publishable-keys',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: 'Create a publishable key for the on-site widget',
        description:
          'A `pk_…` key goes in the shop’s script tag. It only shows and answers the listed surveys, only from the listed origins (checked by Origin on every widget request), and opens no /v1 route.',
        body: PublishableKeyInput,
        response: { 201: PublishableKeyView, ...errors, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const row = await createPublishableKey(
        ctx.database,
        {
          workspaceId: request.workspaceId,
          ...request.body,
          createdBy: actor.kind === 'user' ? actor.id : null,
        },
        actor,
      );
      return reply.status(201).send(publishableKeyView(row));
    },
  );

  app.get(
    '/v1/publishable-keys',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: "List the workspace's publishable keys that still work",
        response: { 200: PublishableKeyList, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => ({
      data: (await listPublishableKeys(ctx.database, request.workspaceId)).map(publishableKeyView),
    }),
  );

  app.delete(
    '/v1/publishable-keys/:id',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: 'Revoke a publishable key',
        description:
          'The widget stops showing on the shop’s pages at once (the collector reads the key on every request).',
        params: IdParams,
        response: { 204: z.null().meta({ description: 'revoked' }), ...errors, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      await revokePublishableKey(ctx.database, request.workspaceId, request.params.id, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/publishable-keys/:id/identity-secret',
    {
      config: { permission: 'keys.manage', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Create or replace the key’s identity verification secret (shown once)',
        description:
          "Your server signs each visitor id with it — HMAC-SHA256, hex — and the page passes the result to `surveyflow('identify', { id, signature })`, so nobody with the public key can claim to be another visitor. A signature is checked whenever one is given; `PATCH` with `requireIdentity: true` refuses unsigned identifies too. Replacing the secret invalidates the old signatures at once.",
        params: IdParams,
        response: { 201: IdentitySecretView, ...errors, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { key, identitySecret } = await rotateIdentitySecret(
        ctx.database,
        request.workspaceId,
        request.params.id,
        ctx.config.SECRET_KEY,
        actorOf(request),
      );
      return reply.status(201).send({ key: publishableKeyView(key), identitySecret });
    },
  );

  app.patch(
    '/v1/publishable-keys/:id',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: 'Require (or stop requiring) signed identify calls',
        description:
          'With `requireIdentity: true` the widget API answers 400 to an identify without `visitor.signature` and 403 to a wrong one, and the widget shows nothing. 409 when the key has no identity secret yet.',
        params: IdParams,
        body: PublishableKeyEdit,
        response: { 200: PublishableKeyView, 409: ErrorBody, ...errors, 403: ErrorBody },
      },
    },
    async (request) =>
      publishableKeyView(
        await setRequireIdentity(
          ctx.database,
          request.workspaceId,
          request.params.id,
          request.body.requireIdentity,
          actorOf(request),
        ),
      ),
  );
}
