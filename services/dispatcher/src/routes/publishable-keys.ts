// /v1/publishable-keys: pk_ keys for the on-site widget, bound to surveys and origins; created, listed, revoked.
import {
  type AppContext,
  createPublishableKey,
  listPublishableKeys,
  publishableKeyView,
  revokePublishableKey,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { PublishableKeyInput, PublishableKeyList, PublishableKeyView } from '../schemas/publishable-keys.ts';

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
}
