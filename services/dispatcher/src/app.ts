// The dispatcher as a Fastify plugin: the authenticated /v1 API for backends and operators, and its index.

import multipart from '@fastify/multipart';
import { type AppContext, tenantDatabase } from '@surveyflow/core';
import { zodRoutes } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerAuth } from './auth.ts';
import { keepRawJson } from './raw-json.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { caseRoutes } from './routes/cases.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { hookRoutes, keepRawForm } from './routes/hooks.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { locationRoutes } from './routes/locations.ts';
import { memberRoutes } from './routes/members.ts';
import { metricRoutes } from './routes/metrics.ts';
import { publishableKeyRoutes } from './routes/publishable-keys.ts';
import { responseRoutes } from './routes/responses.ts';
import { sendRoutes } from './routes/sends.ts';
import { surveyRoutes } from './routes/surveys.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { workspaceRoutes } from './routes/workspace.ts';
import { workspacesRoutes } from './routes/workspaces.ts';

export const API_VERSION = '1.0.0';

export function dispatcher(ctx: AppContext) {
  return async function dispatcherPlugin(app: FastifyInstance) {
    zodRoutes(app).get(
      '/v1',
      {
        schema: {
          tags: ['health'],
          summary: 'What this API is and where its reference lives (no key needed)',
          response: {
            200: z.object({ name: z.string(), version: z.string(), docs: z.string(), openapi: z.string() }),
          },
        },
      },
      async () => ({
        name: 'Surveyflow API',
        version: API_VERSION,
        docs: `${ctx.config.PUBLIC_URL}/docs`,
        openapi: `${ctx.config.PUBLIC_URL}/openapi.json`,
      }),
    );
    // Encapsulated: the auth hook covers only what is registered inside this plugin.
    await app.register(async (plugin) => {
      keepRawJson(plugin);
      // Forms with a file (a list send's CSV); read as a stream by the route that takes one.
      await plugin.register(multipart);
      // Reads run in their workspace's transaction under row-level security (store/tenant.ts); routes
      // see the same AppContext, with a database that follows that transaction.
      const tenants = tenantDatabase(ctx.database);
      const auth = registerAuth(plugin, ctx, tenants.run);
      const api = zodRoutes(plugin);
      const scoped: AppContext = { ...ctx, database: tenants.database };
      eventRoutes(api, scoped);
      surveyRoutes(api, scoped);
      triggerRoutes(api, scoped);
      responseRoutes(api, scoped);
      metricRoutes(api, scoped);
      workspaceRoutes(api, scoped, auth.forget);
      contactRoutes(api, scoped);
      invitationRoutes(api, scoped);
      locationRoutes(api, scoped);
      caseRoutes(api, scoped);
      webhookRoutes(api, scoped);
      apiKeyRoutes(api, scoped, auth.forget);
      publishableKeyRoutes(api, scoped);
      workspacesRoutes(api, scoped);
      auditRoutes(api, scoped);
      memberRoutes(api, scoped);
      connectorRoutes(api, scoped);
      sendRoutes(api, scoped);
    });
    // Platforms' webhooks: outside the API key's reach (their signature authenticates them), same raw-body handling.
    await app.register(async (plugin) => {
      keepRawJson(plugin);
      const hooks = zodRoutes(plugin);
      keepRawForm(hooks);
      hookRoutes(hooks, ctx);
    });
  };
}
