// /v1/audit: who did what in the workspace, newest first, filtered by action and period.
import { type AppContext, auditView, listAudit } from '@surveyflow/core';
import { ErrorBody, type HttpApp, pageFrom } from '@surveyflow/http';
import { AuditPage, AuditQuery } from '../schemas/audit.ts';

export function auditRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags: ['audit'],
        security: [{ apiKey: [] }],
        summary: 'The audit log, newest first',
        description:
          "Key creation and revocation, survey and trigger edits, workspace settings, branding and webhook changes (API and console alike), case resolutions, contact erasures, CSV exports (and, from the console, sign-ins and role changes). `action` is exact (`api_key.revoke`) or a family (`case.*`); entries older than the workspace's retention (365 days unless set) are deleted daily.",
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const rows = await listAudit(ctx.database, request.workspaceId, { ...filter, after: cursor });
      // The same cursor encoding as the other lists; only its id is a number (auditCursor reads it back).
      return pageFrom(rows, filter.limit, auditView, (r) => ({ at: r.cursorAt, id: String(r.id) }));
    },
  );
}
