// The dispatcher as a Fastify plugin: the authenticated /v1 API for backends and operators.
import type { AppContext } from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import { registerAuth } from './auth.ts';
import { keepRawJson } from './raw-json.ts';
import { caseRoutes } from './routes/cases.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { metricRoutes } from './routes/metrics.ts';
import { qrRoutes } from './routes/qr.ts';
import { responseRoutes } from './routes/responses.ts';
import { surveyRoutes } from './routes/surveys.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { workspaceRoutes } from './routes/workspace.ts';

export function dispatcher(ctx: AppContext) {
  return async function dispatcherPlugin(app: FastifyInstance) {
    // Encapsulated: the auth hook covers only what is registered inside this plugin.
    await app.register(async (api) => {
      keepRawJson(api);
      const auth = registerAuth(api, ctx);
      eventRoutes(api, ctx);
      surveyRoutes(api, ctx);
      triggerRoutes(api, ctx);
      responseRoutes(api, ctx);
      metricRoutes(api, ctx);
      workspaceRoutes(api, ctx, auth.forget);
      contactRoutes(api, ctx);
      qrRoutes(api, ctx);
      caseRoutes(api, ctx);
      webhookRoutes(api, ctx);
    });
  };
}
