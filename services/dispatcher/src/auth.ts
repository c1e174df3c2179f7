// API key authentication for /v1: Bearer key → workspace, with a short cache so the hot path skips Postgres.
import { type AppContext, AppError, workspaceForApiKey } from '@surveyflow/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
  }
}

/** A revoked key keeps working for at most this long on a process that has seen it. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

export function registerAuth(app: FastifyInstance, ctx: AppContext) {
  const cache = new Map<string, { workspaceId: string | null; expires: number }>();

  async function resolve(key: string): Promise<string | null> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.workspaceId;
    const workspaceId = await workspaceForApiKey(ctx.database, key);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { workspaceId, expires: now + CACHE_TTL_MS });
    return workspaceId;
  }

  app.decorateRequest('workspaceId', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw AppError.unauthorized();
    const workspaceId = await resolve(match[1]);
    if (!workspaceId) throw AppError.unauthorized('The API key is unknown or revoked');
    request.workspaceId = workspaceId;
  });
}
