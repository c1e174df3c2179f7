// Console sessions: server-side rows behind a random cookie token (only its hash stored), idle and absolute expiry, revocable.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Role } from '../domain/access.ts';
import { sha256 } from '../domain/tokens.ts';
import type { Database, Tx } from '../store/client.ts';
import { memberships, sessions, users, workspaces } from '../store/schema.ts';

export type SessionPolicy = { idleMinutes: number; maxDays: number };

/** One of the user's workspaces: its name and time zone (dates are shown in it), and their role there. */
export type SessionMembership = {
  workspaceId: string;
  workspaceName: string;
  timezone: string;
  role: Role;
  /** The workspace's accent colour (branding): the console wears it too. */
  accentColor: string | null;
};

/** Who is signed in, and in which workspace (null: a member of none, an instance admin only). */
export type SignedIn = {
  sessionId: string;
  user: { id: string; email: string; name: string | null; locale: string };
  workspace: SessionMembership | null;
  memberships: SessionMembership[];
};

/** Opens a session; the token goes in the cookie and is never stored. */
export async function createSession(
  tx: Tx,
  input: { userId: string; workspaceId: string | null; userAgent: string | null; now: Date; maxDays: number },
): Promise<{ token: string; sessionId: string }> {
  const token = randomBytes(32).toString('base64url');
  const [row] = await tx
    .insert(sessions)
    .values({
      userId: input.userId,
      tokenHash: sha256(token),
      workspaceId: input.workspaceId,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      createdAt: input.now,
      lastSeenAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.maxDays * 86_400_000),
    })
    .returning({ id: sessions.id });
  if (!row) throw new Error('session insert returned nothing');
  return { token, sessionId: row.id };
}

export async function membershipsOf(tx: Tx, userId: string): Promise<SessionMembership[]> {
  return tx
    .select({
      workspaceId: memberships.workspaceId,
      workspaceName: workspaces.name,
      timezone: workspaces.timezone,
      role: memberships.role,
      accentColor: workspaces.accentColor,
    })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(workspaces.name));
}

/**
 * The session a cookie token stands for, checked on every request: not revoked, not past its
 * absolute expiry, used within the idle time — and its workspace still one the user belongs to, so
 * a removed member is out on their next request. A user left with no workspace (and no instance
 * rights) is signed out. Activity is written at most once a minute, not on every page.
 */
export async function loadSession(
  database: Database,
  token: string,
  opts: { now: Date; idleMinutes: number; isInstanceAdmin: (email: string) => boolean },
): Promise<SignedIn | null> {
  const { db } = database;
  const idleSince = new Date(opts.now.getTime() - opts.idleMinutes * 60_000);
  const [row] = await db
    .select({
      sessionId: sessions.id,
      workspaceId: sessions.workspaceId,
      user: { id: users.id, email: users.email, name: users.name, locale: users.locale },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, sha256(token)),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, opts.now),
        gt(sessions.lastSeenAt, idleSince),
      ),
    );
  if (!row) return null;
  const all = await membershipsOf(db, row.user.id);
  if (all.length === 0 && !opts.isInstanceAdmin(row.user.email)) return null;
  const workspace = all.find((m) => m.workspaceId === row.workspaceId) ?? all[0] ?? null;
  await db
    .update(sessions)
    .set({ lastSeenAt: opts.now, workspaceId: workspace?.workspaceId ?? null })
    .where(
      and(
        eq(sessions.id, row.sessionId),
        or(
          lt(sessions.lastSeenAt, new Date(opts.now.getTime() - 60_000)),
          sql`${sessions.workspaceId} is distinct from ${workspace?.workspaceId ?? null}::uuid`,
        ),
      ),
    );
  return { sessionId: row.sessionId, user: row.user, workspace, memberships: all };
}

/** Shows another of the user's workspaces in this session; false for one they do not belong to (now). */
export async function switchWorkspace(
  { db }: Database,
  session: Pick<SignedIn, 'sessionId' | 'user'>,
  workspaceId: string,
): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ workspaceId })
    .where(
      and(
        eq(sessions.id, session.sessionId),
        sql`exists (select 1 from ${memberships} where ${memberships.workspaceId} = ${workspaceId}::uuid and ${memberships.userId} = ${session.user.id}::uuid)`,
      ),
    )
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Sign out: this browser only. */
export async function revokeSession({ db }: Database, sessionId: string, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Sign out everywhere: every session of the user, this one included. */
export async function revokeAllSessions({ db }: Database, userId: string, now: Date): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length;
}
