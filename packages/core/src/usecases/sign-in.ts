// Sign-in by a one-time emailed link: issued stored only hashed, mailed through the outbox, consumed once by a POST into a session.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { pickLocale } from '../domain/templates/locales.ts';
import { signInEmail } from '../domain/templates/sign-in-email.ts';
import { sha256, signInToken } from '../domain/tokens.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import { enqueueNotification, type NotificationToSend } from '../store/outbox.ts';
import { signInLinks, users, workspaces } from '../store/schema.ts';
import { recordAudit } from './audit.ts';
import { createSession, membershipsOf, type SessionPolicy } from './sessions.ts';

/** How long a sign-in link (or invitation) works. */
export const SIGN_IN_LINK_MINUTES = 15;

/** Addresses are compared lower-cased and trimmed: Jane@Shop.test and jane@shop.test are one person. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Link tokens are base64url of 32 bytes; anything else is not worth a lookup. */
export const looksLikeSignInToken = (value: string) => /^[A-Za-z0-9_-]{43}$/.test(value);

/** The URL a link token opens (its GET only shows a "Sign in" button). */
export const signInUrl = (publicUrl: string, token: string) => `${publicUrl}/app/sign-in/${token}`;

/** Writes a new one-time link for the user; only its hash is kept (the token is derived from its id, signInToken). */
export async function issueSignInLink(
  tx: Tx,
  input: { userId: string; workspaceId: string | null; now: Date; secret: string },
): Promise<{ token: string; linkId: string }> {
  const id = randomUUID();
  const token = signInToken(input.secret, id);
  const [row] = await tx
    .insert(signInLinks)
    .values({
      id,
      userId: input.userId,
      tokenHash: sha256(token),
      workspaceId: input.workspaceId,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + SIGN_IN_LINK_MINUTES * 60_000),
    })
    .returning({ id: signInLinks.id });
  if (!row) throw new Error('sign-in link insert returned nothing');
  return { token, linkId: row.id };
}

/** The user with this address, made now if `create` (instance admins may sign in before any workspace has them). */
export async function findOrCreateUser(
  tx: Tx,
  email: string,
  create: boolean,
): Promise<{ id: string; email: string; locale: string } | null> {
  const address = normalizeEmail(email);
  const [found] = await tx
    .select({ id: users.id, email: users.email, locale: users.locale })
    .from(users)
    .where(eq(users.email, address));
  if (found || !create) return found ?? null;
  await tx.insert(users).values({ email: address }).onConflictDoNothing({ target: users.email });
  const [made] = await tx
    .select({ id: users.id, email: users.email, locale: users.locale })
    .from(users)
    .where(eq(users.email, address));
  return made ?? null;
}

/** Mails a sign-in link through the outbox (the outbox row needs a workspace: the one the link leads into). */
export async function mailSignInLink(
  tx: Tx,
  input: {
    user: { id: string; email: string; locale: string };
    workspaceId: string;
    publicUrl: string;
    secret: string;
    now: Date;
    invitation?: { inviter: string; workspace: string };
  },
): Promise<NotificationToSend | null> {
  const { linkId } = await issueSignInLink(tx, {
    userId: input.user.id,
    workspaceId: input.invitation ? input.workspaceId : null,
    now: input.now,
    secret: input.secret,
  });
  // The stored mail carries a slot, not the token: the sender fills it (fillSignInLink).
  const mail = signInEmail({
    locale: pickLocale(input.user.locale),
    url: signInUrl(input.publicUrl, SIGN_IN_TOKEN_SLOT),
    minutes: SIGN_IN_LINK_MINUTES,
    invitation: input.invitation,
  });
  return enqueueNotification(tx, {
    workspaceId: input.workspaceId,
    kind: input.invitation ? 'invitation' : 'sign_in',
    channel: 'email',
    recipient: input.user.email,
    ...mail,
    dedupeKey: `${SIGN_IN_KEY}${linkId}`,
  });
}

const SIGN_IN_KEY = 'sign_in:';
/** Where the token goes in a stored sign-in mail; never a valid token (looksLikeSignInToken refuses it). */
export const SIGN_IN_TOKEN_SLOT = 'sign-in-token';

/** At send time: puts the link's token into a sign-in mail (by its dedupe key, which names the link). */
export function fillSignInLink<M extends { html: string; text: string }>(
  message: M,
  dedupeKey: string,
  secret: string,
): M {
  if (!dedupeKey.startsWith(SIGN_IN_KEY)) return message;
  const token = signInToken(secret, dedupeKey.slice(SIGN_IN_KEY.length));
  const fill = (s: string) => s.replaceAll(`/app/sign-in/${SIGN_IN_TOKEN_SLOT}`, `/app/sign-in/${token}`);
  return { ...message, html: fill(message.html), text: fill(message.text) };
}

