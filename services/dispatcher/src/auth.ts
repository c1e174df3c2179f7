// API key authentication and route permissions for /v1: Bearer key → workspace and scopes, checked against the
// permission each route declares. Keys are cached per process, and every process drops its cache the moment any
// process revokes a key (Redis pub/sub); while that subscription is down the cache is not trusted at all.
import {
  type Actor,
  type AppContext,
  AppError,
  apiKeysForgetChannel,
  createRedis,
  type KeyOwner,
  KeyUsage,
  onApiKeysForget,
  type Permission,
  permissions,
  publishApiKeysForget,
  type Scope,
  safeEqual,
  scopesAllow,
  workspaceForApiKey,
} from '@surveyflow/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A /v1 route's access rule: a permission from domain/access.ts, or the instance administrator's token. */
type RoutePermission = Permission | 'instance.admin';

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
    /** The workspace's secret for signed events, or null when it accepts unsigned ones. */
    eventSigningSecret: string | null;
    /** The key that authenticated the request (null for the instance administrator). */
    apiKey: { id: string; name: string; prefix: string; scopes: Scope[] } | null;
  }
  interface FastifyContextConfig {
    /** What the route needs; every /v1 route must say (registration fails otherwise). */
    permission?: RoutePermission;
  }
}

/** Backstop only: revocations reach every process at once through pub/sub; this bounds a missed message. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;
/** How often the key uses collected in memory are written (one statement for all keys). */
const USAGE_FLUSH_MS = 1_000;

/** The words a route's OpenAPI operation carries about the scope it needs. */
function scopeNote(permission: RoutePermission): string {
  if (permission === 'instance.admin')
    return 'Requires the instance administrator token (`INSTANCE_ADMIN_TOKEN`).';
  const needed = permissions[permission].scopes as readonly Scope[];
  return `Requires an API key with scope ${needed.map((s) => `\`${s}\``).join(' or ')} (permission \`${permission}\`: ${permissions[permission].what}).`;
}

/** The 403 for a key whose scopes do not grant the route's permission, naming what is missing. */
function missingScope(route: string, permission: Permission, granted: readonly Scope[]): AppError {
  const needed = permissions[permission].scopes as readonly Scope[];
  return new AppError(
    'missing_scope',
    'forbidden',
    `${route} needs an API key with scope ${needed.join(' or ')} (permission ${permission}); this key has ${granted.join(', ') || 'no scopes'}`,
    [{ field: 'scope', message: `needs one of: ${needed.join(', ')}` }],
  );
}

export type Auth = {
  /** Drops every process's cached keys (after a revocation or a changed signing secret); resolves once published. */
  forget(): Promise<void>;
  /** Writes the key uses collected so far (tests; it also runs every second and on close). */
  flushUsage(): Promise<number>;
};

/** Runs a request's handler inside its workspace under row-level security (tenantDatabase(…).run). */
export type WorkspaceScope = <T>(workspaceId: string, work: () => Promise<T>) => Promise<T>;

/**
 * Which routes run under row-level security: every read but the CSV export, which streams after its
 * handler returns (a transaction would be over before its rows are read) and filters in code.
 */
function readsUnderRls(method: string | string[], permission: RoutePermission): boolean {
  return (
    [method].flat().every((m) => m === 'GET' || m === 'HEAD') &&
    permission !== 'data.export' &&
    permission !== 'instance.admin'
  );
}

