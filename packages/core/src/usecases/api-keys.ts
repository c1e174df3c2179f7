// API keys: create (shown once, stored hashed), list, revoke, and when each was last used (written at most once a
// minute per key per process, in one batched statement off the request path).
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Scope } from '../domain/access.ts';
import { apiKeyPrefix, newApiKey, sha256 } from '../domain/tokens.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import { apiKeys, auditLog, users } from '../store/schema.ts';
import { type Actor, recordAudit } from './audit.ts';

export type NewApiKey = { workspaceId: string; name: string; scopes: Scope[]; createdBy?: string | null };

/** Inserts a key inside the caller's transaction and records who made it; the clear key is returned once. */
export async function insertApiKey(tx: Tx, key: NewApiKey, actor: Actor, clear: string = newApiKey('live')) {
  const [row] = await tx
    .insert(apiKeys)
    .values({
      workspaceId: key.workspaceId,
      name: key.name,
      scopes: [...new Set(key.scopes)],
      prefix: apiKeyPrefix(clear),
      keyHash: sha256(clear),
      createdBy: key.createdBy ?? null,
    })
    .returning();
  if (!row) throw new Error('api key insert returned nothing');
  await recordAudit(tx, {
    workspaceId: key.workspaceId,
    actor,
    action: 'api_key.create',
    target: { kind: 'api_key', id: row.id },
    detail: { name: row.name, scopes: row.scopes, prefix: row.prefix },
  });
  return { row, key: clear };
}

export async function createApiKey({ db }: Database, key: NewApiKey, actor: Actor) {
  return db.transaction((tx) => insertApiKey(tx, key, actor));
}

/**
 * The workspace's keys that still work, newest first, with who created each (from the audit log when no user did);
 * with `includeRevoked` the revoked ones too (the console lists them, marked).
 */
export async function listApiKeys(
  { db }: Database,
  workspaceId: string,
  { includeRevoked = false }: { includeRevoked?: boolean } = {},
) {
  const creator = sql<{ kind: string; label: string } | null>`coalesce(
    case when ${users.email} is not null then json_build_object('kind', 'user', 'label', ${users.email}) end,
    (select json_build_object('kind', a.actor_kind, 'label', a.actor_label) from ${auditLog} a
      where a.workspace_id = ${apiKeys.workspaceId} and a.action = 'api_key.create'
        and a.target_kind = 'api_key' and a.target_id = ${apiKeys.id}::text
      order by a.id limit 1))`;
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scopes: apiKeys.scopes,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdBy: creator,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(
      includeRevoked
        ? eq(apiKeys.workspaceId, workspaceId)
        : and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)),
    )
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes a key of this workspace (404 for an unknown, revoked or foreign one). The last admin key cannot be
 * revoked: without one nobody could manage keys through the API again.
 */
export async function revokeApiKey({ db }: Database, workspaceId: string, keyId: string, actor: Actor) {
  return db.transaction(async (tx) => {
    const [key] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
      .for('update');
    if (!key) throw AppError.notFound('API key');
    if (key.scopes.includes('admin')) {
      // Lock the workspace's admin keys so two revocations racing cannot both pass this check.
      const others = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.workspaceId, workspaceId),
            isNull(apiKeys.revokedAt),
            ne(apiKeys.id, keyId),
            sql`'admin' = any(${apiKeys.scopes})`,
          ),
        )
        .for('update');
      if (others.length === 0) {
        throw AppError.conflict('This is the last admin key: create another admin key before revoking it');
      }
    }
    await tx.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, keyId));
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'api_key.revoke',
      target: { kind: 'api_key', id: keyId },
      detail: { name: key.name, prefix: key.prefix },
    });
    return key;
  });
}

/** Whether a use of a key at `now` should be written, given when this process last wrote one (at most once per `everyMs`). */
export function shouldRecordUse(lastWrittenMs: number | undefined, nowMs: number, everyMs: number): boolean {
  return lastWrittenMs === undefined || nowMs - lastWrittenMs >= everyMs || nowMs < lastWrittenMs;
}

const MAX_TRACKED_KEYS = 10_000;

/** Collects key uses in memory; `flush` writes the pending ones in one UPDATE. Never awaited by a request. */
export class KeyUsage {
  private readonly pending = new Map<string, Date>();
  private readonly written = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly everyMs = 60_000,
  ) {}

  touch(keyId: string, now: Date): void {
    if (!shouldRecordUse(this.written.get(keyId), now.getTime(), this.everyMs)) return;
    if (this.written.size >= MAX_TRACKED_KEYS) this.written.clear();
    this.written.set(keyId, now.getTime());
    this.pending.set(keyId, now);
  }

  /** How many uses wait to be written. */
  get waiting(): number {
    return this.pending.size;
  }

  async flush(): Promise<number> {
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending];
    this.pending.clear();
    // Array literals: uuids and ISO times hold no comma, quote or brace.
    const ids = `{${batch.map(([id]) => id).join(',')}}`;
    const ats = `{${batch.map(([, at]) => at.toISOString()).join(',')}}`;
    await this.database.db.execute(sql`
      update ${apiKeys} set last_used_at = u.at
      from unnest(${ids}::uuid[], ${ats}::timestamptz[]) as u(id, at)
      where ${apiKeys.id} = u.id and (${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < u.at)`);
    return batch.length;
  }
}