/**
 * "Email me a link". The caller answers the same whatever happens here, so the form cannot tell
 * who has an account: an address with no workspace (and no instance rights) gets nothing.
 */
export async function requestSignIn(
  { db }: Database,
  input: {
    email: string;
    publicUrl: string;
    secret: string;
    now: Date;
    isInstanceAdmin: (email: string) => boolean;
  },
): Promise<NotificationToSend[]> {
  const email = normalizeEmail(input.email);
  return db.transaction(async (tx) => {
    const user = await findOrCreateUser(tx, email, input.isInstanceAdmin(email));
    if (!user) return [];
    const [first] = await membershipsOf(tx, user.id);
    const workspaceId =
      first?.workspaceId ??
      (input.isInstanceAdmin(email)
        ? (
            await tx
              .select({ id: workspaces.id })
              .from(workspaces)
              .orderBy(asc(workspaces.createdAt))
              .limit(1)
          )[0]?.id
        : undefined);
    if (!workspaceId) return [];
    const sent = await mailSignInLink(tx, {
      user,
      workspaceId,
      publicUrl: input.publicUrl,
      secret: input.secret,
      now: input.now,
    });
    return sent ? [sent] : [];
  });
}

/** What the link's confirm page may say before anyone presses "Sign in" (nothing is changed by asking). */
export async function peekSignInLink(
  { db }: Database,
  token: string,
  now: Date,
): Promise<{ email: string; state: 'valid' | 'used' | 'expired' } | null> {
  if (!looksLikeSignInToken(token)) return null;
  const [row] = await db
    .select({ email: users.email, usedAt: signInLinks.usedAt, expiresAt: signInLinks.expiresAt })
    .from(signInLinks)
    .innerJoin(users, eq(users.id, signInLinks.userId))
    .where(eq(signInLinks.tokenHash, sha256(token)));
  if (!row) return null;
  const state = row.usedAt ? 'used' : row.expiresAt <= now ? 'expired' : 'valid';
  return { email: row.email, state };
}

/**
 * The POST behind the "Sign in" button: uses the link up (once, whoever is first, even when two
 * presses race) and opens a session in the workspace it leads into, else the user's first.
 * Unknown links are not_found; used or expired ones are gone.
 */
export async function consumeSignInLink(
  { db }: Database,
  token: string,
  opts: SessionPolicy & {
    now: Date;
    userAgent: string | null;
    /** The browser's language: kept as the user's own at their first sign-in. */
    locale?: string | undefined;
    isInstanceAdmin: (email: string) => boolean;
  },
): Promise<{ token: string; userId: string; workspaceId: string | null }> {
  if (!looksLikeSignInToken(token)) throw AppError.notFound('Sign-in link');
  return db.transaction(async (tx) => {
    const [link] = await tx
      .update(signInLinks)
      .set({ usedAt: opts.now })
      .where(and(eq(signInLinks.tokenHash, sha256(token)), isNull(signInLinks.usedAt)))
      .returning();
    if (!link) {
      const [used] = await tx
        .select({ id: signInLinks.id })
        .from(signInLinks)
        .where(eq(signInLinks.tokenHash, sha256(token)));
      if (used) throw AppError.gone('This sign-in link was already used: ask for a new one');
      throw AppError.notFound('Sign-in link');
    }
    if (link.expiresAt <= opts.now) {
      throw AppError.gone(`This sign-in link has expired (links work for ${SIGN_IN_LINK_MINUTES} minutes)`);
    }
    const [user] = await tx.select().from(users).where(eq(users.id, link.userId));
    if (!user) throw AppError.notFound('Sign-in link');
    const all = await membershipsOf(tx, user.id);
    if (all.length === 0 && !opts.isInstanceAdmin(user.email)) {
      throw AppError.forbidden('You are no longer a member of any workspace');
    }
    const workspace = all.find((m) => m.workspaceId === link.workspaceId) ?? all[0] ?? null;
    const session = await createSession(tx, {
      userId: user.id,
      workspaceId: workspace?.workspaceId ?? null,
      userAgent: opts.userAgent,
      now: opts.now,
      maxDays: opts.maxDays,
    });
    await tx
      .update(users)
      .set({
        lastSignInAt: opts.now,
        ...(user.lastSignInAt === null && opts.locale ? { locale: pickLocale(opts.locale) } : {}),
      })
      .where(eq(users.id, user.id));
    await recordAudit(tx, {
      workspaceId: workspace?.workspaceId ?? null,
      actor: { kind: 'user', id: user.id, label: user.email },
      action: 'sign_in',
      target: { kind: 'session', id: session.sessionId },
      detail: { invitation: link.workspaceId !== null },
    });
    return { token: session.token, userId: user.id, workspaceId: workspace?.workspaceId ?? null };
  });
}