export function registerAuth(app: FastifyInstance, ctx: AppContext, scope?: WorkspaceScope): Auth {
  const wrapped = new WeakSet<object>();
  const cache = new Map<string, { owner: KeyOwner | null; expires: number }>();
  // Bumped by every forget: a lookup that started before one must not put its (maybe revoked) answer back.
  let generation = 0;
  const forgetLocal = () => {
    generation++;
    cache.clear();
  };
  const usage = new KeyUsage(ctx.database);
  const channel = apiKeysForgetChannel(ctx.config.QUEUE_PREFIX);

  // Its own connection: a subscribed connection can do nothing else.
  const subscriber = createRedis(ctx.redisUrl, ctx.outages);
  let subscribed = false;
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .then(() => {
        // Whatever was revoked while we were away is forgotten with the rest.
        forgetLocal();
        subscribed = true;
      })
      .catch(() => {});
  });
  subscriber.on('close', () => {
    subscribed = false;
    forgetLocal();
  });
  subscriber.on('message', forgetLocal);
  // A revocation made in this process (API or console) drops this cache before it returns.
  const unregister = onApiKeysForget(forgetLocal);

  const flushTimer = setInterval(() => {
    usage.flush().catch((err) => {
      if (!ctx.outages.absorb(err, 'postgres')) ctx.log.warn({ err }, 'could not record API key use');
    });
  }, USAGE_FLUSH_MS);
  flushTimer.unref();

  async function resolve(key: string): Promise<KeyOwner | null> {
    const now = Date.now();
    const hit = subscribed ? cache.get(key) : undefined;
    if (hit && hit.expires > now) return hit.owner;
    const before = generation;
    const owner = await workspaceForApiKey(ctx.database, key);
    if (subscribed && generation === before) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, { owner, expires: now + CACHE_TTL_MS });
    }
    return owner;
  }

  app.decorateRequest('workspaceId', '');
  app.decorateRequest('eventSigningSecret', null);
  app.decorateRequest('apiKey', null);

  // Every /v1 route says what it needs, and the document says it too.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1')) return;
    const permission = route.config?.permission;
    if (!permission) {
      throw new Error(
        `${[route.method].flat().join(',')} ${route.url} declares no permission: add config: { permission } (domain/access.ts)`,
      );
    }
    if (permission !== 'instance.admin' && !(permission in permissions)) {
      throw new Error(`${route.url}: unknown permission ${permission}`);
    }
    // Fastify adds a HEAD route for each GET with the same handler and schema: wrap and note once.
    if (scope && readsUnderRls(route.method, permission) && !wrapped.has(route.handler)) {
      const handler = route.handler;
      route.handler = function underRls(this: FastifyInstance, request, reply) {
        return scope(request.workspaceId, async () => handler.call(this, request, reply));
      };
      wrapped.add(route.handler);
    }
    if (route.schema && !route.schema.hide) {
      const note = scopeNote(permission);
      const schema = route.schema as Record<string, unknown>;
      const description = typeof schema.description === 'string' ? schema.description : '';
      if (!description.includes(note)) schema.description = description ? `${description}\n\n${note}` : note;
      schema['x-required-scope'] =
        permission === 'instance.admin' ? 'instance-admin' : [...permissions[permission].scopes];
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const permission = request.routeOptions.config?.permission;
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (permission === 'instance.admin') {
      const expected = ctx.config.INSTANCE_ADMIN_TOKEN;
      if (!expected) {
        throw AppError.forbidden('Creating workspaces through the API is off: set INSTANCE_ADMIN_TOKEN');
      }
      if (!token || !safeEqual(token, expected)) {
        throw AppError.unauthorized('The instance administrator token is required: Authorization: Bearer …');
      }
      return;
    }
    if (!token) throw AppError.unauthorized();
    const owner = await resolve(token);
    if (!owner) throw AppError.unauthorized('The API key is unknown or revoked');
    if (!permission || !scopesAllow(owner.scopes, permission)) {
      // No permission cannot happen (registration refuses such a route); refuse rather than allow.
      throw missingScope(
        `${request.method} ${request.routeOptions.url ?? request.url}`,
        permission ?? 'owners.manage',
        owner.scopes,
      );
    }
    request.workspaceId = owner.workspaceId;
    request.eventSigningSecret = owner.eventSigningSecret;
    request.apiKey = { id: owner.keyId, name: owner.name, prefix: owner.prefix, scopes: owner.scopes };
    usage.touch(owner.keyId, ctx.clock.now());
  });

  app.addHook('onClose', async () => {
    clearInterval(flushTimer);
    unregister();
    await usage.flush().catch(() => {});
    await subscriber.quit().catch(() => subscriber.disconnect());
  });

  return {
    async forget() {
      await publishApiKeysForget(ctx);
    },
    flushUsage: () => usage.flush(),
  };
}

/** Who is acting, for the audit log: the request's key (its name and prefix kept, in case it is deleted). */
export function actorOf(request: FastifyRequest): Actor {
  return request.apiKey
    ? { kind: 'api_key', id: request.apiKey.id, label: `${request.apiKey.name} (${request.apiKey.prefix})` }
    : { kind: 'system', label: 'instance administrator' };
}
