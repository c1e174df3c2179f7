// Settings → Workspace (/app/settings) and Branding (/app/settings/branding): the same rules and use cases as PATCH
// /v1/workspace and PUT /v1/workspace/logo; every member reads the workspace tab, only workspace.settings changes anything.
import multipart from '@fastify/multipart';
import {
  type AppContext,
  AppError,
  accentCss,
  getWorkspace,
  logoPath,
  MAX_LOGO_BYTES,
  removeWorkspaceLogo,
  roleAllows,
  setWorkspaceLogo,
  updateWorkspace,
  workspaceLogo,
  workspaceSettingsFields,
} from '@surveyflow/core';
import { type HttpApp, text } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorText } from '../error-words.ts';
import { settingsTabsFor } from '../pages/parts.tsx';
import {
  brandingPage,
  type FieldErrors,
  type SettingsForm,
  workspaceSettingsPage,
} from '../pages/settings.tsx';
import { t } from '../pages/settings.words.ts';
import { actorOf, localeOf, type Member, mayDo, memberOf, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

/** Refuses a role without the permission, like every other console form (403, naming what it needs). */
export const mayChangeSettings = (session: Member) =>
  mayDo(session, 'workspace.settings', "change the workspace's settings");

const rules = z.object(workspaceSettingsFields).partial().strict();
const timezones = Intl.supportedValuesOf('timeZone');

/** A checkbox group: one ticked comes as a string, several as an array, none not at all. */
const checkboxes = z
  .union([text(20), z.array(text(20)).max(10)])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat()));

const SettingsBody = z.object({
  name: text(500).default(''),
  alertEmail: text(500).default(''),
  timezone: text(200).default(''),
  globalContactDays: text(50).default(''),
  quietStart: text(50).default(''),
  quietEnd: text(50).default(''),
  quietHoursChannels: checkboxes,
  emailRatePerSecond: text(50).default(''),
  referralUrl: text(3000).default(''),
  auditRetentionDays: text(50).default(''),
  retentionMonths: text(50).default(''),
  ...csrfField,
});

const AccentBody = z.object({ accentColor: text(100).default(''), reset: text(5).optional(), ...csrfField });
const LogoBody = z.object({
  ...csrfField,
  logo: z
    .custom<Buffer>((v) => Buffer.isBuffer(v), 'choose a PNG or JPEG file')
    .optional()
    .meta({ type: 'string', format: 'binary', description: 'PNG or JPEG, at most 256 KB' }),
});
const DoneQuery = z.object({
  done: z.enum(['saved', 'accent', 'logo', 'logo-removed']).optional().catch(undefined),
});
const AccentParams = z.object({ file: z.string().regex(/^[0-9a-f]{6}\.css$/, 'must be <rrggbb>.css') });
const LogoParams = z.object({
  file: z.string().regex(/^logo-[0-9a-f]{16}\.(png|jpg)$/, 'must be a logo file name'),
});

type WorkspaceRow = NonNullable<Awaited<ReturnType<typeof getWorkspace>>>;

const formOf = (w: WorkspaceRow): SettingsForm => ({
  name: w.name,
  alertEmail: w.alertEmail ?? '',
  timezone: w.timezone,
  globalContactDays: String(w.globalContactDays),
  quietStart: w.quietHours?.start ?? '',
  quietEnd: w.quietHours?.end ?? '',
  quietHoursChannels: w.quietHoursChannels,
  emailRatePerSecond: w.emailRatePerSecond === null ? '' : String(w.emailRatePerSecond),
  referralUrl: w.referralUrl ?? '',
  auditRetentionDays: String(w.auditRetentionDays),
  retentionMonths: w.retentionMonths === null ? '' : String(w.retentionMonths),
});

/** A whole number typed in a form, or the text as it is (the rules then say it is not a number). */
const int = (v: string): unknown => (/^\s*-?\d+\s*$/.test(v) ? Number(v) : v.trim() === '' ? undefined : v);
const orNull = (v: string) => (v.trim() === '' ? null : v.trim());

