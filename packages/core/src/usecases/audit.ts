// The audit log: one function every use case calls to say who did what. Reading and retention live beside it.
import type { Tx } from '../store/client.ts';
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
