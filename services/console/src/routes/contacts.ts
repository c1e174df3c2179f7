// Contacts in the console (/app/contacts): search, one contact's story, opting out and back in, erasure behind a
// confirmation — the same core use cases as /v1/contacts (listContacts, contactHistory, optOutContact, optInContact, eraseContact).
import {
  type AppContext,
  AppError,
  contactAnswers,
  contactByExternalId,
  contactHistory,
  contactView,
  eraseContact,
  erasureScope,
  listContacts,
  listEvents,
  listSurveys,
  optInContact,
  optOutContact,
  type Permission,
  roleAllows,
} from '@surveyflow/core';
import { type HttpApp, keysetCursor, pageFrom, text } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contactPage, contactsPage, erasePage } from '../pages/contacts.tsx';
import { t } from '../pages/contacts.words.ts';
import { actorOf, localeOf, type Member, memberWith, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, formPost, htmlPage, redirect } from './shapes.ts';

const PAGE = 25;

const SearchQuery = z.object({
  q: text(200)
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  cursor: keysetCursor.schema.optional(),
  done: z.enum(['erased']).optional().catch(undefined),
  id: text(200).optional().catch(undefined),
});
const ContactParams = z.object({ id: text(200).trim().min(1) });
const ContactQuery = z.object({
  cursor: keysetCursor.schema.optional(),
  done: z.enum(['unsubscribed', 'already', 'resubscribed']).optional().catch(undefined),
});
const EraseBody = z.object({ confirm: text(200).trim().optional(), ...csrfField });

/** The operator in their workspace, holding `permission` (data.read to look; contacts.write, contacts.erase to change). */
const allowed = (request: FastifyRequest, permission: Permission) => memberWith(request, permission);

const html = (reply: FastifyReply) => reply.type('text/html; charset=utf-8');
const contactHref = (id: string) => `/app/contacts/${encodeURIComponent(id)}`;