/** The form as the change PATCH /v1/workspace would take (empty optional fields clear them). */
function changeOf(form: SettingsForm): Record<string, unknown> {
  const quiet =
    form.quietStart.trim() === '' && form.quietEnd.trim() === ''
      ? null
      : { start: form.quietStart, end: form.quietEnd };
  return {
    name: form.name,
    alertEmail: orNull(form.alertEmail),
    timezone: form.timezone,
    globalContactDays: int(form.globalContactDays) ?? '',
    quietHours: quiet,
    quietHoursChannels: form.quietHoursChannels,
    emailRatePerSecond: form.emailRatePerSecond.trim() === '' ? null : int(form.emailRatePerSecond),
    referralUrl: orNull(form.referralUrl),
    auditRetentionDays: int(form.auditRetentionDays) ?? '',
    // Empty keeps everything (null), as in PATCH /v1/workspace.
    retentionMonths: form.retentionMonths.trim() === '' ? null : int(form.retentionMonths),
  };
}

/** Which form field shows an error of the rules' path (quiet hours are two fields). */
function fieldOf(path: readonly PropertyKey[]): string {
  const [head, sub] = path.map(String);
  if (head === 'quietHours') return sub === 'end' ? 'quietEnd' : 'quietStart';
  return head ?? 'form';
}

