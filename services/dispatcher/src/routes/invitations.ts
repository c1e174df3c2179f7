// /v1/invitations: invitations by hand, the list of all of them, and QR codes to print on receipts and parcels.
import {
  type AppContext,
  AppError,
  createDirectInvitation,
  html,
  listInvitations,
  printableInvitations,
  raw,
  renderQr,
  resendInvitation,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, IdParams, pageFrom } from '@surveyflow/http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  binary,
  DirectInvitation,
  InvitationInput,
  InvitationListQuery,
  InvitationPage,
  PrintableInvitation,
  QrImageQuery,
  QrSheetQuery,
  ResentInvitation,
} from '../schemas/invitations.ts';

const tags = ['invitations'];
const security = [{ apiKey: [] }];

export function invitationRoutes(app: HttpApp, ctx: AppContext) {
  const { config } = ctx;
  const tokenOptions = { secret: config.SECRET_KEY, tokenTtlDays: config.TOKEN_TTL_DAYS };
  const surveyUrl = (token: string) => `${config.PUBLIC_URL}/s/${token}`;

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

  function invitationView(i: Awaited<ReturnType<typeof printableInvitations>>[number]) {
    const base = `/v1/invitations/${i.id}`;
    return {
      id: i.id,
      channel: 'qr' as const,
      status: i.status,
      eventId: i.eventId,
      url: surveyUrl(i.token),
      expiresAt: i.expiresAt,
      qr: { svg: `${base}/qr.svg`, png: `${base}/qr.png` },
    };
  }

  app.post(
    '/v1/invitations',
    {
      config: { permission: 'invitations.send' },
      schema: {
        tags,
        security,
        summary: "Invite an event's contact by hand",
        description:
          'Once per event, survey and channel (no throttle): 201 when made now, 200 when it existed. For `qr` the answer has the link and the image URLs.',
        body: InvitationInput,
        response: {
          200: z.union([PrintableInvitation, DirectInvitation]),
          201: z.union([PrintableInvitation, DirectInvitation]),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const { id, created } = await createDirectInvitation(ctx.database, request.workspaceId, input);
      const status = created ? 201 : 200;
      if (input.channel !== 'qr')
        return reply.status(status).send({ id, channel: input.channel, eventId: input.eventId });
      return reply.status(status).send(invitationView(await printable(request.workspaceId, id)));
    },
  );

  app.get(
    '/v1/invitations',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List invitations, newest first',
        description: 'Filter by survey, channel, status and creation time; page with `cursor`.',
        querystring: InvitationListQuery,
        response: { 200: InvitationPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const rows = await listInvitations(ctx.database, request.workspaceId, { ...filter, after: cursor });
      return pageFrom(
        rows,
        filter.limit,
        ({ invitation: i, contactExternalId, eventExternalId }) => ({
          ...i,
          contact: { id: contactExternalId },
          event: eventExternalId,
        }),
        (r) => ({ at: r.cursorAt, id: r.invitation.id }),
      );
    },
  );

  // Registered before /:id so "qr-sheet" is never read as an id.
  app.get(
    '/v1/invitations/qr-sheet',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'A printable A4 page of up to 500 labelled codes',
        querystring: QrSheetQuery,
        produces: ['text/html'],
        response: { 200: binary('an HTML page to print'), ...errors },
      },
    },
    async (request, reply) => {
      const invitations = await printableInvitations(
        ctx.database,
        request.workspaceId,
        request.query.ids,
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
    },
  );

  app.get(
    '/v1/invitations/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: "A QR invitation's link (issued on first print, the same ever after)",
        params: IdParams,
        response: { 200: PrintableInvitation, ...errors },
      },
    },
    async (request) => invitationView(await printable(request.workspaceId, request.params.id)),
  );

  app.post(
    '/v1/invitations/:id/resend',
    {
      config: { permission: 'invitations.send', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Send an interrupted invitation again (may duplicate)',
        description:
          'For an invitation whose sender stopped inside the provider call (`interrupted`: it may or may not have arrived) or that gave up on transient errors (`failed`, reason `gave up …`): queues it once more, with the same link. An interrupted one may already be in the inbox, so the contact may get it twice. 409 for an invitation in any other state.',
        params: IdParams,
        response: { 202: ResentInvitation, 409: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const resent = await resendInvitation(ctx.database, request.workspaceId, id, ctx.clock.now());
      if (resent === null) throw AppError.notFound(`Invitation ${id}`);
      if (resent === false || resent.channel === 'qr' || resent.channel === 'widget')
        throw AppError.conflict(`Invitation ${id} is not interrupted or given up: nothing to resend`);
      await ctx.queues.addInvitationSends([resent], { again: true });
      return reply.status(202).send({ id: resent.id, channel: resent.channel, status: 'queued' as const });
    },
  );

  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/v1/invitations/:id/qr.${format}`,
      {
        config: { permission: 'data.read' },
        schema: {
          tags,
          security,
          summary: `The invitation's QR code as ${format.toUpperCase()}`,
          description: 'size 64–2048 px, margin 0–16 modules, error correction L/M/Q/H',
          params: IdParams,
          querystring: QrImageQuery,
          response: { 200: binary(`image/${format === 'svg' ? 'svg+xml' : 'png'}`), ...errors },
        },
      },
      async (request, reply) => {
        const invitation = await printable(request.workspaceId, request.params.id);
        return qrImage(reply, await renderQr(surveyUrl(invitation.token), { ...request.query, format }));
      },
    );
  }
}

export function qrImage(reply: FastifyReply, qr: Awaited<ReturnType<typeof renderQr>>) {
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