export function contactRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const forms = {
    303: redirect('Back to the contact, with a notice'),
    ...formErrors,
    404: htmlPage('No such contact'),
  };

  const found = async (s: Member, id: string) => {
    const contact = await contactByExternalId(ctx.database, s.workspace.workspaceId, id);
    if (!contact) throw AppError.notFound(`Contact ${id}`);
    return contact;
  };

  app.get(
    '/app/contacts',
    {
      schema: {
        tags,
        summary: 'Contacts, newest first, or those whose id, email or phone starts with q',
        querystring: SearchQuery,
        response: { 200: htmlPage('The contacts'), 303: redirect('Not signed in'), ...formErrors },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'data.read');
      const { q, cursor, done, id } = request.query;
      const rows = await listContacts(ctx.database, session.workspace.workspaceId, {
        q,
        limit: PAGE,
        after: cursor,
      });
      const page = pageFrom(
        rows,
        PAGE,
        ({ contact: c }) => ({ ...contactView(c), createdAt: c.createdAt, erased: c.erasedAt !== null }),
        (r) => ({ at: r.cursorAt, id: r.contact.id }),
      );
      const locale = localeOf(request);
      return html(reply).send(
        contactsPage({
          locale,
          session,
          q,
          rows: page.data,
          next: page.next,
          cursor: cursor ? keysetCursor.encode(cursor) : undefined,
          notice: done === 'erased' ? t(locale, 'doneErased', { id: id ?? '' }) : undefined,
          publicUrl: ctx.config.PUBLIC_URL,
        }),
      );
    },
  );

  app.get(
    '/app/contacts/:id',
    {
      schema: {
        tags,
        summary:
          'A contact: details, opt-out state, invitations and why some were not sent, events, answers, cases',
        params: ContactParams,
        querystring: ContactQuery,
        response: {
          200: htmlPage('The contact'),
          303: redirect('Not signed in'),
          ...formErrors,
          404: htmlPage('No such contact'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'data.read');
      const { workspaceId } = session.workspace;
      const { id } = request.params;
      const { cursor, done } = request.query;
      const [contact, history] = await Promise.all([
        found(session, id),
        contactHistory(ctx.database, workspaceId, id, ctx.clock.now()),
      ]);
      if (!history) throw AppError.notFound(`Contact ${id}`);
      const [events, answers, surveys] = await Promise.all([
        listEvents(ctx.database, workspaceId, { contact: id, limit: PAGE, after: cursor }),
        contactAnswers(ctx.database, workspaceId, contact.id),
        listSurveys(ctx.database, workspaceId),
      ]);
      const page = pageFrom(
        events,
        PAGE,
        (e) => e,
        (e) => ({ at: e.cursorAt, id: e.rowId }),
      );
      const locale = localeOf(request);
      const notices = {
        unsubscribed: 'doneUnsubscribed',
        already: 'doneAlready',
        resubscribed: 'doneResubscribed',
      } as const;
      const { role } = session.workspace;
      return html(reply).send(
        contactPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          contact: {
            ...history,
            optedOutVia: contact.optedOutVia,
            emailBouncedAt: contact.emailBouncedAt,
            erasedAt: contact.erasedAt,
          },
          surveys: new Map(surveys.map((s) => [s.id, s.name])),
          events: page.data,
          eventsNext: page.next,
          cursor: cursor ? keysetCursor.encode(cursor) : undefined,
          answers,
          canWrite: roleAllows(role, 'contacts.write'),
          canErase: roleAllows(role, 'contacts.erase'),
          notice: done ? t(locale, notices[done]) : undefined,
        }),
      );
    },
  );

  app.post(
    '/app/contacts/:id/unsubscribe',
    formPost(app, signedIn, {
      summary: 'Opts the contact out at once (waiting invitations cancelled, reminders stopped)',
      params: ContactParams,
      body: FormOnly,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'contacts.write');
      const contact = await found(session, request.params.id);
      const changed = await optOutContact(ctx.database, contact.id, ctx.clock.now(), 'console');
      return reply.redirect(
        `${contactHref(request.params.id)}?done=${changed ? 'unsubscribed' : 'already'}`,
        303,
      );
    },
  );

  app.post(
    '/app/contacts/:id/resubscribe',
    formPost(app, signedIn, {
      summary: 'Opts the contact back in (cancelled invitations stay cancelled)',
      params: ContactParams,
      body: FormOnly,
      response: forms,
    }),
    async (request, reply) => {
      const session = allowed(request, 'contacts.write');
      const contact = await found(session, request.params.id);
      if (contact.erasedAt)
        throw AppError.conflict(`Contact ${request.params.id} was erased and stays opted out`);
      await optInContact(ctx.database, contact.id, ctx.clock.now());
      return reply.redirect(`${contactHref(request.params.id)}?done=resubscribed`, 303);
    },
  );

  app.get(
    '/app/contacts/:id/erase',
    {
      schema: {
        tags,
        summary: 'The erasure’s confirmation: what goes, what stays; erases nothing',
        params: ContactParams,
        response: {
          200: htmlPage('The confirmation'),
          303: redirect('Not signed in'),
          ...formErrors,
          404: htmlPage('No such contact'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = allowed(request, 'contacts.erase');
      const contact = await found(session, request.params.id);
      return html(reply).send(
        erasePage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          contact: contactView(contact),
          scope: await erasureScope(ctx.database, session.workspace.workspaceId, contact.id),
        }),
      );
    },
  );

  app.post(
    '/app/contacts/:id/erase',
    formPost(app, signedIn, {
      summary: 'Erases the contact (right to erasure) once `confirm` repeats its id',
      params: ContactParams,
      body: EraseBody,
      response: { ...forms, 303: redirect('To the contacts, with a notice') },
    }),
    async (request, reply) => {
      const session = allowed(request, 'contacts.erase');
      const { id } = request.params;
      await found(session, id);
      if (request.body.confirm !== id) {
        throw AppError.validation([
          { field: 'confirm', message: `must repeat the contact's id (${id}) to erase it` },
        ]);
      }
      await eraseContact(ctx.database, session.workspace.workspaceId, id, ctx.clock.now(), actorOf(session));
      return reply.redirect(`/app/contacts?done=erased&id=${encodeURIComponent(id)}`, 303);
    },
  );
}
