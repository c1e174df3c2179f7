// The HTTP shell every service shares: schema-first Fastify (zod type provider), the one error handler mapping
// every error to { error: { code, message, details? } }, the OpenAPI document and /docs, liveness and readiness.
import swagger from '@fastify/swagger';
import apiReference from '@scalar/fastify-api-reference';
import {
  type AppContext,
  AppError,
  type ErrorDetail,
  type ErrorKind,
  errorBody,
  type Metrics,
  type Outages,
  queueNames,
} from '@surveyflow/core';
import type { Queue } from 'bullmq';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import { registerMetrics, registerQueueDashboard } from './operator.ts';
import { ErrorBody } from './schemas.ts';

export type ReadinessCheck = () => Promise<void>;

export type HttpAppOptions = {
  log: Logger;
  bodyLimit: number;
  /** Named dependencies that must answer for GET /ready to say yes. */
  readiness: Record<string, ReadinessCheck>;
  /** How many proxies in front of us to believe X-Forwarded-For from (0: none, the peer is the client). */
  trustProxyHops: number;
  /** Serve /openapi.json and /docs (the interactive reference, from the npm package: works offline). */
  docs?: { version: string; publicUrl: string };
  /** Request latency by route, and GET /metrics (Bearer `token` when given). */
  metrics?: { metrics: Metrics; token?: string | undefined };
  /** Where a 500 caused by Postgres or Redis being away is told (once per outage) instead of per request. */
  outages?: Outages;
  /** The BullMQ dashboard at /admin/queues, behind `token`; absent, it is not mounted at all. */
  queueDashboard?: { token: string; queues: Queue[]; secureCookie: boolean };
};

/** The one Fastify flavour our routes are written against: zod schemas in, zod schemas out. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A plugin's instance, typed for zod schemas (route modules take this). */
export function zodRoutes(app: FastifyInstance): HttpApp {
  return app.withTypeProvider<ZodTypeProvider>();
}

const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  internal: 500,
};

/** The HTTP status an error answers with. */
export function httpStatus(err: AppError): number {
  return statusOf[err.kind];
}

/** Renders an error for a client that wants something other than JSON (a browser on a survey page). */
export type ErrorRenderer = (err: AppError, status: number) => string;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** When set, a browser (Accept: text/html) gets this page for an error instead of the JSON body. */
    renderError?: ErrorRenderer;
    /** A POST that takes no input at all (its URL says everything): exempt from the body-schema rule. */
    noBody?: boolean;
  }
  interface FastifyInstance {
    /** Routes registered without the schemas the contract needs (see schemaGaps); empty in a healthy app. */
    schemaGaps: string[];
  }
}

/**
 * What a route lacks to be schema-first: a response schema always, params when its path has any, a body
 * for POST/PUT/PATCH unless it takes none. Routes hidden from the document (the docs' own assets) are exempt.
 */
export function schemaGaps(route: {
  method: string | string[];
  url: string;
  schema?: { hide?: boolean; response?: unknown; params?: unknown; body?: unknown } | undefined;
  config?: { noBody?: boolean } | undefined;
}): string[] {
  const methods = [route.method].flat();
  if (route.schema?.hide || methods.every((m) => m === 'HEAD')) return [];
  const name = `${methods.join(',')} ${route.url}`;
  const gaps: string[] = [];
  if (!route.schema?.response) gaps.push(`${name}: no response schema`);
  if (route.url.includes(':') && !route.schema?.params) gaps.push(`${name}: no params schema`);
  const takesBody = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  if (takesBody && !route.schema?.body && !route.config?.noBody) gaps.push(`${name}: no body schema`);
  return gaps;
}

