// /v1/members: who is on the team (id, email, name, role), so a backend can assign cases to a person.
import { type AppContext, listMembers } from '@surveyflow/core';
import { errors, type HttpApp } from '@surveyflow/http';
import { MemberList } from '../schemas/members.ts';

export function memberRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        security: [{ apiKey: [] }],
        summary: 'The members of the workspace, with their roles',
        description: 'Their ids are what `assigneeId` on a case takes.',
        response: { 200: MemberList, ...errors },
      },
      config: { permission: 'data.read' },
    },
    async (request) => {
      const members = await listMembers(ctx.database.db, request.workspaceId);
      return { data: members.map(({ id, email, name, role }) => ({ id, email, name, role })) };
    },
  );
}
