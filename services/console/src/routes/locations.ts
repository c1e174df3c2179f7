// Locations in the console (/app/surveys/locations): the permanent QR codes with their links, and kiosk mode on or off —
// listLocations and updateLocation, as /v1/locations, under the surveys they belong to (surveys.manage changes them).
import {
  type AppContext,
  AppError,
  getLocation,
  listLocations,
  listSurveys,
  locationLinks,
  qrOptionsSchema,
  renderQr,
  roleAllows,
  updateLocation,
} from '@surveyflow/core';
import { type HttpApp, uuid } from '@surveyflow/http';
import { z } from 'zod';
import { locationsPage } from '../pages/locations.tsx';
import { t } from '../pages/locations.words.ts';
import { actorOf, localeOf, memberOf, memberWith, needSession } from '../scope.ts';
import { csrfField, formErrors, formPost, htmlPage, redirect } from './shapes.ts';

const LocationParams = z.object({ id: uuid });
const PageQuery = z.object({
  done: z.enum(['on', 'off']).optional().catch(undefined),
  id: uuid.optional().catch(undefined),
});
const KioskBody = z.object({
  kiosk: z.enum(['on', 'off'], { error: 'must be on or off' }),
  ...csrfField,
});

export function locationRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];

  app.get(
    '/app/surveys/locations',
    {
      schema: {
        tags,
        summary:
          'The locations: each QR code with its answer and kiosk links, and kiosk mode (admins and owners switch it)',
        querystring: PageQuery,
        response: { 200: htmlPage('The locations'), 303: redirect('Not signed in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      const ws = session.workspace.workspaceId;
      const [locations, surveys] = await Promise.all([
        listLocations(ctx.database, ws),
        listSurveys(ctx.database, ws),
      ]);
      const surveyOf = new Map(surveys.map((s) => [s.id, { id: s.id, name: s.name }]));
      const locale = localeOf(request);
      const { done, id } = request.query;
      const named = locations.find((l) => l.id === id)?.name ?? '';
      return reply.type('text/html; charset=utf-8').send(
        locationsPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          rows: locations.map((l) => ({
            id: l.id,
            name: l.name,
            survey: surveyOf.get(l.surveyId) ?? null,
            deviceLimitHours: l.deviceLimitHours,
            kiosk: l.kiosk,
            ...locationLinks(l, ctx.config.PUBLIC_URL),
          })),
          canManage: roleAllows(session.workspace.role, 'surveys.manage'),
          notice: done ? t(locale, done === 'on' ? 'doneOn' : 'doneOff', { name: named }) : undefined,
        }),
      );
    },
  );

  app.post(
    '/app/locations/:id/kiosk',
    formPost(app, signedIn, {
      summary: 'Turns kiosk mode on or off, as PATCH /v1/locations/:id {kiosk} does',
      params: LocationParams,
      body: KioskBody,
      response: { 303: redirect('Back to the locations'), ...formErrors, 404: htmlPage('No such location') },
    }),
    async (request, reply) => {
      const session = memberWith(request, 'surveys.manage', 'change locations');
      const { id } = request.params;
      const kiosk = request.body.kiosk === 'on';
      const row = await updateLocation(
        ctx.database,
        session.workspace.workspaceId,
        id,
        { kiosk },
        actorOf(session),
      );
      if (!row) throw AppError.notFound(`Location ${id}`);
      return reply.redirect(`/app/surveys/locations?done=${request.body.kiosk}&id=${id}`, 303);
    },
  );

  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/app/locations/:id/qr.${format}`,
      {
        schema: {
          tags,
          summary: `The location's QR code as ${format.toUpperCase()} (the one GET /v1/locations/:id/qr.${format} draws)`,
          params: LocationParams,
          response: {
            200: z.any().meta({ description: `image/${format === 'svg' ? 'svg+xml' : 'png'}` }),
            303: redirect('Not signed in'),
            404: htmlPage('No such location'),
          },
        },
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = memberOf(request);
        const location = await getLocation(ctx.database, session.workspace.workspaceId, request.params.id);
        if (!location) throw AppError.notFound(`Location ${request.params.id}`);
        const qr = await renderQr(
          locationLinks(location, ctx.config.PUBLIC_URL).url,
          qrOptionsSchema.parse({ format }),
        );
        return reply.type(qr.contentType).header('cache-control', 'private, max-age=300').send(qr.body);
      },
    );
  }
}
