// /v1/api-keys: a workspace's keys, each named and scoped; created (shown once), listed, revoked at once everywhere.
import { type AppContext, apiKeyView, createApiKey, listApiKeys, revokeApiKey } from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { ApiKeyCreated, ApiKeyInput, ApiKeyList } from '../schemas/api-keys.ts';

const tags = ['api-keys'];
const security = [{ apiKey: [] }];

export function apiKeyRoutes(app: HttpApp, ctx: AppContext, forgetKeys: () => Promise<void>) {
  app.post(
    '/v1/api-keys',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: 'Create a key',
        description:
          'The answer carries the key itself, shown only now; only its SHA-256 and first characters are kept. Scopes: `events:write` (send events only — what a shop backend needs), `read`, `write`, `admin`.',
        body: ApiKeyInput,
        response: { 201: ApiKeyCreated, ...errors, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { row, key } = await createApiKey(
        ctx.database,
        { workspaceId: request.workspaceId, name: request.body.name, scopes: request.body.scopes },
        actor,
      );
      return reply.status(201).send({
        ...apiKeyView({ ...row, createdBy: { kind: actor.kind, label: actor.label } }),
        key,
      });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: "List the workspace's keys that still work",
        description: 'With name, scopes, prefix, who created each and when it was last used (to the minute).',
        response: { 200: ApiKeyList, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => ({ data: (await listApiKeys(ctx.database, request.workspaceId)).map(apiKeyView) }),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { permission: 'keys.manage' },
      schema: {
        tags,
        security,
        summary: 'Revoke a key',
        description:
          'Takes effect at once on every process. The last admin key cannot be revoked (409): create another first.',
        params: IdParams,
        response: {
          204: z.null().meta({ description: 'revoked' }),
          ...errors,
          403: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      await revokeApiKey(ctx.database, request.workspaceId, request.params.id, actorOf(request));
      await forgetKeys();
      return reply.status(204).send(null);
    },
  );
}
