// The signed-in home (/app): the overview of a survey and period; switching workspace, signing out here or everywhere, and
// (instance admins) creating a workspace.
import {
  type AppContext,
  AppError,
  createWorkspaceAsOwner,
  type Granularity,
  getSurvey,
  granularities,
  type Locale,
  listSurveys,
  type OverviewRange,
  overdueCases,
  overviewPeriod,
  overviewRanges,
  revokeAllSessions,
  revokeSession,
  type SessionMembership,
  type SurveyOverview,
  surveyOverview,
  switchWorkspace,
  trendChartSvg,
  withoutInlineStyles,
} from '@surveyflow/core';
import { type HttpApp, text, uuid } from '@surveyflow/http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { assets } from '../assets.ts';
import { homePage } from '../pages/home.tsx';
import type { OverviewInput, OverviewSurvey } from '../pages/overview.tsx';
import { t } from '../pages/overview.words.ts';
import { instanceAdmins, localeOf, needSession, operatorOf, SESSION_COOKIE } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

const SwitchBody = z.object({ workspaceId: uuid, ...csrfField });
/** An empty form field is no value. */
const blank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const day = text(10).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)');

const OverviewQuery = z.object({
  survey: blank(uuid),
  range: blank(z.enum(overviewRanges)),
  from: blank(day),
  to: blank(day),
  granularity: blank(z.enum(granularities)),
  property: blank(
    text(200).regex(/^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,4}$/, 'must be an event property name'),
  ),
});

/** With no choice made, a point per day up to two months, per week up to a year and a half, else per month. */
function defaultGranularity(p: { from: Date; to: Date }): Granularity {
  const days = (p.to.getTime() - p.from.getTime()) / 86_400_000;
  return days <= 62 ? 'day' : days <= 550 ? 'week' : 'month';
}

/**
 * The last charts drawn, by what they show: the same figures make the same SVG, and drawing one costs tens of
 * milliseconds of CPU, so an overview looked at again (or by a teammate) is not drawn again.
 */
const drawn = new Map<string, Promise<{ wide: string; narrow: string }>>();
const DRAWN_KEPT = 200;

function trendCharts(locale: Locale, kind: OverviewSurvey['kind'], data: SurveyOverview, g: Granularity) {
  const key = JSON.stringify([
    locale,
    kind,
    g,
    data.trend.map((p) => [p.key, p.score, p.ci?.low, p.ci?.high]),
  ]);
  const known = drawn.get(key);
  if (known) {
    // Most recently used last, so the oldest goes first.
    drawn.delete(key);
    drawn.set(key, known);
    return known;
  }
  const made = drawCharts(locale, kind, data, g);
  made.catch(() => drawn.delete(key));
  drawn.set(key, made);
  for (const old of drawn.keys()) {
    if (drawn.size <= DRAWN_KEPT) break;
    drawn.delete(old);
  }
  return made;
}

/** The trend drawn twice, for a desktop and a phone (the page shows the one that fits): echarts' SVG, as in the digest. */
async function drawCharts(
  locale: Locale,
  kind: OverviewSurvey['kind'],
  data: SurveyOverview,
  g: Granularity,
) {
  const label = new Intl.DateTimeFormat(
    locale,
    g === 'month'
      ? { month: 'short', year: '2-digit', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', timeZone: 'UTC' },
  );
  const points = data.trend.map((p) => ({
    label: label.format(new Date(`${p.key}T00:00:00Z`)),
    score: p.score,
    low: p.ci?.low ?? null,
    high: p.ci?.high ?? null,
  }));
  const axisName = t(locale, `axis_${kind}`);
  const [wide, narrow] = await Promise.all([
    trendChartSvg(kind, points, 720, 260, { axisName }),
    trendChartSvg(kind, points, 340, 220, { axisName }),
  ]);
  return { wide: withoutInlineStyles(wide), narrow: withoutInlineStyles(narrow) };
}

async function overviewOf(
  ctx: AppContext,
  locale: Locale,
  workspace: SessionMembership,
  query: z.infer<typeof OverviewQuery>,
): Promise<OverviewInput> {
  const zone = workspace.timezone;
  const surveys: OverviewSurvey[] = (await listSurveys(ctx.database, workspace.workspaceId)).map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
  }));
  const chosen = query.survey ? await getSurvey(ctx.database, workspace.workspaceId, query.survey) : null;
  if (query.survey && !chosen) throw AppError.notFound(`Survey ${query.survey}`);
  const survey = chosen ? { id: chosen.id, name: chosen.name, kind: chosen.kind } : (surveys[0] ?? null);
  const now = ctx.clock.now();
  const range: OverviewRange = query.range ?? (query.from && query.to ? 'custom' : '30d');
  const period = overviewPeriod({ range, from: query.from, to: query.to, now, timeZone: zone });
  const granularity = query.granularity ?? defaultGranularity(period);
  const [data, overdue] = await Promise.all([
    survey
      ? surveyOverview(ctx.database, workspace.workspaceId, {
          survey,
          period,
          granularity,
          timeZone: zone,
          property: query.property,
        })
      : null,
    overdueCases(ctx.database, workspace.workspaceId, now),
  ]);
  const charts =
    survey && data && data.summary.n > 0 ? await trendCharts(locale, survey.kind, data, granularity) : null;
  return {
    locale,
    zone,
    publicUrl: ctx.config.PUBLIC_URL,
    surveys,
    survey,
    query: { range, from: query.from, to: query.to, granularity },
    data,
    charts,
    overdue,
  };
}

