// The team of a workspace: members and their roles; invite (a sign-in link into the workspace), change role, remove.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Role } from '../domain/access.ts';
import { decideTeamAction, type TeamAction } from '../domain/team.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import type { NotificationToSend } from '../store/outbox.ts';
import { cases, memberships, users, workspaces } from '../store/schema.ts';
import { recordAudit } from './audit.ts';
import { findOrCreateUser, issueSignInLink, mailSignInLink, normalizeEmail } from './sign-in.ts';
import { createWorkspace } from './workspaces.ts';

export type Member = {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** Null until they first sign in (an invitation not yet taken up). */
  lastSignInAt: Date | null;
  createdAt: Date;
};

/** The member acting, as the console knows them from their session. */
export type TeamActor = { userId: string; email: string; role: Role };

export async function listMembers(tx: Tx, workspaceId: string): Promise<Member[]> {
  return tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      lastSignInAt: users.lastSignInAt,
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.email));
}

/** The member's role in the workspace, or null when they are not a member. */
export async function memberRole(tx: Tx, workspaceId: string, userId: string): Promise<Role | null> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

/** Adds a membership (a new workspace's owner, an invitee); an existing one is left as it is. */
export async function addMembership(
  tx: Tx,
  input: { workspaceId: string; userId: string; role: Role; invitedBy?: string | null },
): Promise<boolean> {
  const rows = await tx
    .insert(memberships)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId,
      role: input.role,
      invitedBy: input.invitedBy ?? null,
    })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}

/** Locks the workspace's memberships (two removals racing cannot both take the last owner) and counts owners. */
async function lockTeam(tx: Tx, workspaceId: string): Promise<number> {
  await tx.execute(
    sql`select 1 from ${memberships} where ${memberships.workspaceId} = ${workspaceId} for update`,
  );
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
  return row?.n ?? 0;
}

/** The actor's current role, read inside the change (a session may be a minute behind a demotion). */
async function currentActor(tx: Tx, workspaceId: string, actor: TeamActor): Promise<TeamActor> {
  const role = await memberRole(tx, workspaceId, actor.userId);
  if (!role) throw AppError.forbidden('You are not a member of this workspace');
  return { ...actor, role };
}

function check(actor: TeamActor, action: TeamAction, owners: number) {
  const decision = decideTeamAction(actor.role, action, owners);
  if (!decision.allowed) {
    throw new AppError('forbidden', 'forbidden', decision.reason, [
      { field: decision.field, message: decision.reason },
    ]);
  }
}

const actorOf = (a: TeamActor) => ({ kind: 'user' as const, id: a.userId, label: a.email });

/**
 * Invites someone by email with a role: they become a member now (shown as invited until they
 * first sign in) and get a sign-in link into the workspace. 409 when they already are a member.
 */
export async function inviteMember(
  { db }: Database,
  input: {
    workspaceId: string;
    actor: TeamActor;
    email: string;
    role: Role;
    publicUrl: string;
    secret: string;
    now: Date;
  },
): Promise<{ userId: string; notifications: NotificationToSend[] }> {
  return db.transaction(async (tx) => {
    const owners = await lockTeam(tx, input.workspaceId);
    const actor = await currentActor(tx, input.workspaceId, input.actor);
    check(actor, { kind: 'invite', role: input.role }, owners);
    const user = await findOrCreateUser(tx, normalizeEmail(input.email), true);
    if (!user) throw new Error('user upsert returned nothing');
    const added = await addMembership(tx, {
      workspaceId: input.workspaceId,
      userId: user.id,
      role: input.role,
      invitedBy: actor.userId,
    });
    if (!added) {
      throw AppError.conflict(`${user.email} is already a member`, [
        { field: 'email', message: 'is already a member of this workspace' },
      ]);
    }
    const [ws] = await tx
      .select({ name: workspaces.name })
      .from(workspaces)
      .where(eq(workspaces.id, input.workspaceId));
    const sent = await mailSignInLink(tx, {
      user,
      workspaceId: input.workspaceId,
      publicUrl: input.publicUrl,
      secret: input.secret,
      now: input.now,
      invitation: { inviter: actor.email, workspace: ws?.name ?? 'Surveyflow' },
    });
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: actorOf(actor),
      action: 'member.invite',
      target: { kind: 'user', id: user.id },
      detail: { email: user.email, role: input.role },
    });
    return { userId: user.id, notifications: sent ? [sent] : [] };
  });
}

