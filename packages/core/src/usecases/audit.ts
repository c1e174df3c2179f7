// The audit log: one function every use case calls to say who did what. Reading and retention live beside it.
import type { Database, Tx } from '../store/client.ts';
import { auditLog, type Properties } from '../store/schema.ts';

/** Who acted: a signed-in member, an API key, or Surveyflow itself (a job, the bootstrap). */
export type Actor =
  | { kind: 'user'; id: string; label: string }
  | { kind: 'api_key'; id: string; label: string }
  | { kind: 'system'; label: string };

export type AuditEntry = {
  workspaceId: string | null;
  actor: Actor;
  /** Dotted verb: `sign_in`, `api_key.create`, `api_key.revoke`, `member.role`, `survey.update`, `case.resolve`, … */
  action: string;
  target?: { kind: string; id: string };
  detail?: Properties;
};

/** Records one entry; pass the transaction of the change itself so the entry and the change commit together. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    workspaceId: entry.workspaceId,
    actorKind: entry.actor.kind,
    actorId: entry.actor.kind === 'system' ? null : entry.actor.id,
    actorLabel: entry.actor.label,
    action: entry.action,
    targetKind: entry.target?.kind ?? null,
    targetId: entry.target?.id ?? null,
    detail: entry.detail ?? {},
  });
}

/**
 * Runs a change and, when an actor is given, its audit entry in the same transaction (`target` from the
 * change's result; no result, no entry). Without an actor (seeds, tests) it is the bare change.
 */
export async function audited<T>(
  db: Database['db'],
  audit:
    | { actor: Actor; workspaceId: string; action: string; kind: string; detail?: Record<string, unknown> }
    | undefined,
  change: (tx: Tx) => Promise<T>,
  idOf: (result: T) => string | null,
): Promise<T> {
  if (!audit) return change(db);
  return db.transaction(async (tx) => {
    const result = await change(tx);
    const id = idOf(result);
    if (id) {
      await recordAudit(tx, {
        workspaceId: audit.workspaceId,
        actor: audit.actor,
        action: audit.action,
        target: { kind: audit.kind, id },
        ...(audit.detail ? { detail: audit.detail } : {}),
      });
    }
    return result;
  });
}
