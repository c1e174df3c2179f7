// Team (/app/team): the members, invite by email with a role, change a role, remove. Every action is checked on the server.
import {
  type AppContext,
  AppError,
  changeMemberRole,
  inviteMember,
  listMembers,
  type Role,
  removeMember,
  roleAllows,
  roles,
  type SignedIn,
} from '@surveyflow/core';
import { type HttpApp, text, uuid } from '@surveyflow/http';
import { z } from 'zod';
import { say } from '../i18n.ts';
import { settingsTabsFor } from '../pages/parts.tsx';
import { teamPage } from '../pages/team.tsx';
import { localeOf, memberOf, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

const role = z.enum(roles, { error: `must be one of ${roles.join(', ')}` });
const InviteBody = z.object({ email: z.email('must be an email address').max(320), role, ...csrfField });
const RoleBody = z.object({ role, ...csrfField });
const MemberParams = z.object({ userId: uuid });
const TeamQuery = z.object({
  done: z.enum(['invited', 'role', 'removed']).optional().catch(undefined),
  email: text(320).optional().catch(undefined),
});

/** The operator in their current workspace; a session without one has no team to show. */
/** The operator in their current workspace; a session without one has no team to show. */
const member = memberOf;

const actorOf = (s: SignedIn & { workspace: NonNullable<SignedIn['workspace']> }) => ({
  userId: s.user.id,
  email: s.user.email,
  role: s.workspace.role,
});

export function teamRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const manage = (session: ReturnType<typeof member>) => {
    if (!roleAllows(session.workspace.role, 'team.manage')) {
      throw new AppError('forbidden', 'forbidden', `A ${session.workspace.role} cannot manage the team`, [
        { field: 'role', message: 'needs the team.manage permission (admins and owners)' },
      ]);
    }
  };

  app.get(
    '/app/team',
    {
      schema: {
        tags,
        summary: 'The members of the current workspace, with their roles',
        querystring: TeamQuery,
        response: { 200: htmlPage('The team page'), 303: redirect('Not signed in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const locale = localeOf(request);
      const canManage = roleAllows(session.workspace.role, 'team.manage');
      const assignable: readonly Role[] = roleAllows(session.workspace.role, 'owners.manage')
        ? roles
        : roles.filter((r) => r !== 'owner');
      const { done, email } = request.query;
      const notice =
        done === 'invited'
          ? say(locale, 'invitedNotice', { email: email ?? '' })
          : done === 'role'
            ? say(locale, 'roleChanged')
            : done === 'removed'
              ? say(locale, 'removed')
              : undefined;
      return reply.type('text/html; charset=utf-8').send(
        teamPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          members: await listMembers(ctx.database.db, session.workspace.workspaceId),
          canManage,
          assignable,
          notice,
          tabs: settingsTabsFor(session.workspace.role),
        }),
      );
    },
  );

  app.post(
    '/app/team/invite',
    {
      schema: {
        tags,
        summary: 'Invites someone by email with a role (they get a sign-in link into the workspace)',
        consumes: ['application/x-www-form-urlencoded'],
        body: InviteBody,
        response: { 303: redirect('Back to the team'), ...formErrors, 409: htmlPage('Already a member') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      manage(session);
      const { notifications } = await inviteMember(ctx.database, {
        workspaceId: session.workspace.workspaceId,
        actor: actorOf(session),
        email: request.body.email,
        role: request.body.role,
        publicUrl: ctx.config.PUBLIC_URL,
        secret: ctx.config.SECRET_KEY,
        now: ctx.clock.now(),
      });
      await ctx.queues.addNotificationSends(notifications);
      return reply.redirect(
        `/app/team?done=invited&email=${encodeURIComponent(request.body.email.toLowerCase())}`,
        303,
      );
    },
  );

  app.post(
    '/app/team/:userId/role',
    {
      schema: {
        tags,
        summary: 'Changes a member’s role (owners only by owners; never the last owner’s)',
        consumes: ['application/x-www-form-urlencoded'],
        params: MemberParams,
        body: RoleBody,
        response: { 303: redirect('Back to the team'), ...formErrors, 404: htmlPage('Not a member') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      manage(session);
      await changeMemberRole(ctx.database, {
        workspaceId: session.workspace.workspaceId,
        actor: actorOf(session),
        userId: request.params.userId,
        role: request.body.role,
      });
      return reply.redirect('/app/team?done=role', 303);
    },
  );

  app.post(
    '/app/team/:userId/remove',
    {
      schema: {
        tags,
        summary: 'Removes a member, or leaves (their cases go back to unassigned; they are out at once)',
        consumes: ['application/x-www-form-urlencoded'],
        params: MemberParams,
        body: FormOnly,
        response: {
          303: redirect('Back to the team, or home after leaving'),
          ...formErrors,
          404: htmlPage('Not a member'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      await removeMember(ctx.database, {
        workspaceId: session.workspace.workspaceId,
        actor: actorOf(session),
        userId: request.params.userId,
        now: ctx.clock.now(),
      });
      return reply.redirect(
        request.params.userId === session.user.id ? '/app' : '/app/team?done=removed',
        303,
      );
    },
  );
}