export async function changeMemberRole(
  { db }: Database,
  input: { workspaceId: string; actor: TeamActor; userId: string; role: Role },
): Promise<void> {
  await db.transaction(async (tx) => {
    const owners = await lockTeam(tx, input.workspaceId);
    const actor = await currentActor(tx, input.workspaceId, input.actor);
    const from = await memberRole(tx, input.workspaceId, input.userId);
    if (!from) throw AppError.notFound('Member');
    if (from === input.role) return;
    check(actor, { kind: 'change_role', from, to: input.role }, owners);
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId)));
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: actorOf(actor),
      action: 'member.role',
      target: { kind: 'user', id: input.userId },
      detail: { from, to: input.role },
    });
  });
}

/**
 * Removes a member (or lets one leave). Their cases go back to unassigned, and their sessions lose
 * this workspace on their next request.
 */
export async function removeMember(
  { db }: Database,
  input: { workspaceId: string; actor: TeamActor; userId: string; now: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    const owners = await lockTeam(tx, input.workspaceId);
    const actor = await currentActor(tx, input.workspaceId, input.actor);
    const role = await memberRole(tx, input.workspaceId, input.userId);
    if (!role) throw AppError.notFound('Member');
    check(actor, { kind: 'remove', role, self: input.userId === actor.userId }, owners);
    await tx
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId)));
    const unassigned = await tx
      .update(cases)
      .set({ assigneeId: null, updatedAt: input.now })
      .where(and(eq(cases.workspaceId, input.workspaceId), eq(cases.assigneeId, input.userId)))
      .returning({ id: cases.id });
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actor: actorOf(actor),
      action: 'member.remove',
      target: { kind: 'user', id: input.userId },
      detail: { role, casesUnassigned: unassigned.length },
    });
  });
}

/**
 * First start: the bootstrap owner (BOOTSTRAP_OWNER_EMAIL) owns the first workspace. Every start
 * returns a fresh one-time sign-in link for the banner, so a newcomer is in with one click.
 */
export async function bootstrapOwner(
  { db }: Database,
  input: { email: string; workspaceId: string; now: Date; secret: string },
): Promise<{ userId: string; token: string; created: boolean }> {
  return db.transaction(async (tx) => {
    const user = await findOrCreateUser(tx, input.email, true);
    if (!user) throw new Error('user upsert returned nothing');
    const created = await addMembership(tx, {
      workspaceId: input.workspaceId,
      userId: user.id,
      role: 'owner',
    });
    if (created) {
      await recordAudit(tx, {
        workspaceId: input.workspaceId,
        actor: { kind: 'system', label: 'first start' },
        action: 'member.bootstrap',
        target: { kind: 'user', id: user.id },
        detail: { email: user.email, role: 'owner' },
      });
    }
    const { token } = await issueSignInLink(tx, {
      userId: user.id,
      workspaceId: input.workspaceId,
      now: input.now,
      secret: input.secret,
    });
    return { userId: user.id, token, created };
  });
}

/** An instance admin makes a workspace from the console and becomes its owner. */
export async function createWorkspaceAsOwner(
  database: Database,
  input: { name: string; owner: { userId: string; email: string }; timezone: string },
): Promise<{ workspaceId: string }> {
  const { workspaceId } = await createWorkspace(database, {
    name: input.name,
    alertEmail: input.owner.email,
    timezone: input.timezone,
  });
  await database.db.transaction(async (tx) => {
    await addMembership(tx, { workspaceId, userId: input.owner.userId, role: 'owner' });
    await recordAudit(tx, {
      workspaceId,
      actor: { kind: 'user', id: input.owner.userId, label: input.owner.email },
      action: 'workspace.create',
      target: { kind: 'workspace', id: workspaceId },
      detail: { name: input.name },
    });
  });
  return { workspaceId };
}
