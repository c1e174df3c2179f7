// Referrals: a promoter's personal link, the clicks on it (people, not bots) and the orders it brought — recommendations that really happened.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { sha256 } from '../domain/tokens.ts';
import type { Database, Tx } from '../store/client.ts';
import { referralClicks, referrals, workspaces } from '../store/schema.ts';

/** 8 characters a person can read aloud (no 0/o, 1/l): ~40 bits, plenty against guessing one that counts. */
const newReferralCode = () =>
  Array.from(randomBytes(8), (b) => 'abcdefghjkmnpqrstuvwxyz23456789'[b % 31]).join('');

/** The response's referral (made once; a replay gets the same code). */
export async function referralFor(
  tx: Tx,
  input: { workspaceId: string; responseId: string; contactId: string | null },
  now: Date,
): Promise<string> {
  await tx
    .insert(referrals)
    .values({ ...input, code: newReferralCode(), createdAt: now })
    .onConflictDoNothing({ target: referrals.responseId });
  const [row] = await tx
    .select({ code: referrals.code })
    .from(referrals)
    .where(eq(referrals.responseId, input.responseId));
  if (!row) throw new Error(`referral of ${input.responseId} vanished`);
  return row.code;
}

/** User agents of crawlers, link unfurlers and uptime checkers: their visits are not people clicking. */
const BOT =
  /bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|headless|curl|wget|python-requests|httpclient|monitor/i;

export const isBot = (userAgent: string | undefined) => !userAgent || BOT.test(userAgent);

/**
 * A visit to /r/:code: where to send the visitor (null for an unknown code or no referral URL), counted
 * once per visitor per day unless it is a bot.
 */
export async function followReferral(
  { db }: Database,
  code: string,
  visitor: { ip: string; userAgent: string | undefined },
  now: Date,
): Promise<string | null> {
  const [row] = await db
    .select({ id: referrals.id, target: workspaces.referralUrl })
    .from(referrals)
    .innerJoin(workspaces, eq(workspaces.id, referrals.workspaceId))
    .where(eq(referrals.code, code));
  if (!row?.target) return null;
  if (!isBot(visitor.userAgent)) {
    await db
      .insert(referralClicks)
      .values({
        referralId: row.id,
        visitorHash: sha256(`${visitor.ip} ${visitor.userAgent}`),
        day: now.toISOString().slice(0, 10),
        createdAt: now,
      })
      .onConflictDoNothing();
  }
  const url = new URL(row.target);
  url.searchParams.set('ref', code);
  return url.toString();
}

/**
 * An event carrying properties.referralCode (the friend's order) converts the referral, once per
 * event; the referrer's own orders do not count.
 */
export async function recordReferralConversion(
  tx: Tx,
  event: {
    id: string;
    workspaceId: string;
    contactId: string;
    properties: Record<string, unknown>;
    occurredAt: Date;
  },
): Promise<boolean> {
  const code = event.properties.referralCode;
  if (typeof code !== 'string' || !/^[a-z2-9]{8}$/.test(code)) return false;
  const rows = await tx.execute(sql`
    insert into referral_conversions (referral_id, event_id, created_at)
    select id, ${event.id}::uuid, ${event.occurredAt.toISOString()}::timestamptz from referrals
    where code = ${code} and workspace_id = ${event.workspaceId}::uuid
      and contact_id is distinct from ${event.contactId}::uuid
    on conflict (event_id) do nothing
    returning id`);
  return rows.length > 0;
}
