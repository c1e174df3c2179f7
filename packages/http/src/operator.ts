// What operators look at: Prometheus metrics at /metrics and the BullMQ dashboard at /admin/queues, each behind its token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { AppError, errorBody, type Metrics } from '@surveyflow/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';

/** Constant-time comparison of two secrets of any length (hashing first makes the lengths equal). */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Latency of every request by route pattern (not the raw URL, so ids never become label values), and /metrics. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    // Prometheus' text format, not JSON: kept out of the OpenAPI document (and so out of the schema rule).
    { schema: { hide: true, tags: ['health'] } },
    async (request, reply) => {
      if (token && !sameSecret(bearer(request), token)) {
        throw new AppError(
          'unauthorized',
          'unauthenticated',
          'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
        );
      }
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
}

export const ADMIN_PREFIX = '/admin/queues';
const ADMIN_COOKIE = 'sf_admin';

/**
 * The queue dashboard (bull-board) until operators have accounts: `Authorization: Bearer <ADMIN_TOKEN>`,
 * or open `/admin/queues?token=<ADMIN_TOKEN>` once in a browser, which sets a cookie holding a hash of
 * the token for the dashboard's own requests. Its routes are all `schema: { hide: true }`, so the
 * schema-first rule passes over them.
 */
export async function registerQueueDashboard(
  app: FastifyInstance,
  options: { token: string; queues: Queue[]; secureCookie: boolean },
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PREFIX);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Surveyflow queues' } },
  });
  const cookieValue = createHash('sha256').update(`surveyflow-admin:${options.token}`).digest('base64url');
  const guarded: FastifyPluginCallback = (scope, _opts, done) => {
    scope.addHook('onRequest', async (request, reply) => {
      const query = request.query as { token?: unknown } | undefined;
      const fromQuery = typeof query?.token === 'string' ? query.token : undefined;
      if (sameSecret(bearer(request), options.token)) return;
      if (fromQuery !== undefined && sameSecret(fromQuery, options.token)) {
        const secure = options.secureCookie ? '; Secure' : '';
        reply.header(
          'set-cookie',
          `${ADMIN_COOKIE}=${cookieValue}; Path=${ADMIN_PREFIX}; HttpOnly; SameSite=Strict${secure}`,
        );
        // Drop the token from the address bar (and from the history) once the cookie carries it.
        return reply.redirect(request.url.replace(/([?&])token=[^&]*&?/, '$1').replace(/[?&]$/, ''), 303);
      }
      if (sameSecret(readCookie(request.headers.cookie, ADMIN_COOKIE), cookieValue)) return;
      // Answered here, not thrown: a hook's error would go to bull-board's own handler (a 500).
      const denied = new AppError(
        'unauthorized',
        'unauthenticated',
        `The queue dashboard needs Authorization: Bearer <ADMIN_TOKEN>, or open ${ADMIN_PREFIX}?token=<ADMIN_TOKEN> once`,
      );
      return reply.status(401).send(errorBody(denied));
    });
    scope.register(serverAdapter.registerPlugin() as FastifyPluginCallback);
    done();
  };
  await app.register(guarded, { prefix: ADMIN_PREFIX });
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
