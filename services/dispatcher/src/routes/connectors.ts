// /v1/connectors: inbound connectors (Shopify, WooCommerce, Zendesk, any JSON) — create (secret shown once), change or rotate, remove, their deliveries, and "test this payload".
import {
  type AppContext,
  AppError,
  type ConnectorDelivery,
  connectorView,
  createConnector,
  deleteConnector,
  getConnector,
  listConnectorDeliveries,
  listConnectors,
  requirePublicUrl,
  testConnectorPayload,
  updateConnector,
} from '@surveyflow/core';
import { connectorEvent, ErrorBody, errors, type HttpApp, IdParams } from '@surveyflow/http';
import { z } from 'zod';

import {
  ConnectorChange,
  ConnectorCreated,
  ConnectorDeliveryLog,
  ConnectorInput,
  ConnectorTestInput,
  ConnectorTestResult,
  ConnectorView,
  DeliveriesQuery,
} from '../schemas/connectors.ts';

const tags = ['connectors'];
const security = [{ apiKey: [] }];

export function connectorRoutes(app: HttpApp, ctx: AppContext) {
  const view = (c: Parameters<typeof connectorView>[0]) => connectorView(c, ctx.config.PUBLIC_URL);
  const secretKey = () => {
    if (!ctx.config.SECRET_KEY) throw new Error('SECRET_KEY is not set');
    return ctx.config.SECRET_KEY;
  };
  const toEvent = connectorEvent(() => ctx.clock.now());

  app.post(
    '/v1/connectors',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'Create an inbound connector',
        description:
          "The answer carries the endpoint to paste into the platform (`endpoint`), where in its admin (`setup`), and the secret — shown only now. Shopify and Zendesk connectors take the platform's secret; WooCommerce gets one generated when none is given.",
        body: ConnectorInput,
        response: { 201: ConnectorCreated, ...errors },
      },
    },
    async (request, reply) => {
      if (request.body.zendeskApi)
        await requirePublicUrl(
          request.body.zendeskApi.url,
          'zendeskApi.url',
          ctx.config.OUTBOUND_ALLOW_PRIVATE,
        );
      const { connector, secret } = await createConnector(
        ctx.database,
        request.workspaceId,
        request.body,
        secretKey(),
      );
      return reply.status(201).send({ ...view(connector), secret });
    },
  );

  app.get(
    '/v1/connectors',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'List connectors',
        response: { 200: z.object({ data: z.array(ConnectorView) }), ...errors },
      },
    },
    async (request) => ({ data: (await listConnectors(ctx.database, request.workspaceId)).map(view) }),
  );

  app.get(
    '/v1/connectors/:id',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'One connector',
        params: IdParams,
        response: { 200: ConnectorView, ...errors },
      },
    },
    async (request) => {
      const connector = await getConnector(ctx.database, request.workspaceId, request.params.id);
      if (!connector) throw AppError.notFound(`Connector ${request.params.id}`);
      return view(connector);
    },
  );

  app.patch(
    '/v1/connectors/:id',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'Change a connector: name, mapping, Zendesk API, on/off, or rotate its secret',
        description: 'A new `secret` replaces the old one at once: set it in the platform first.',
        params: IdParams,
        body: ConnectorChange,
        response: { 200: ConnectorView, ...errors },
      },
    },
    async (request) => {
      if (request.body.zendeskApi)
        await requirePublicUrl(
          request.body.zendeskApi.url,
          'zendeskApi.url',
          ctx.config.OUTBOUND_ALLOW_PRIVATE,
        );
      const connector = await updateConnector(
        ctx.database,
        request.workspaceId,
        request.params.id,
        request.body,
        secretKey(),
        ctx.clock.now(),
      );
      return view(connector);
    },
  );

  app.delete(
    '/v1/connectors/:id',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'Remove a connector (its endpoint answers 404 from now on)',
        params: IdParams,
        response: { 204: z.null().meta({ description: 'removed' }), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await deleteConnector(ctx.database, request.workspaceId, request.params.id)))
        throw AppError.notFound(`Connector ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/connectors/:id/deliveries',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'The last deliveries and what became of each',
        description:
          'Newest first: accepted (with the event id), duplicate, ignored (a topic or status we do not map) or rejected (which field was missing). Requests with a wrong signature are refused with 401 and not logged.',
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: ConnectorDeliveryLog, ...errors },
      },
    },
    async (request) => {
      const rows = await listConnectorDeliveries(
        ctx.database,
        request.workspaceId,
        request.params.id,
        request.query,
      );
      if (!rows) throw AppError.notFound(`Connector ${request.params.id}`);
      const last: ConnectorDelivery | undefined = rows[rows.length - 1];
      return {
        data: rows.map(({ workspaceId: _w, connectorId: _c, ...d }) => d),
        next: rows.length === request.query.limit && last ? last.id : null,
      };
    },
  );

  app.post(
    '/v1/connectors/:id/test',
    {
      config: { permission: 'connectors.manage' },
      schema: {
        tags,
        security,
        summary: 'Test this payload: the event it would make, or which field is missing',
        description: 'Stores nothing and checks no signature. For Shopify and WooCommerce give the `topic`.',
        params: IdParams,
        body: ConnectorTestInput,
        response: { 200: ConnectorTestResult, ...errors },
      },
    },
    async (request) => {
      const connector = await getConnector(ctx.database, request.workspaceId, request.params.id);
      if (!connector) throw AppError.notFound(`Connector ${request.params.id}`);
      return testConnectorPayload(ctx.database, connector, request.body, toEvent);
    },
  );
}
