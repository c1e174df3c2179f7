// Connectors (/app/connectors): list and create (the address, where to paste it, the secret shown once), one connector's deliveries, its JSON mapping and "test this payload" — core's use cases, checked on the server.
import {
  type AppContext,
  AppError,
  connectorView,
  createConnector,
  getConnector,
  listConnectorDeliveries,
  listConnectors,
  parsePayload,
  schema,
  testConnectorPayload,
  updateConnector,
} from '@surveyflow/core';
import { connectorEvent, type HttpApp, text, uuid } from '@surveyflow/http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { connectorPage, connectorsPage, type TestOutcome } from '../pages/connectors.tsx';
import { t } from '../pages/connectors.words.ts';
import { localeOf, type Member, memberWith, needSession } from '../scope.ts';
import { csrfField, formErrors, htmlPage, redirect } from './shapes.ts';

/** An empty form field is an absent one. */
const blank = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), s.optional());

const MappingForm = {
  expression: blank(z.string().max(5000)),
  signatureHeader: blank(
    z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be an HTTP header name such as X-Signature'),
  ),
  signatureAlgorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
  signatureEncoding: z.enum(['hex', 'base64']).default('hex'),
  signaturePrefix: blank(z.string().max(20)),
  deliveryIdHeader: blank(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be an HTTP header name')),
};
const CreateBody = z.object({
  kind: z.enum(schema.connectorKinds),
  name: text(100).trim().min(1, 'must not be empty'),
  secret: blank(z.string().min(8, 'must be at least 8 characters').max(500)),
  ...MappingForm,
  ...csrfField,
});
const MappingBody = z.object({ ...MappingForm, ...csrfField });
const TestBody = z.object({
  payload: z.string().min(1).max(200_000),
  topic: blank(z.string().max(100)),
  ...csrfField,
});
const Params = z.object({ connectorId: uuid });
const DetailQuery = z.object({ done: z.enum(['mapping']).optional().catch(undefined) });

const manager = (request: FastifyRequest) => memberWith(request, 'connectors.manage', 'manage connectors');

function jsonSettings(f: z.output<typeof MappingBody>): schema.JsonConnectorSettings | undefined {
  if (!f.expression) return undefined;
  return {
    expression: f.expression,
    ...(f.deliveryIdHeader ? { deliveryIdHeader: f.deliveryIdHeader } : {}),
    ...(f.signatureHeader
      ? {
          signature: {
            header: f.signatureHeader,
            algorithm: f.signatureAlgorithm,
            encoding: f.signatureEncoding,
            ...(f.signaturePrefix ? { prefix: f.signaturePrefix } : {}),
          },
        }
      : {}),
  };
}

export function connectorRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const secretKey = () => ctx.config.SECRET_KEY ?? '';
  const view = (c: Parameters<typeof connectorView>[0]) => connectorView(c, ctx.config.PUBLIC_URL);
  const list = async (s: Member) => (await listConnectors(ctx.database, s.workspace.workspaceId)).map(view);
  const one = async (s: Member, id: string) => {
    const c = await getConnector(ctx.database, s.workspace.workspaceId, id);
    if (!c) throw AppError.notFound(`Connector ${id}`);
    return c;
  };
  const deliveries = async (s: Member, id: string) =>
    (await listConnectorDeliveries(ctx.database, s.workspace.workspaceId, id, { limit: 50 })) ?? [];
  // The preview checks the event exactly as a real delivery (and POST /v1/events) does.
  const toEvent = connectorEvent(() => ctx.clock.now());

  app.get(
    '/app/connectors',
    {
      schema: {
        tags,
        summary: 'Connectors: the list and the form to create one (admins and owners)',
        response: {
          200: htmlPage('The connectors page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      return reply.type('text/html; charset=utf-8').send(
        connectorsPage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          connectors: await list(session),
        }),
      );
    },
  );

  app.post(
    '/app/connectors',
    {
      schema: {
        tags,
        summary: 'Creates a connector; the answer shows its address, where to paste it, and the secret once',
        consumes: ['application/x-www-form-urlencoded'],
        body: CreateBody,
        response: {
          200: htmlPage('The connectors page with the new connector, its secret shown once'),
          ...formErrors,
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const { kind, name, secret } = request.body;
      const json = kind === 'json' ? jsonSettings(request.body) : undefined;
      const { connector, secret: shown } = await createConnector(
        ctx.database,
        session.workspace.workspaceId,
        { kind, name, ...(secret ? { secret } : {}), ...(json ? { json } : {}) },
        secretKey(),
      );
      // A page with a secret on it is not kept by the browser or anything between: every /app answer is no-store (scope.ts).
      return reply.type('text/html; charset=utf-8').send(
        connectorsPage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          connectors: await list(session),
          created: { connector: view(connector), secret: shown },
        }),
      );
    },
  );

  app.get(
    '/app/connectors/:connectorId',
    {
      schema: {
        tags,
        summary:
          'One connector: its address, the last deliveries and what became of each, its mapping, the payload test',
        params: Params,
        querystring: DetailQuery,
        response: {
          200: htmlPage('The connector page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
          404: htmlPage('No such connector'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const locale = localeOf(request);
      const c = await one(session, request.params.connectorId);
      return reply.type('text/html; charset=utf-8').send(
        connectorPage({
          locale,
          session,
          csrf: reply.generateCsrf(),
          connector: view(c),
          deliveries: await deliveries(session, c.id),
          notice: request.query.done === 'mapping' ? t(locale, 'mappingSaved') : undefined,
        }),
      );
    },
  );

  app.post(
    '/app/connectors/:connectorId/mapping',
    {
      schema: {
        tags,
        summary: "Saves a JSON connector's mapping and signature check",
        consumes: ['application/x-www-form-urlencoded'],
        params: Params,
        body: MappingBody,
        response: {
          303: redirect('Back to the connector'),
          ...formErrors,
          404: htmlPage('No such connector'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const json = jsonSettings(request.body);
      if (!json) throw AppError.validation([{ field: 'expression', message: 'must not be empty' }]);
      await updateConnector(
        ctx.database,
        session.workspace.workspaceId,
        request.params.connectorId,
        { json },
        secretKey(),
        ctx.clock.now(),
      );
      return reply.redirect(`/app/connectors/${request.params.connectorId}?done=mapping`, 303);
    },
  );

  app.post(
    '/app/connectors/:connectorId/test',
    {
      schema: {
        tags,
        summary: 'Test this payload: the event it would make, or which field is missing (stores nothing)',
        consumes: ['application/x-www-form-urlencoded'],
        params: Params,
        body: TestBody,
        response: {
          200: htmlPage('The connector page with the result'),
          ...formErrors,
          404: htmlPage('No such connector'),
        },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const c = await one(session, request.params.connectorId);
      const { payload, topic } = request.body;
      let result: TestOutcome;
      try {
        result = await testConnectorPayload(
          ctx.database,
          c,
          { payload: parsePayload(payload), topic },
          toEvent,
        );
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        result = { outcome: 'bad_json', reason: err.message };
      }
      return reply.type('text/html; charset=utf-8').send(
        connectorPage({
          locale: localeOf(request),
          session,
          csrf: reply.generateCsrf(),
          connector: view(c),
          deliveries: await deliveries(session, c.id),
          test: { payload, topic: topic ?? '', result },
        }),
      );
    },
  );
}
