// POST /v1/workspaces: automation creates a tenant with the instance administrator's token (INSTANCE_ADMIN_TOKEN).
import { type AppContext, createWorkspace } from '@surveyflow/core';
import { ErrorBody, type HttpApp } from '@surveyflow/http';
import { NewWorkspaceInput, WorkspaceCreated } from '../schemas/workspaces.ts';

export function workspacesRoutes(app: HttpApp, ctx: AppContext) {
  app.post(
    '/v1/workspaces',
    {
      config: { permission: 'instance.admin' },
      schema: {
        tags: ['workspace'],
        security: [{ apiKey: [] }],
        summary: 'Create a workspace (instance administrators)',
        description:
          'Answers the new workspace and its first admin key (shown only now). With `ownerEmail`, that person (created if new) becomes its owner. Off (403) unless `INSTANCE_ADMIN_TOKEN` is set.',
        body: NewWorkspaceInput,
        response: { 201: WorkspaceCreated, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const keyName = 'Admin key';
      const created = await createWorkspace(ctx.database, {
        ...request.body,
        keyName,
        actor: { kind: 'system', label: 'instance administrator' },
      });
      return reply.status(201).send({
        id: created.workspaceId,
        name: request.body.name,
        apiKey: { id: created.keyId, name: keyName, scopes: ['admin'], key: created.apiKey },
        owner:
          created.ownerId && request.body.ownerEmail
            ? { id: created.ownerId, email: request.body.ownerEmail.trim().toLowerCase() }
            : null,
      });
    },
  );
}
