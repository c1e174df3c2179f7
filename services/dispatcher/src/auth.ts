// API key authentication for /v1: Bearer key → workspace, with a short cache so the hot path skips Postgres.
import { type AppContext, AppError, workspaceForApiKey } from '@surveyflow/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
    /** The workspace's secret for signed events, or null when it accepts unsigned ones. */
    eventSigningSecret: string | null;
  }
}

type KeyOwner = { workspaceId: string; eventSigningSecret: string | null };

/** A revoked key (or a changed event-signing secret) takes effect within this long on a process that has seen it. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

/** Returns `forget`, which drops what this process cached about keys (after a workspace's signing secret changes). */
export function registerAuth(app: FastifyInstance, ctx: AppContext): { forget(): void } {
  const cache = new Map<string, { owner: KeyOwner | null; expires: number }>();

  async function resolve(key: string): Promise<KeyOwner | null> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.owner;
    const owner = await workspaceForApiKey(ctx.database, key);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { owner, expires: now + CACHE_TTL_MS });
    return owner;
  }

  app.decorateRequest('workspaceId', '');
  app.decorateRequest('eventSigningSecret', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw AppError.unauthorized();
    const owner = await resolve(match[1]);
    if (!owner) throw AppError.unauthorized('The API key is unknown or revoked');
    request.workspaceId = owner.workspaceId;
    request.eventSigningSecret = owner.eventSigningSecret;
  });
  return { forget: () => cache.clear() };
}
