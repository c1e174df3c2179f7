// /v1/contacts and /v1/stats/skips: who the customers are, why each was or was not asked; correcting, unsubscribing and erasing a contact.
import {
  type AppContext,
  AppError,
  contactByExternalId,
  contactHistory,
  contactView,
  eraseContact,
  listContacts,
  optInContact,
  optOutContact,
  skipReasons,
  skipStats,
  updateContact,
} from '@surveyflow/core';
import { ErrorBody, errors, type HttpApp, pageFrom } from '@surveyflow/http';
import { z } from 'zod';
import { actorOf } from '../auth.ts';
import {
  ContactHistory,
  ContactListQuery,
  ContactPage,
  OptOutResult,
  PeriodQuery,
  SkipStats,
} from '../schemas/contacts.ts';
import { ContactChanges, ContactParams } from '../schemas/events.ts';

const tags = ['contacts'];
const security = [{ apiKey: [] }];

export function contactRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/contacts',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List contacts, newest first',
        description:
          "Search with `q` (a prefix of the producer's id, the email or the phone), filter by `optedOut`.",
        querystring: ContactListQuery,
        response: { 200: ContactPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const rows = await listContacts(ctx.database, request.workspaceId, { ...filter, after: cursor });
      return pageFrom(
        rows,
        filter.limit,
        ({ contact: c }) => ({ ...contactView(c), createdAt: c.createdAt }),
        (r) => ({ at: r.cursorAt, id: r.contact.id }),
      );
    },
  );

  app.get(
    '/v1/contacts/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'A contact, its invitations, and when the throttles allow another',
        params: ContactParams,
        response: { 200: ContactHistory, ...errors },
      },
    },
    async (request) => {
      const view = await contactHistory(
        ctx.database,
        request.workspaceId,
        request.params.id,
        ctx.clock.now(),
      );
      if (!view) throw AppError.notFound(`Contact ${request.params.id}`);
      return view;
    },
  );

  // The API path of opting out: honoured at once, like the link in every email.
  app.post(
    '/v1/contacts/:id/unsubscribe',
    {
      config: { permission: 'contacts.write', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Opt a contact out at once',
        description: 'Waiting invitations are cancelled and reminders stop.',
        params: ContactParams,
        response: { 200: OptOutResult, ...errors },
      },
    },
    async (request) => {
      const contact = await contactByExternalId(ctx.database, request.workspaceId, request.params.id);
      if (!contact) throw AppError.notFound(`Contact ${request.params.id}`);
      const changed = await optOutContact(ctx.database, contact.id, ctx.clock.now(), 'api');
      return { id: request.params.id, optedOut: true, alreadyOptedOut: !changed };
    },
  );

  app.post(
    '/v1/contacts/:id/resubscribe',
    {
      config: { permission: 'contacts.write', noBody: true },
      schema: {
        tags,
        security,
        summary: 'Opt a contact back in',
        params: ContactParams,
        response: { 200: OptOutResult, ...errors },
      },
    },
    async (request) => {
      const contact = await contactByExternalId(ctx.database, request.workspaceId, request.params.id);
      if (!contact) throw AppError.notFound(`Contact ${request.params.id}`);
      await optInContact(ctx.database, contact.id, ctx.clock.now());
      return { id: request.params.id, optedOut: false };
    },
  );

  app.patch(
    '/v1/contacts/:id',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags,
        security,
        summary: "Correct a contact's details",
        description: 'null clears a field; a new email clears a bounce.',
        params: ContactParams,
        body: ContactChanges,
        response: { 200: ContactHistory, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const now = ctx.clock.now();
      const updated = await updateContact(ctx.database, request.workspaceId, id, request.body, now);
      if (!updated) throw AppError.notFound(`Contact ${id}`);
      const view = await contactHistory(ctx.database, request.workspaceId, id, now);
      if (!view) throw AppError.notFound(`Contact ${id}`);
      return view;
    },
  );

  // The right to erasure: identifying data goes, anonymous scores stay, the person is never asked again.
  app.delete(
    '/v1/contacts/:id',
    {
      config: { permission: 'contacts.erase' },
      schema: {
        tags,
        security,
        summary: 'Erase a contact (right to erasure)',
        description:
          "Addresses, name, properties, comments and what alerts, webhooks and case histories quoted are wiped; the anonymous score stays in the metrics and the producer's id stays as an opt-out.",
        params: ContactParams,
        response: { 204: z.null().meta({ description: 'erased' }), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (
        !(await eraseContact(
          ctx.database,
          request.workspaceId,
          request.params.id,
          ctx.clock.now(),
          actorOf(request),
        ))
      ) {
        throw AppError.notFound(`Contact ${request.params.id}`);
      }
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/stats/skips',
    {
      config: { permission: 'data.read' },
      schema: {
        tags: ['metrics'],
        security,
        summary: 'Skipped events counted per trigger and reason',
        querystring: PeriodQuery,
        response: { 200: SkipStats, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const period = request.query;
      const rows = await skipStats(ctx.database, request.workspaceId, period);
      return {
        from: period.from ?? null,
        to: period.to ?? null,
        data: rows.map((r) => ({
          trigger: r.triggerId ? { id: r.triggerId, name: r.triggerName } : null,
          reason: r.reason,
          explanation: r.reason ? (skipReasons[r.reason as keyof typeof skipReasons] ?? null) : null,
          count: r.count,
        })),
      };
    },
  );
}