export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    // pino's Logger is what Fastify logs with; its own type is a narrower view of the same object.
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    trustProxy: (_address: string, hop: number) => hop < options.trustProxyHops,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Huge headers and odd URLs are refused by Node before we see them; ids in paths stay bounded.
    routerOptions: { maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('schemaGaps', [] as string[]);
  app.addHook('onRoute', (route) => {
    app.schemaGaps.push(...schemaGaps(route as Parameters<typeof schemaGaps>[0]));
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const mapped = toAppError(err);
    const status = httpStatus(mapped);
    if (status >= 500 && !options.outages?.absorb(err)) request.log.error({ err }, 'request failed');
    const render = request.routeOptions.config?.renderError;
    if (render && wantsHtml(request.headers.accept)) {
      return reply.status(status).type('text/html; charset=utf-8').send(render(mapped, status));
    }
    return reply.status(status).send(errorBody(mapped));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody(AppError.notFound(`Route ${request.method} ${request.url.split('?')[0]}`)));
  });

  if (options.docs) await registerDocs(app, options.docs);
  if (options.metrics) registerMetrics(app, options.metrics.metrics, options.metrics.token);
  if (options.queueDashboard) await registerQueueDashboard(app, options.queueDashboard);

  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: Postgres and Redis answer (503 when either does not)',
        response: {
          200: ReadinessBody,
          503: ReadinessBody,
        },
      },
    },
    async (_request, reply) => {
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
    },
  );

  return app;
}

const ReadinessBody = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.string()),
});

async function registerDocs(app: HttpApp, docs: { version: string; publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Surveyflow API',
        version: docs.version,
        description:
          'Events in, survey invitations out, answers recorded once and routed. Every /v1 route takes `Authorization: Bearer <api key>`. Errors are `{ "error": { "code", "message", "details": [{ "field", "message" }] } }` with a 4xx that names each bad field.',
      },
      servers: [{ url: docs.publicUrl }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'sf_live_… API key' } },
      },
      tags: apiTags,
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get(
    '/openapi.json',
    { schema: { hide: true } },
    // The document is generated from the routes' own schemas once they are all registered.
    async () => app.swagger(),
  );
  // Encapsulated, so its hook touches only the reference's own responses.
  await app.register(async (reference) => {
    // The reference's page template has no lang attribute; screen readers need it (axe: html-has-lang).
    reference.addHook('onSend', async (_request, reply, payload) =>
      typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html')
        ? payload.replace(/<html(?![^>]*\blang=)/, '<html lang="en"')
        : payload,
    );
    await reference.register(apiReference, {
      routePrefix: '/docs',
      // A reference, not a SaaS: no hosted AI agent, no vendor toolbar, no fonts from a CDN.
      configuration: {
        url: '/openapi.json',
        withDefaultFonts: false,
        hideClientButton: true,
        showDeveloperTools: 'never',
        agent: { disabled: true },
        customCss: docsContrastCss,
      },
    });
  });
}

/**
 * The default theme's muted text, method and number colours fall short of WCAG AA (4.5:1) on its light
 * backgrounds; these darker shades keep the look and pass (axe: color-contrast).
 */
const docsContrastCss = `
.light-mode, :root {
  --scalar-color-3: #636363;
  --scalar-color-green: #00704a;
  --scalar-color-orange: #b03c00;
}`;

