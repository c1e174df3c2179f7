// /v1/workspace: the settings of the key's own workspace: global contact rule, quiet hours, its own email rate, referral page.
import {
  type AppContext,
  AppError,
  defaultReliability,
  getWorkspace,
  newWebhookSecret,
  updateWorkspace,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp } from '@surveyflow/http';
import { z } from 'zod';
import { signedBody } from '../raw-json.ts';
import { SigningSecret, WorkspacePatch, WorkspaceView } from '../schemas/workspace.ts';

const tags = ['workspace'];
const security = [{ apiKey: [] }];

const view = (w: NonNullable<Awaited<ReturnType<typeof getWorkspace>>>) => ({
  ...w,
  signedEvents: w.eventSigningSecret !== null,
  reliability: w.reliability ?? defaultReliability,
});

export function workspaceRoutes(app: HttpApp, ctx: AppContext, forgetKeys: () => void) {
  const signed = signedBody(() => ctx.clock.now());
  const load = async (workspaceId: string) => {
    const w = await getWorkspace(ctx.database, workspaceId);
    // The key was just checked; a workspace deleted since is the caller's to learn, not a 500.
    if (!w) throw AppError.notFound('Workspace');
    return w;
  };

  app.get(
    '/v1/workspace',
    {
      schema: {
        tags,
        security,
        summary: "The key's workspace and its settings",
        response: { 200: WorkspaceView, ...errors },
      },
    },
    async (request) => view(await load(request.workspaceId)),
  );

  app.patch(
    '/v1/workspace',
    {
      schema: {
        tags,
        security,
        summary: 'Change settings',
        body: WorkspacePatch,
        response: { 200: WorkspaceView, ...errors },
      },
    },
    async (request) => {
      const w = await updateWorkspace(ctx.database, request.workspaceId, request.body);
      if (!w) throw AppError.notFound('Workspace');
      return view(w);
    },
  );

  // From now on events must be signed with this secret (shown once; POST again, signed with the
  // current one, to rotate). Other processes see the change within the API key cache's 30 s.
  app.post(
    '/v1/workspace/event-signing-secret',
    {
      config: { noBody: true },
      preValidation: signed,
      schema: {
        tags,
        security,
        summary: 'Require signed events (or rotate the secret)',
        description:
          'From now on POST /v1/events (and /batch) must be signed with the returned `whsec_` secret per Standard Webhooks. Rotating must itself be signed with the current secret.',
        response: { 201: SigningSecret, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const secret = newWebhookSecret();
      await updateWorkspace(ctx.database, request.workspaceId, { eventSigningSecret: secret });
      forgetKeys();
      return reply.status(201).send({ secret });
    },
  );

  app.delete(
    '/v1/workspace/event-signing-secret',
    {
      preValidation: signed,
      schema: {
        tags,
        security,
        summary: 'Accept unsigned events again (signed with the current secret)',
        response: { 204: z.null().meta({ description: 'signing is off' }), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      await updateWorkspace(ctx.database, request.workspaceId, { eventSigningSecret: null });
      forgetKeys();
      return reply.status(204).send(null);
    },
  );
}
