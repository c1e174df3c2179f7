// The console as a Fastify plugin at /app: the operators' web app, server-rendered pages that work without scripts (small own scripts only enhance).
import { type AppContext, errorBody } from '@surveyflow/core';
import { httpStatus, toAppError, wantsHtml, zodRoutes } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { errorText } from './error-words.ts';
import { say } from './i18n.ts';
import { errorPage } from './pages/sign-in.tsx';
import { caseRoutes } from './routes/cases.ts';
import { connectorRoutes } from './routes/connectors.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { homeRoutes } from './routes/home.ts';
import { keyRoutes } from './routes/keys.ts';
import { locationRoutes } from './routes/locations.ts';
import { responseRoutes } from './routes/responses.ts';
import { sendRoutes } from './routes/sends.ts';
import { settingsRoutes } from './routes/settings.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { surveyRoutes } from './routes/surveys.ts';
import { teamRoutes } from './routes/team.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { consoleScope, localeOf } from './scope.ts';

export function operatorConsole(ctx: AppContext) {
  return async function consolePlugin(app: FastifyInstance) {
    await app.register(async (scope) => {
      await consoleScope(scope, ctx);
      // The shell's mapping (toAppError, httpStatus), with pages in the operator's language for browsers.
      scope.setErrorHandler((err, request, reply) => {
        const mapped = toAppError(err);
        const status = httpStatus(mapped);
        if (status >= 500 && !ctx.outages.absorb(err)) request.log.error({ err }, 'request failed');
        if (!wantsHtml(request.headers.accept)) return reply.status(status).send(errorBody(mapped));
        const locale = localeOf(request);
        const title =
          status === 403
            ? say(locale, 'forbidden')
            : status === 404
              ? say(locale, 'notFound')
              : status === 429
                ? say(locale, 'tooMany')
                : say(locale, 'errorTitle');
        const fields = mapped.details?.map((d) => `${d.field}: ${errorText(locale, d.message)}`).join('; ');
        return reply
          .status(status)
          .type('text/html; charset=utf-8')
          .send(
            errorPage({ locale, title, message: fields ? `${mapped.message} (${fields})` : mapped.message }),
          );
      });
      const routes = zodRoutes(scope);
      signInRoutes(routes, ctx);
      homeRoutes(routes, ctx);
      teamRoutes(routes, ctx);
      keyRoutes(routes, ctx);
      eventRoutes(routes, ctx);
      surveyRoutes(routes, ctx);
      locationRoutes(routes, ctx);
      caseRoutes(routes, ctx);
      contactRoutes(routes, ctx);
      settingsRoutes(routes, ctx);
      webhookRoutes(routes, ctx);
      connectorRoutes(routes, ctx);
      responseRoutes(routes, ctx);
      sendRoutes(routes, ctx);
    });
  };
}
