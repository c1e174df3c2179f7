// /v1/locations: permanent QR codes for a shop, desk or kiosk; anonymous answers tagged with the place.
import {
  type AppContext,
  AppError,
  createLocation,
  getLocation,
  listLocations,
  locationLinks,
  renderQr,
  updateLocation,
} from '@surveyflow/core';
import { errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import { binary, LocationInput, LocationPatch, LocationView, QrImageQuery } from '../schemas/invitations.ts';
import { qrImage } from './invitations.ts';

const tags = ['locations'];
const security = [{ apiKey: [] }];

export function locationRoutes(app: HttpApp, ctx: AppContext) {
  async function findLocation(workspaceId: string, id: string) {
    const location = await getLocation(ctx.database, workspaceId, id);
    if (!location) throw AppError.notFound(`Location ${id}`);
    return location;
  }

  function locationView(l: Awaited<ReturnType<typeof listLocations>>[number]) {
    const base = `/v1/locations/${l.id}`;
    return {
      ...l,
      ...locationLinks(l, ctx.config.PUBLIC_URL),
      qr: { svg: `${base}/qr.svg`, png: `${base}/qr.png` },
    };
  }

  app.post(
    '/v1/locations',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Create a permanent code for a place',
        description:
          'Anonymous answers tagged with the place, one per device per `deviceLimitHours` (default 24).',
        body: LocationInput,
        response: { 201: LocationView, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(locationView(await createLocation(ctx.database, request.workspaceId, request.body))),
  );

  app.get(
    '/v1/locations',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List locations',
        response: { 200: z.object({ data: z.array(LocationView) }), ...errors },
      },
    },
    async (request) => ({ data: (await listLocations(ctx.database, request.workspaceId)).map(locationView) }),
  );

  app.get(
    '/v1/locations/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'One location',
        params: IdParams,
        response: { 200: LocationView, ...errors },
      },
    },
    async (request) => locationView(await findLocation(request.workspaceId, request.params.id)),
  );

  app.patch(
    '/v1/locations/:id',
    {
      config: { permission: 'surveys.manage' },
      schema: {
        tags,
        security,
        summary: 'Change a location (name, device limit, kiosk mode)',
        description:
          'With `kiosk: true` the place gets a tablet page at `/k/:code` (`kioskUrl`): one customer after another, at most 12 new answers per device per 10 minutes.',
        params: IdParams,
        body: LocationPatch,
        response: { 200: LocationView, ...errors },
      },
    },
    async (request) => {
      const row = await updateLocation(
        ctx.database,
        request.workspaceId,
        request.params.id,
        request.body,
        actorOf(request),
      );
      if (!row) throw AppError.notFound(`Location ${request.params.id}`);
      return locationView(row);
    },
  );

  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/v1/locations/:id/qr.${format}`,
      {
        config: { permission: 'data.read' },
        schema: {
          tags,
          security,
          summary: `The location's QR code as ${format.toUpperCase()}`,
          params: IdParams,
          querystring: QrImageQuery,
          response: { 200: binary(`image/${format === 'svg' ? 'svg+xml' : 'png'}`), ...errors },
        },
      },
      async (request, reply) => {
        const location = await findLocation(request.workspaceId, request.params.id);
        return qrImage(
          reply,
          await renderQr(locationLinks(location, ctx.config.PUBLIC_URL).url, { ...request.query, format }),
        );
      },
    );
  }
}
