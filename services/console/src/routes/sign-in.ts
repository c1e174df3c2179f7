// Sign-in by emailed link: the form (rate-limited per address and per client), the link's confirm page (GET changes nothing), its POST.
import {
  type AppContext,
  AppError,
  consumeSignInLink,
  normalizeEmail,
  peekSignInLink,
  requestSignIn,
} from '@surveyflow/core';
import { type HttpApp, text } from '@surveyflow/http';
import { z } from 'zod';
import { checkEmailPage, confirmPage, signInPage } from '../pages/sign-in.tsx';
import { instanceAdmins, localeOf, SESSION_COOKIE, secureCookies } from '../scope.ts';
import { csrfField, formErrors, htmlPage, redirect } from './shapes.ts';

const SignInBody = z.object({
  email: z.email('must be an email address').max(320),
  ...csrfField,
});
const LinkParams = z.object({ token: text(100).describe('The sign-in link token') });
const WINDOW = '15 minutes';

export function signInRoutes(app: HttpApp, ctx: AppContext) {
  const isInstanceAdmin = instanceAdmins(ctx);
  const tags = ['console'];
  // Per client address and per address asked for (lower-cased), counted in Redis so every process shares them.
  const limits = [
    app.createRateLimit({
      max: ctx.config.SIGN_IN_LIMIT_PER_CLIENT,
      timeWindow: WINDOW,
      keyGenerator: (request) => `client:${request.ip}`,
    }),
    app.createRateLimit({
      max: ctx.config.SIGN_IN_LIMIT_PER_EMAIL,
      timeWindow: WINDOW,
      keyGenerator: (request) => `email:${normalizeEmail((request.body as { email: string }).email)}`,
    }),
  ];

  app.get(
    '/app/sign-in',
    { schema: { tags, summary: 'The sign-in form', response: { 200: htmlPage('The form') } } },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(signInPage({ locale: localeOf(request), csrf: reply.generateCsrf() })),
  );

  app.post(
    '/app/sign-in',
    {
      schema: {
        tags,
        summary: 'Emails a one-time sign-in link; the same answer for known and unknown addresses',
        consumes: ['application/x-www-form-urlencoded'],
        body: SignInBody,
        response: {
          200: htmlPage('"Check your email"'),
          ...formErrors,
          429: htmlPage('Too many links asked for this address or from this client'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: async (request) => {
        for (const limit of limits) {
          const result = await limit(request);
          if (!result.isAllowed && result.isExceeded) {
            throw new AppError(
              'rate_limited',
              'rate_limited',
              `Too many sign-in requests: try again in ${Math.ceil(result.ttlInSeconds / 60)} minutes`,
            );
          }
        }
      },
    },
    async (request, reply) => {
      const sends = await requestSignIn(ctx.database, {
        email: request.body.email,
        publicUrl: ctx.config.PUBLIC_URL,
        secret: ctx.config.SECRET_KEY,
        now: ctx.clock.now(),
        isInstanceAdmin,
      });
      await ctx.queues.addNotificationSends(sends);
      return reply
        .type('text/html; charset=utf-8')
        .send(checkEmailPage({ locale: localeOf(request), email: normalizeEmail(request.body.email) }));
    },
  );

  app.get(
    '/app/sign-in/:token',
    {
      schema: {
        tags,
        summary: 'The link’s confirm page: a "Sign in" button (opening the link signs nobody in)',
        params: LinkParams,
        response: {
          200: htmlPage('The button'),
          404: htmlPage('A link we never sent'),
          410: htmlPage('A used or expired link'),
        },
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      const link = await peekSignInLink(ctx.database, token, ctx.clock.now());
      const state = link?.state ?? 'unknown';
      return reply
        .status(state === 'valid' ? 200 : state === 'unknown' ? 404 : 410)
        .type('text/html; charset=utf-8')
        .send(
          confirmPage({
            locale: localeOf(request),
            state,
            email: link?.email ?? null,
            actionUrl: `/app/sign-in/${token}`,
            csrf: reply.generateCsrf(),
          }),
        );
    },
  );

  app.post(
    '/app/sign-in/:token',
    {
      schema: {
        tags,
        summary: 'Signs in: uses the link up and opens a session (cookie), then to /app',
        consumes: ['application/x-www-form-urlencoded'],
        params: LinkParams,
        body: z.object(csrfField),
        response: {
          303: redirect('Signed in: to /app'),
          ...formErrors,
          404: htmlPage('A link we never sent'),
          410: htmlPage('A used or expired link'),
        },
      },
      preValidation: app.csrfProtection,
    },
    async (request, reply) => {
      const session = await consumeSignInLink(ctx.database, request.params.token, {
        now: ctx.clock.now(),
        userAgent: request.headers['user-agent'] ?? null,
        locale: request.headers['accept-language'],
        idleMinutes: ctx.config.SESSION_IDLE_MINUTES,
        maxDays: ctx.config.SESSION_MAX_DAYS,
        isInstanceAdmin,
      });
      return reply
        .setCookie(SESSION_COOKIE, session.token, {
          path: '/app',
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookies(ctx),
          signed: true,
          maxAge: ctx.config.SESSION_MAX_DAYS * 86_400,
        })
        .redirect('/app', 303);
    },
  );
}
