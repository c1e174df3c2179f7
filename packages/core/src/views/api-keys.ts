// What the API shows of a key: never the key itself (only when created) nor its hash.
import type { listApiKeys } from '../usecases/api-keys.ts';

export type ApiKeyRow = Awaited<ReturnType<typeof listApiKeys>>[number];

export function apiKeyView(r: ApiKeyRow) {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    prefix: r.prefix,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    lastUsedAt: r.lastUsedAt,
  };
}
