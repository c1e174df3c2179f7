// /brand/:workspaceId/logo-<fingerprint>.png|jpg — a workspace's logo for survey pages and emails, cached for good under its fingerprint.
import { type AppContext, AppError, getWorkspace, logoPath, workspaceLogo } from '@surveyflow/core';
import { ErrorBody, type HttpApp, uuid } from '@surveyflow/http';
import { z } from 'zod';

const LogoParams = z.object({
  workspaceId: uuid,
  file: z.string().regex(/^logo-[0-9a-f]{16}\.(png|jpg)$/, 'must be logo-<fingerprint>.png or .jpg'),
});

export function brandRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/brand/:workspaceId/:file',
    {
      schema: {
        tags: ['respondents'],
        summary:
          "A workspace's logo (PNG or JPEG); the URL carries its fingerprint, so it is cached for a year",
        params: LogoParams,
        response: {
          200: z.any().meta({ description: 'The image (image/png or image/jpeg)' }),
          302: z.null().describe('An older logo: the current one'),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { workspaceId, file } = request.params;
      const workspace = await getWorkspace(ctx.database, workspaceId);
      if (!workspace?.logoSha256 || !workspace.logoType) throw AppError.notFound('Logo');
      const current = logoPath(workspaceId, workspace.logoSha256, workspace.logoType);
      // A mail sent before the logo changed still shows a logo: the current one, by a redirect that is not cached for long.
      if (!current.endsWith(`/${file}`)) {
        return reply.header('cache-control', 'public, max-age=300').redirect(current, 302);
      }
      const logo = await workspaceLogo(ctx.database, workspaceId);
      if (!logo) throw AppError.notFound('Logo');
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .header('cross-origin-resource-policy', 'cross-origin')
        .type(logo.contentType)
        .send(logo.content);
    },
  );
}
