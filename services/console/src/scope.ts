// The scope every console page runs in: security headers (only our own scripts), signed cookies, CSRF tokens, rate limits, the session.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import {
  type Actor,
  type AppContext,
  AppError,
  type Locale,
  loadSession,
  type Permission,
  permissions,
  pickLocale,
  roleAllows,
  type SignedIn,
} from '@surveyflow/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'sf_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator, set by `needSession` (routes that require one). */
    operator: SignedIn | null;
  }
}

/** Instance admins: INSTANCE_ADMIN_EMAILS plus the bootstrap owner. */
export function instanceAdmins(ctx: AppContext): (email: string) => boolean {
  const set = new Set([...ctx.config.INSTANCE_ADMIN_EMAILS, ctx.config.BOOTSTRAP_OWNER_EMAIL.toLowerCase()]);
  return (email) => set.has(email.toLowerCase());
}

export const secureCookies = (ctx: AppContext) => ctx.config.PUBLIC_URL.startsWith('https:');

export async function consoleScope(scope: FastifyInstance, ctx: AppContext) {
  await scope.register(formbody);
  await scope.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      // Only the console's own stylesheet and its own small scripts (enhancements: every page works without them).
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await scope.register(cookie, { secret: ctx.config.SECRET_KEY });
  await scope.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'sf_csrf',
    cookieOpts: { path: '/app', sameSite: 'lax', httpOnly: true, secure: secureCookies(ctx), signed: true },
  });
  await scope.register(rateLimit, {
    global: false,
    redis: ctx.redis,
    nameSpace: `${ctx.config.QUEUE_PREFIX}:console-limit:`,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        'rate_limited',
        `Too many sign-in requests: try again in ${context.after}`,
      ),
  });
  scope.decorateRequest('operator', null);
  scope.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/app/assets/')) {
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
    }
    // A browser that says nothing of what it accepts gets pages (errors included).
    const { accept } = request.headers;
    if (accept === undefined || accept === '*/*') request.headers.accept = 'text/html';
  });
}

/** The page language: the operator's own locale once signed in, else the browser's. */
export const localeOf = (request: FastifyRequest): Locale =>
  pickLocale(request.operator?.user.locale ?? request.headers['accept-language']);

/**
 * preHandler of every signed-in page and action: the session behind the cookie, checked now (so a
 * revoked session or a removed member is out on this very request); none → to the sign-in page.
 */
export function needSession(ctx: AppContext) {
  const isInstanceAdmin = instanceAdmins(ctx);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.cookies[SESSION_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    const session = unsigned?.valid
      ? await loadSession(ctx.database, unsigned.value ?? '', {
          now: ctx.clock.now(),
          idleMinutes: ctx.config.SESSION_IDLE_MINUTES,
          isInstanceAdmin,
        })
      : null;
    if (!session) {
      if (raw) reply.clearCookie(SESSION_COOKIE, { path: '/app' });
      return reply.redirect('/app/sign-in', 303);
    }
    request.operator = session;
  };
}

/** The signed-in operator (only inside routes behind needSession). */
export function operatorOf(request: FastifyRequest): SignedIn {
  if (!request.operator) throw AppError.unauthorized('Sign in first');
  return request.operator;
}

/** A signed-in operator inside one of their workspaces. */
export type Member = SignedIn & { workspace: NonNullable<SignedIn['workspace']> };

/** The operator in their current workspace (a session without one has nothing to show: 404). */
export function memberOf(request: FastifyRequest): Member {
  const session = operatorOf(request);
  if (!session.workspace) throw AppError.notFound('Workspace');
  return session as Member;
}

/** Refuses a role without the permission (403, naming it and the roles that hold it), like every console form. */
export function mayDo(session: Member, permission: Permission, doing = 'do this'): Member {
  if (!roleAllows(session.workspace.role, permission)) {
    throw new AppError('forbidden', 'forbidden', `A ${session.workspace.role} cannot ${doing}`, [
      {
        field: 'role',
        message: `needs the ${permission} permission (${permissions[permission].roles.join(', ')})`,
      },
    ]);
  }
  return session;
}

/** The member as the audit log and history name them (one shape for every console change). */
export const actorOf = (s: Member): Actor => ({ kind: 'user', id: s.user.id, label: s.user.email });

/** The operator in their current workspace, holding `permission`. */
export const memberWith = (request: FastifyRequest, permission: Permission, doing?: string): Member =>
  mayDo(memberOf(request), permission, doing);
