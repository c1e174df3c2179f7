// A workspace's logo: stored in Postgres (workspace_logos), its fingerprint on the workspace row, served by the collector.
import { eq } from 'drizzle-orm';
import { checkLogo } from '../domain/branding.ts';
import type { Database } from '../store/client.ts';
import { workspaceLogos, workspaces } from '../store/schema.ts';
import { type Actor, recordAudit } from './audit.ts';

/** Replaces the logo (audited as `workspace.logo` given an actor; checked: PNG or JPEG by its bytes, at most 256 KB, else a 400 naming `field`); false when the workspace is gone. */
export async function setWorkspaceLogo(
  { db }: Database,
  workspaceId: string,
  bytes: Uint8Array,
  field = 'logo',
  actor?: Actor,
): Promise<boolean> {
  const { type, sha256 } = checkLogo(bytes, field);
  const content = Buffer.from(bytes);
  return db.transaction(async (tx) => {
    const [ws] = await tx
      .update(workspaces)
      .set({ logoSha256: sha256, logoType: type })
      .where(eq(workspaces.id, workspaceId))
      .returning({ id: workspaces.id });
    if (!ws) return false;
    if (actor)
      await recordAudit(tx, {
        workspaceId,
        actor,
        action: 'workspace.logo',
        target: { kind: 'workspace', id: workspaceId },
        detail: { type, sha256, bytes: bytes.length },
      });
    await tx
      .insert(workspaceLogos)
      .values({ workspaceId, content, contentType: type, sha256 })
      .onConflictDoUpdate({
        target: workspaceLogos.workspaceId,
        set: { content, contentType: type, sha256, updatedAt: new Date() },
      });
    return true;
  });
}

/** Removes the logo; pages and emails show the workspace's name alone again. */
export async function removeWorkspaceLogo(
  { db }: Database,
  workspaceId: string,
  actor?: Actor,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (actor)
      await recordAudit(tx, {
        workspaceId,
        actor,
        action: 'workspace.logo_remove',
        target: { kind: 'workspace', id: workspaceId },
      });
    await tx
      .update(workspaces)
      .set({ logoSha256: null, logoType: null })
      .where(eq(workspaces.id, workspaceId));
    await tx.delete(workspaceLogos).where(eq(workspaceLogos.workspaceId, workspaceId));
  });
}

/** The logo file of a workspace, or null when it has none. */
export async function workspaceLogo(
  { db }: Database,
  workspaceId: string,
): Promise<{ content: Buffer; contentType: string; sha256: string } | null> {
  const [row] = await db
    .select({
      content: workspaceLogos.content,
      contentType: workspaceLogos.contentType,
      sha256: workspaceLogos.sha256,
    })
    .from(workspaceLogos)
    .where(eq(workspaceLogos.workspaceId, workspaceId));
  return row ?? null;
}
