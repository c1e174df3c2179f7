// The HTTP shell every service shares: one error handler mapping errors to { error: { code, message, details? } },
// input parsing that names the bad field, and liveness/readiness routes.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AppContext } from './context.ts';
import { AppError, type ErrorDetail, errorBody } from './errors.ts';

export type ReadinessCheck = () => Promise<void>;

export type HttpAppOptions = {
  log: Logger;
  bodyLimit: number;
  /** Named dependencies that must answer for GET /ready to say yes. */
  readiness: Record<string, ReadinessCheck>;
  /** How many proxies in front of us to believe X-Forwarded-For from (0: none, the peer is the client). */
  trustProxyHops: number;
};

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    // pino's Logger is what Fastify logs with; its own type is a narrower view of the same object.
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    trustProxy: (_address: string, hop: number) => hop < options.trustProxyHops,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const mapped = toAppError(err);
    if (mapped.status >= 500) request.log.error({ err }, 'request failed');
    // Pages (collector) render their own HTML errors; the API and anything else gets JSON.
    return reply.status(mapped.status).send(errorBody(mapped));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody(AppError.notFound(`Route ${request.method} ${request.url.split('?')[0]}`)));
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });

  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Maps anything thrown in a request to the one error shape; unknown errors are 500s and get logged. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as Partial<FastifyError> & { type?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 413, 'The request body is larger than the limit allows');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 415, 'Send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AppError.validation([{ field: 'body', message: 'The JSON body is empty' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', 400, 'The body is not valid JSON', [
        { field: 'body', message: 'not valid JSON' },
      ]);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return AppError.badRequest('Content-Length does not match the body');
  }
  if (e.statusCode === 400 && err instanceof SyntaxError) {
    return new AppError('invalid_json', 400, `The body is not valid JSON: ${err.message}`, [
      { field: 'body', message: 'not valid JSON' },
    ]);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('bad_request', e.statusCode, e.message ?? 'Bad request');
  }
  return new AppError('internal', 500, 'Something went wrong on our side; it has been logged');
}

/** zod issue path → "contact.email", "events[3].id". */
export function fieldPath(path: readonly PropertyKey[], prefix?: string): string {
  let out = prefix ?? '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || 'body';
}

export function issuesToDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.map((i) => ({ field: fieldPath(i.path, prefix), message: i.message }));
}

/** Parses request input; a failure is a 400 that names every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw AppError.validation(issuesToDetails(parsed.error, prefix));
  return parsed.data;
}

/** The HTTP app of a service process: its logger, body limit, and readiness on Postgres and Redis. */
export function createServiceApp(ctx: AppContext): FastifyInstance {
  return createHttpApp({
    log: ctx.log,
    bodyLimit: ctx.config.BODY_LIMIT_BYTES,
    trustProxyHops: ctx.config.TRUST_PROXY_HOPS,
    readiness: {
      postgres: () => ctx.database.ping(),
      redis: async () => {
        await ctx.redis.ping();
      },
    },
  });
}
