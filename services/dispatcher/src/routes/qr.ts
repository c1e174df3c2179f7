// /v1/invitations (by hand; QR on receipts and parcels, printable) and /v1/locations (permanent codes in shops).
import {
  type AppContext,
  AppError,
  createDirectInvitation,
  createLocation,
  getLocation,
  html,
  listLocations,
  printableInvitations,
  qrOptionsSchema,
  raw,
  renderQr,
  schema,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idParam } from './surveys.ts';

const createInvitationSchema = z.object({
  channel: z.enum(schema.channels),
  surveyId: z.uuid('must be a UUID'),
  /** The producer's id of the event the answer belongs to, e.g. the order.created of the receipt. */
  eventId: z.string().min(1).max(200),
});

const createLocationSchema = z.object({
  surveyId: z.uuid('must be a UUID'),
  name: z.string().trim().min(1).max(200),
  deviceLimitHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  properties: z.record(z.string(), z.unknown()).default({}),
});

const imageQuery = qrOptionsSchema.omit({ format: true });
const sheetQuery = z.object({
  ids: z
    .string({ error: 'is required: comma-separated invitation ids' })
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.uuid('must be a list of UUIDs')).min(1).max(500)),
});

export function qrRoutes(app: FastifyInstance, ctx: AppContext) {
  const { config } = ctx;
  const tokenOptions = { secret: config.SECRET_KEY, tokenTtlDays: config.TOKEN_TTL_DAYS };
  const surveyUrl = (token: string) => `${config.PUBLIC_URL}/s/${token}`;
  const locationUrl = (code: string) => `${config.PUBLIC_URL}/l/${code}`;

  /** The invitation's printable link (issued now if it is the first print). */
  async function printable(workspaceId: string, id: string) {
    const [invitation] = await printableInvitations(
      ctx.database,
      workspaceId,
      [id],
      ctx.clock.now(),
      tokenOptions,
    );
    if (!invitation) throw AppError.notFound(`Invitation ${id}`);
    return invitation;
  }

  const printableOf = (request: FastifyRequest) =>
    printable(request.workspaceId, parseInput(idParam, request.params).id);

  app.post('/v1/invitations', async (request, reply) => {
    const input = parseInput(createInvitationSchema, request.body);
    const { id, created } = await createDirectInvitation(ctx.database, request.workspaceId, input);
    if (input.channel !== 'qr') {
      return reply.status(created ? 201 : 200).send({ id, channel: input.channel, eventId: input.eventId });
    }
    return reply.status(created ? 201 : 200).send(invitationView(await printable(request.workspaceId, id)));
  });

  // Registered before /:id so "qr-sheet" is never read as an id.
  app.get('/v1/invitations/qr-sheet', async (request, reply) => {
    const { ids } = parseInput(sheetQuery, request.query);
    const invitations = await printableInvitations(
      ctx.database,
      request.workspaceId,
      ids,
      ctx.clock.now(),
      tokenOptions,
    );
    const codes = await Promise.all(
      invitations.map(async (i) => ({
        label: i.eventId ?? i.id,
        svg: (await renderQr(surveyUrl(i.token), { format: 'svg', size: 180, margin: 2, ecl: 'M' }))
          .body as string,
      })),
    );
    return reply.type('text/html; charset=utf-8').send(qrSheet(codes));
  });

  app.get('/v1/invitations/:id', async (request) => invitationView(await printableOf(request)));

  for (const format of ['svg', 'png'] as const) {
    app.get(`/v1/invitations/:id/qr.${format}`, async (request, reply) => {
      const options = parseInput(imageQuery, request.query);
      const invitation = await printableOf(request);
      return image(reply, await renderQr(surveyUrl(invitation.token), { ...options, format }));
    });
    app.get(`/v1/locations/:id/qr.${format}`, async (request, reply) => {
      const options = parseInput(imageQuery, request.query);
      const location = await findLocation(request);
      return image(reply, await renderQr(locationUrl(location.code), { ...options, format }));
    });
  }

  async function findLocation(request: FastifyRequest) {
    const { id } = parseInput(idParam, request.params);
    const location = await getLocation(ctx.database, request.workspaceId, id);
    if (!location) throw AppError.notFound(`Location ${id}`);
    return location;
  }

  app.post('/v1/locations', async (request, reply) => {
    const input = parseInput(createLocationSchema, request.body);
    return reply
      .status(201)
      .send(locationView(await createLocation(ctx.database, request.workspaceId, input)));
  });
  app.get('/v1/locations', async (request) => ({
    data: (await listLocations(ctx.database, request.workspaceId)).map(locationView),
  }));
  app.get('/v1/locations/:id', async (request) => locationView(await findLocation(request)));

  function invitationView(i: Awaited<ReturnType<typeof printableInvitations>>[number]) {
    const base = `/v1/invitations/${i.id}`;
    return {
      id: i.id,
      channel: 'qr',
      status: i.status,
      eventId: i.eventId,
      url: surveyUrl(i.token),
      expiresAt: i.expiresAt,
      qr: { svg: `${base}/qr.svg`, png: `${base}/qr.png` },
    };
  }

  function locationView(l: Awaited<ReturnType<typeof listLocations>>[number]) {
    const base = `/v1/locations/${l.id}`;
    return {
      id: l.id,
      name: l.name,
      surveyId: l.surveyId,
      code: l.code,
      url: locationUrl(l.code),
      deviceLimitHours: l.deviceLimitHours,
      properties: l.properties,
      createdAt: l.createdAt,
      qr: { svg: `${base}/qr.svg`, png: `${base}/qr.png` },
    };
  }
}

function image(reply: FastifyReply, qr: Awaited<ReturnType<typeof renderQr>>) {
  // The code holds a survey credential: keep it out of shared caches.
  return reply.type(qr.contentType).header('cache-control', 'private, max-age=3600').send(qr.body);
}

/** A print run on A4: labelled codes in a grid that survives the printer's margins, cut lines dashed. */
function qrSheet(codes: { label: string; svg: string }[]): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QR codes (${String(codes.length)})</title>
<style>
@page { size: A4; margin: 10mm; }
body { font: 12px/1.4 system-ui, sans-serif; margin: 0; color: #111; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0; }
figure { margin: 0; padding: 6mm 4mm; text-align: center; border: 1px dashed #bbb; break-inside: avoid; }
figure svg { width: 45mm; height: 45mm; }
figcaption { margin-top: 2mm; font-family: ui-monospace, monospace; word-break: break-all; }
</style></head>
<body><div class="grid">${codes.map((c) => html`<figure>${raw(c.svg)}<figcaption>${c.label}</figcaption></figure>`)}</div></body></html>`.toString();
}