export function settingsRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const load = async (session: Member) => {
    const w = await getWorkspace(ctx.database, session.workspace.workspaceId);
    if (!w) throw AppError.notFound('Workspace');
    return w;
  };
  const logoUrl = (w: WorkspaceRow) =>
    w.logoSha256 && w.logoType
      ? `/app/settings/branding/${logoPath(w.id, w.logoSha256, w.logoType).split('/').at(-1)}`
      : null;

  // The console wears the workspace's accent: a tiny stylesheet whose URL is the colour, so it is cached for good.
  app.get(
    '/app/assets/accent/:file',
    {
      schema: {
        tags,
        summary: "The accent colour's custom properties, laid over the console's stylesheet",
        params: AccentParams,
        response: { 200: z.string().describe('text/css') },
      },
    },
    async (request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(accentCss(`#${request.params.file.slice(0, 6)}`)),
  );

  app.get(
    '/app/settings',
    {
      schema: {
        tags,
        summary: "The workspace's settings: a form for admins and owners, the values for everyone else",
        querystring: DoneQuery,
        response: { 200: htmlPage('The workspace settings page'), 303: redirect('Not signed in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      const locale = localeOf(request);
      const w = await load(session);
      return reply.type('text/html; charset=utf-8').send(
        workspaceSettingsPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          form: formOf(w),
          canEdit: roleAllows(session.workspace.role, 'workspace.settings'),
          timezones,
          notice: request.query.done === 'saved' ? t(locale, 'saved') : undefined,
          tabs: settingsTabsFor(session.workspace.role),
        }),
      );
    },
  );

  app.post(
    '/app/settings',
    {
      schema: {
        tags,
        summary:
          "Saves the workspace's settings (the rules of PATCH /v1/workspace; a refused form comes back with each error at its field)",
        consumes: ['application/x-www-form-urlencoded'],
        body: SettingsBody,
        response: { 303: redirect('Saved: back to the settings'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      mayChangeSettings(session);
      const { _csrf, ...form } = request.body;
      const parsed = rules.safeParse(changeOf(form));
      if (!parsed.success) {
        const errors: FieldErrors = {};
        const locale = localeOf(request);
        for (const issue of parsed.error.issues)
          errors[fieldOf(issue.path)] ??= errorText(locale, issue.message);
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            workspaceSettingsPage({
              locale,
              session,
              csrf: reply.generateCsrf(),
              form,
              canEdit: true,
              timezones,
              errors,
              tabs: settingsTabsFor(session.workspace.role),
            }),
          );
      }
      await updateWorkspace(ctx.database, session.workspace.workspaceId, parsed.data, actorOf(session));
      return reply.redirect('/app/settings?done=saved', 303);
    },
  );

  const brandingTabs = (session: Member) => settingsTabsFor(session.workspace.role);
  /** The branding page again (400) with the refused field's message, and what was typed where there is one. */
  const refused = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: Member,
    input: { errors: FieldErrors; accentInput?: string },
  ) => {
    const w = await load(session);
    return reply
      .status(400)
      .type('text/html; charset=utf-8')
      .send(
        brandingPage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          workspaceName: w.name,
          accent: w.accentColor,
          accentInput: input.accentInput,
          logoPath: logoUrl(w),
          errors: input.errors,
          tabs: brandingTabs(session),
        }),
      );
  };

  app.get(
    '/app/settings/branding',
    {
      schema: {
        tags,
        summary: 'The accent colour and the logo of survey pages and emails (admins and owners)',
        querystring: DoneQuery,
        response: {
          200: htmlPage('The branding page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      mayChangeSettings(session);
      const locale = localeOf(request);
      const w = await load(session);
      const { done } = request.query;
      return reply.type('text/html; charset=utf-8').send(
        brandingPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          workspaceName: w.name,
          accent: w.accentColor,
          logoPath: logoUrl(w),
          notice:
            done === 'accent'
              ? t(locale, 'accentSaved')
              : done === 'logo'
                ? t(locale, 'logoSaved')
                : done === 'logo-removed'
                  ? t(locale, 'logoRemoved')
                  : undefined,
          tabs: brandingTabs(session),
        }),
      );
    },
  );

  app.post(
    '/app/settings/branding',
    {
      schema: {
        tags,
        summary: 'Saves the accent colour (refused below WCAG AA contrast, with a darker shade that passes)',
        consumes: ['application/x-www-form-urlencoded'],
        body: AccentBody,
        response: { 303: redirect('Back to branding'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      mayChangeSettings(session);
      const { accentColor, reset } = request.body;
      const parsed = workspaceSettingsFields.accentColor.safeParse(
        reset || accentColor.trim() === '' ? null : accentColor,
      );
      if (!parsed.success) {
        return refused(request, reply, session, {
          accentInput: accentColor,
          errors: {
            accentColor: errorText(localeOf(request), parsed.error.issues[0]?.message ?? 'not a colour'),
          },
        });
      }
      await updateWorkspace(
        ctx.database,
        session.workspace.workspaceId,
        { accentColor: parsed.data },
        actorOf(session),
      );
      return reply.redirect('/app/settings/branding?done=accent', 303);
    },
  );

  // Uploads are multipart: only these routes parse it, each file read into memory up to one byte past the
  // limit, so a larger one is told "at most 256 KB" (a 400 at its field) instead of being read to its end.
  app.register(async (uploads) => {
    await uploads.register(multipart, {
      attachFieldsToBody: 'keyValues',
      throwFileSizeLimit: false,
      limits: { fileSize: MAX_LOGO_BYTES + 1, files: 1, fields: 5, parts: 6 },
    });
    const routes = uploads as unknown as HttpApp;
    routes.post(
      '/app/settings/branding/logo',
      {
        schema: {
          tags,
          summary: 'Uploads the logo (PNG or JPEG by its bytes, at most 256 KB; no SVG)',
          consumes: ['multipart/form-data'],
          body: LogoBody,
          response: { 303: redirect('Back to branding'), ...formErrors },
        },
        preValidation: routes.csrfProtection,
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = memberOf(request);
        mayChangeSettings(session);
        try {
          await setWorkspaceLogo(
            ctx.database,
            session.workspace.workspaceId,
            request.body.logo ?? Buffer.alloc(0),
            'logo',
            actorOf(session),
          );
        } catch (err) {
          if (!(err instanceof AppError) || err.kind !== 'invalid') throw err;
          return refused(request, reply, session, {
            errors: { logo: errorText(localeOf(request), err.details?.[0]?.message ?? err.message) },
          });
        }
        return reply.redirect('/app/settings/branding?done=logo', 303);
      },
    );
  });

  app.post(
    '/app/settings/branding/logo/remove',
    {
      schema: {
        tags,
        summary: 'Removes the logo',
        consumes: ['application/x-www-form-urlencoded'],
        body: FormOnly,
        response: { 303: redirect('Back to branding'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      mayChangeSettings(session);
      await removeWorkspaceLogo(ctx.database, session.workspace.workspaceId, actorOf(session));
      return reply.redirect('/app/settings/branding?done=logo-removed', 303);
    },
  );

  // The preview on the branding page (the console's CSP takes images from itself only).
  app.get(
    '/app/settings/branding/:file',
    {
      schema: {
        tags,
        summary: "The workspace's logo, for its members",
        params: LogoParams,
        response: {
          200: z.any().meta({ description: 'The image' }),
          303: redirect('Not signed in'),
          404: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      const logo = await workspaceLogo(ctx.database, session.workspace.workspaceId);
      if (!logo || !request.params.file.startsWith(`logo-${logo.sha256.slice(0, 16)}.`))
        throw AppError.notFound('Logo');
      return reply
        .type(logo.contentType)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(logo.content);
    },
  );
}