const NewWorkspaceBody = z.object({ name: text(200).trim().min(1, 'must not be empty'), ...csrfField });

export function homeRoutes(app: HttpApp, ctx: AppContext) {
  const isInstanceAdmin = instanceAdmins(ctx);
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const signedOut = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { path: '/app' }).redirect('/app/sign-in', 303);

  for (const asset of assets.all) {
    app.get(asset.path, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body),
    );
  }

  app.get(
    '/app',
    {
      schema: {
        tags,
        summary:
          'The overview (a survey’s score, change, trend, breakdowns, referrals, overdue cases) and your account',
        querystring: OverviewQuery,
        response: {
          200: htmlPage('The home page'),
          303: redirect('Not signed in: to /app/sign-in'),
          400: formErrors[400],
          404: htmlPage('Not a survey of this workspace'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = operatorOf(request);
      const locale = localeOf(request);
      const overview = session.workspace
        ? await overviewOf(ctx, locale, session.workspace, request.query)
        : undefined;
      return reply.type('text/html; charset=utf-8').send(
        homePage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          canCreateWorkspace: isInstanceAdmin(session.user.email),
          overview,
        }),
      );
    },
  );

  app.post(
    '/app/workspace',
    {
      schema: {
        tags,
        summary: 'Shows another of your workspaces',
        consumes: ['application/x-www-form-urlencoded'],
        body: SwitchBody,
        response: { 303: redirect('To /app'), ...formErrors, 404: htmlPage('Not one of your workspaces') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      if (!(await switchWorkspace(ctx.database, operatorOf(request), request.body.workspaceId))) {
        throw AppError.notFound('Workspace');
      }
      return reply.redirect('/app', 303);
    },
  );

  app.post(
    '/app/sign-out',
    {
      schema: {
        tags,
        summary: 'Signs this browser out',
        consumes: ['application/x-www-form-urlencoded'],
        body: FormOnly,
        response: { 303: redirect('To the sign-in page'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      await revokeSession(ctx.database, operatorOf(request).sessionId, ctx.clock.now());
      return signedOut(reply);
    },
  );

  app.post(
    '/app/sign-out-everywhere',
    {
      schema: {
        tags,
        summary: 'Ends every session of yours, on every device',
        consumes: ['application/x-www-form-urlencoded'],
        body: FormOnly,
        response: { 303: redirect('To the sign-in page'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      await revokeAllSessions(ctx.database, operatorOf(request).user.id, ctx.clock.now());
      return signedOut(reply);
    },
  );

  app.post(
    '/app/workspaces',
    {
      schema: {
        tags,
        summary: 'Creates a workspace you own (instance admins only)',
        consumes: ['application/x-www-form-urlencoded'],
        body: NewWorkspaceBody,
        response: { 303: redirect('To the new workspace'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = operatorOf(request);
      if (!isInstanceAdmin(session.user.email)) {
        throw AppError.forbidden('Only instance admins (INSTANCE_ADMIN_EMAILS) create workspaces');
      }
      const { workspaceId } = await createWorkspaceAsOwner(ctx.database, {
        name: request.body.name,
        owner: { userId: session.user.id, email: session.user.email },
        timezone: ctx.config.DEFAULT_TIMEZONE,
      });
      await switchWorkspace(ctx.database, session, workspaceId);
      return reply.redirect('/app', 303);
    },
  );
}
