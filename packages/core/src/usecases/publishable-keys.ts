// Publishable keys (pk_…) for the on-site widget: create (origins checked, surveys of this workspace), list, revoke, and
// the lookup the collector does for every widget request.
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { sealToken } from '../domain/tokens.ts';
import { newIdentitySecret, newPublishableKey, normalizeOrigin } from '../domain/widget.ts';
import { AppError, type ErrorDetail } from '../errors.ts';
import type { Database, Db } from '../store/client.ts';
import { publishableKeys, surveys, workspaces } from '../store/schema.ts';
import { type Actor, recordAudit } from './audit.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type NewPublishableKey = {
  workspaceId: string;
  name: string;
  surveyIds: string[];
  allowedOrigins: string[];
  createdBy?: string | null;
};

/** The origins as exact scheme://host[:port], each bad one a 400 naming its place in the list. */
export function checkOrigins(origins: readonly string[]): string[] {
  const issues: ErrorDetail[] = [];
  const normal = origins.map((o, i) => {
    const n = normalizeOrigin(o);
    if (!n)
      issues.push({
        field: `allowedOrigins.${i}`,
        message: 'must be an origin: scheme://host[:port], no path',
      });
    return n ?? '';
  });
  if (issues.length) throw AppError.validation(issues);
  return [...new Set(normal)];
}

export async function createPublishableKey({ db }: Database, input: NewPublishableKey, actor: Actor) {
  const allowedOrigins = checkOrigins(input.allowedOrigins);
  const surveyIds = [...new Set(input.surveyIds)];
  return db.transaction(async (tx) => {
    const found = await tx
      .select({ id: surveys.id })
      .from(surveys)
      .where(and(eq(surveys.workspaceId, input.workspaceId), inArray(surveys.id, surveyIds)));
    const known = new Set(found.map((s) => s.id));
    const missing = surveyIds.findIndex((id) => !known.has(id));
    if (missing >= 0) {
      throw AppError.validation([
        { field: `surveyIds.${missing}`, message: 'is not a survey of this workspace' },
      ]);
    }
    const [row] = await tx
      .insert(publishableKeys)
      .values({
        workspaceId: input.workspaceId,
        name: input.name,
        key: newPublishableKey(),
        surveyIds,
        allowedOrigins,
        createdBy: input.createdBy ?? null,
      })
      .returning();
    if (!row) throw new Error('publishable key insert returned nothing');
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor,
      action: 'publishable_key.create',
      target: { kind: 'publishable_key', id: row.id },
      detail: { name: row.name, surveyIds, allowedOrigins },
    });
    return row;
  });
}

/** The workspace's publishable keys, newest first; with `includeRevoked` the revoked ones too. */
export async function listPublishableKeys(
  { db }: Database,
  workspaceId: string,
  { includeRevoked = false }: { includeRevoked?: boolean } = {},
) {
  return db
    .select()
    .from(publishableKeys)
    .where(
      includeRevoked
        ? eq(publishableKeys.workspaceId, workspaceId)
        : and(eq(publishableKeys.workspaceId, workspaceId), isNull(publishableKeys.revokedAt)),
    )
    .orderBy(desc(publishableKeys.createdAt), desc(publishableKeys.id));
}

/** Revokes a key of this workspace (404 for an unknown, revoked or foreign one); the widget stops at once. */
export async function revokePublishableKey({ db }: Database, workspaceId: string, id: string, actor: Actor) {
  return db.transaction(async (tx) => {
    const [key] = await tx
      .update(publishableKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(publishableKeys.id, id),
          eq(publishableKeys.workspaceId, workspaceId),
          isNull(publishableKeys.revokedAt),
        ),
      )
      .returning();
    if (!key) throw AppError.notFound('Publishable key');
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'publishable_key.revoke',
      target: { kind: 'publishable_key', id },
      detail: { name: key.name },
    });
    return key;
  });
}

/** A live key of this workspace, locked for a change; 404 for an unknown, revoked or foreign one. */
async function lockedKey(tx: Tx, workspaceId: string, id: string) {
  const [key] = await tx
    .select()
    .from(publishableKeys)
    .where(
      and(
        eq(publishableKeys.id, id),
        eq(publishableKeys.workspaceId, workspaceId),
        isNull(publishableKeys.revokedAt),
      ),
    )
    .for('update');
  if (!key) throw AppError.notFound('Publishable key');
  return key;
}

/**
 * Makes (or replaces) the key's identity verification secret and returns it: the only time it is shown. It is kept
 * sealed with SECRET_KEY, since the collector recomputes signatures with it. Replacing it invalidates every
 * signature made with the old one at once.
 */
export async function rotateIdentitySecret(
  { db }: Database,
  workspaceId: string,
  id: string,
  secretKey: string,
  actor: Actor,
) {
  return db.transaction(async (tx) => {
    const before = await lockedKey(tx, workspaceId, id);
    const identitySecret = newIdentitySecret();
    const [key] = await tx
      .update(publishableKeys)
      .set({ identitySecretSealed: sealToken(identitySecret, secretKey) })
      .where(eq(publishableKeys.id, id))
      .returning();
    if (!key) throw new Error('publishable key update returned nothing');
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'publishable_key.identity_secret',
      target: { kind: 'publishable_key', id },
      detail: { name: key.name, replaced: before.identitySecretSealed !== null },
    });
    return { key, identitySecret };
  });
}

/**
 * Turns identity verification on or off for a key. On, every identify must carry a valid signature; a key without
 * a secret cannot require one (409: make the secret first, so the shop can sign before anything is refused).
 */
export async function setRequireIdentity(
  { db }: Database,
  workspaceId: string,
  id: string,
  requireIdentity: boolean,
  actor: Actor,
) {
  return db.transaction(async (tx) => {
    const before = await lockedKey(tx, workspaceId, id);
    if (requireIdentity && before.identitySecretSealed === null) {
      throw AppError.conflict(
        'This key has no identity secret yet: create one with POST /v1/publishable-keys/{id}/identity-secret first',
        [{ field: 'requireIdentity', message: 'needs an identity secret on the key' }],
      );
    }
    const [key] = await tx
      .update(publishableKeys)
      .set({ requireIdentity })
      .where(eq(publishableKeys.id, id))
      .returning();
    if (!key) throw new Error('publishable key update returned nothing');
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'publishable_key.update',
      target: { kind: 'publishable_key', id },
      detail: { name: key.name, requireIdentity },
    });
    return key;
  });
}

/** A key that still works, with its workspace; null for an unknown or revoked one. Reads only. */
export async function findPublishableKey({ db }: Database, key: string) {
  const [row] = await db
    .select({ key: publishableKeys, workspace: workspaces })
    .from(publishableKeys)
    .innerJoin(workspaces, eq(workspaces.id, publishableKeys.workspaceId))
    .where(and(eq(publishableKeys.key, key), isNull(publishableKeys.revokedAt)));
  return row ?? null;
}

export type PublishableKeyLink = NonNullable<Awaited<ReturnType<typeof findPublishableKey>>>;
