// /v1/workspace: the settings of the key's own workspace: global contact rule, quiet hours, its own email rate, referral page.
import {
  type AppContext,
  AppError,
  brandOf,
  defaultReliability,
  getWorkspace,
  newWebhookSecret,
  removeWorkspaceLogo,
  setWorkspaceLogo,
  updateWorkspace,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { signedBody } from '../raw-json.ts';
import { LogoUpload, SigningSecret, WorkspacePatch, WorkspaceView } from '../schemas/workspace.ts';

const tags = ['workspace'];
const security = [{ apiKey: [] }];

type WorkspaceRow = NonNullable<Awaited<ReturnType<typeof getWorkspace>>>;

export function workspaceRoutes(app: HttpApp, ctx: AppContext, forgetKeys: () => Promise<void>) {
  const view = (w: WorkspaceRow) => {
    const logoUrl = brandOf(w, ctx.config.PUBLIC_URL).logoUrl;
    return {
      ...w,
      signedEvents: w.eventSigningSecret !== null,
      reliability: w.reliability ?? defaultReliability,
      logo:
        logoUrl && w.logoSha256
          ? { url: logoUrl, contentType: w.logoType as 'image/png' | 'image/jpeg', sha256: w.logoSha256 }
          : null,
    };
  };
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
      config: { permission: 'data.read' },
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
      config: { permission: 'workspace.settings' },
      schema: {
        tags,
        security,
        summary: 'Change settings',
        body: WorkspacePatch,
        response: { 200: WorkspaceView, ...errors },
      },
    },
    async (request) => {
      const w = await updateWorkspace(ctx.database, request.workspaceId, request.body, actorOf(request));
      if (!w) throw AppError.notFound('Workspace');
      return view(w);
    },
  );

  // From now on events must be signed with this secret (shown once; POST again, signed with the
  // current one, to rotate). Other processes see the change within the API key cache's 30 s.
  app.post(
    '/v1/workspace/event-signing-secret',
    {
      config: { permission: 'workspace.settings', noBody: true },
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
      await updateWorkspace(
        ctx.database,
        request.workspaceId,
        { eventSigningSecret: secret },
        actorOf(request),
      );
      await forgetKeys();
      return reply.status(201).send({ secret });
    },
  );

  app.delete(
    '/v1/workspace/event-signing-secret',
    {
      config: { permission: 'workspace.settings' },
      preValidation: signed,
      schema: {
        tags,
        security,
        summary: 'Accept unsigned events again (signed with the current secret)',
        response: { 204: z.null().meta({ description: 'signing is off' }), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      await updateWorkspace(
        ctx.database,
        request.workspaceId,
        { eventSigningSecret: null },
        actorOf(request),
      );
      await forgetKeys();
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/workspace/logo',
    {
      config: { permission: 'workspace.settings' },
      schema: {
        tags,
        security,
        summary: 'Set the logo of survey pages and emails',
        description:
          'The image file in base64 (`{"image": "iVBORw0…"}`): PNG or JPEG, told by its bytes, at most 256 KB. No SVG (it can carry scripts and external references). The answer carries its URL on the collector.',
        body: LogoUpload,
        response: { 200: WorkspaceView, ...errors },
      },
    },
    async (request) => {
      const bytes = Buffer.from(request.body.image, 'base64');
      if (!(await setWorkspaceLogo(ctx.database, request.workspaceId, bytes, 'image', actorOf(request))))
        throw AppError.notFound('Workspace');
      return view(await load(request.workspaceId));
    },
  );

  app.delete(
    '/v1/workspace/logo',
    {
      config: { permission: 'workspace.settings' },
      schema: {
        tags,
        security,
        summary: 'Remove the logo (pages and emails show the workspace name alone)',
        response: { 204: z.null().meta({ description: 'no logo now' }), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      await removeWorkspaceLogo(ctx.database, request.workspaceId, actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