/** One tag per resource, in the order a newcomer meets them. */
const apiTags = [
  { name: 'events', description: 'What happened at the shop or helpdesk; each may become an invitation' },
  { name: 'surveys', description: 'What is asked (NPS, CSAT, CES) and what happens per segment' },
  { name: 'triggers', description: 'Which events invite whom, when, and how often (contact rules)' },
  { name: 'invitations', description: 'Direct invitations, QR codes to print' },
  { name: 'locations', description: 'Permanent QR codes for shops, desks and kiosks' },
  { name: 'contacts', description: 'The people asked: history, corrections, opt-out, erasure' },
  { name: 'responses', description: 'Answers with their contact, event and properties' },
  { name: 'metrics', description: 'Scores with 95 % intervals, skips, referrals' },
  { name: 'cases', description: "Detractors' answers to work: owner, SLA, history" },
  { name: 'webhooks', description: 'Signed notifications to your systems' },
  { name: 'workspace', description: 'Settings and event signing' },
  { name: 'api-keys', description: 'Named keys with scopes: create (shown once), list, revoke' },
  { name: 'audit', description: 'Who did what: keys, surveys, triggers, cases, erasures, exports' },
  { name: 'respondents', description: 'What customers touch: survey pages, unsubscribe, referral links' },
  { name: 'providers', description: 'Callbacks from Twilio and inbound mail' },
  { name: 'health', description: 'Liveness and readiness' },
  { name: 'dev', description: 'The dev outbox (only when mail and texts are not really sent)' },
];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Whether a client asks for HTML before JSON (the error handler's rule; pages answer by the same one). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

/** Postgres refuses some text outright; those are the client's input, never our 500. */
const postgresInputErrors: Record<string, string> = {
  '22P05': 'contains a character Postgres cannot store (such as \\u0000)',
  '22021': 'contains a byte sequence that is not valid UTF-8',
  '22008': 'is a date outside the range we store',
  '22003': 'is a number outside the range we store',
  '54001': 'is nested too deeply',
};

/** The Postgres input error in an error's cause chain: drizzle throws its own error with the driver's as the cause. */
function postgresInputError(err: unknown): string | undefined {
  let e = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(postgresInputErrors, code))
      return postgresInputErrors[code];
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps anything thrown in a request to the one error shape; unknown errors are 500s and get logged. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    return AppError.validation(
      err.validation.map((v) => ({
        field: fieldFromPointer(v.instancePath, err.validationContext),
        message: v.message ?? 'is invalid',
      })),
    );
  }
  const e = err as Partial<FastifyError> & { type?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'payload_too_large',
        'too_large',
        'The request body is larger than the limit allows',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'unsupported_media', 'Send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AppError.validation([{ field: 'body', message: 'The JSON body is empty' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidJson();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return AppError.badRequest('Content-Length does not match the body');
  }
  const pg = postgresInputError(err);
  if (pg) return AppError.validation([{ field: 'body', message: `a value ${pg}` }]);
  if (e.statusCode === 400 && err instanceof SyntaxError) return invalidJson(err.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const kind = (Object.entries(statusOf).find(([, s]) => s === e.statusCode)?.[0] ??
      'invalid') as ErrorKind;
    return new AppError('bad_request', kind, e.message ?? 'Bad request');
  }
  return AppError.internal();
}

function invalidJson(reason?: string): AppError {
  return new AppError('invalid_json', 'invalid', `The body is not valid JSON${reason ? `: ${reason}` : ''}`, [
    { field: 'body', message: 'not valid JSON' },
  ]);
}

/** A JSON pointer from validation ("/events/3/id") → our field path ("events[3].id"); the query's or params' own names. */
function fieldFromPointer(pointer: string, context: string | undefined): string {
  const keys = pointer
    .split('/')
    .slice(1)
    .filter((k) => k !== '')
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (keys.length === 0) return context === 'body' || !context ? 'body' : context;
  return fieldPath(keys);
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

/** The HTTP app of a service process: its logger, body limit, readiness on Postgres and Redis, and the docs. */
export function createServiceApp(ctx: AppContext): Promise<HttpApp> {
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
    docs: { version: '1.0.0', publicUrl: ctx.config.PUBLIC_URL },
    metrics: { metrics: ctx.metrics, token: ctx.config.METRICS_TOKEN },
    outages: ctx.outages,
    ...(ctx.config.ADMIN_TOKEN
      ? {
          queueDashboard: {
            token: ctx.config.ADMIN_TOKEN,
            queues: Object.values(queueNames).map((name) => ctx.queues.queue(name)),
            secureCookie: ctx.config.PUBLIC_URL.startsWith('https:'),
          },
        }
      : {}),
  });
}

export { ErrorBody };
