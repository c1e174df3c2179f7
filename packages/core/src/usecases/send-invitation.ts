// The life of an invitation after planning: claimed when due, claimed again to send (at most once), then sent or failed.
import { and, eq, inArray, like, lt, or, type SQL, sql } from 'drizzle-orm';
import type { SendOutcome } from '../channels.ts';
import { newSurveyToken, sealToken, unsealToken } from '../domain/tokens.ts';
import { MicroBatcher } from '../micro-batcher.ts';
import type { Database } from '../store/client.ts';
import { type ChannelName, contacts, invitations, surveys, triggers, workspaces } from '../store/schema.ts';
import { currentClaim, gaveUpPrefix, recoverStaleClaims } from '../store/send-phases.ts';

const DAY_MS = 86_400_000;

/**
 * Moves due invitations from scheduled to queued; SKIP LOCKED lets any number of scanners run. With
 * `emailBatch` > 1, due emails are cut into batches of that many in the same statement, each row naming
 * its batch (one invitations.send job carries it); texts keep a job each (their queue paces per job).
 * (Raw SQL takes ISO strings: drizzle's postgres-js driver leaves Date serialisation to columns.)
 */
export async function claimDueInvitations(
  { db }: Database,
  now: Date,
  limit: number,
  emailBatch = 1,
): Promise<InvitationToSend[]> {
  const at = now.toISOString();
  const rows = await db.execute<InvitationToSend>(sql`
    with picked as (
      select id, channel, send_at from invitations
      where status = 'scheduled' and send_at <= ${at}::timestamptz and channel <> 'qr'
      order by send_at
      limit ${limit}
      for update skip locked
    ), numbered as (
      select id, channel, (row_number() over (partition by channel order by send_at) - 1) / ${emailBatch} as chunk
      from picked
    ), batches as (
      select channel, chunk, gen_random_uuid() as batch from numbered group by channel, chunk
    )
    update invitations i set status = 'queued', queued_at = ${at}::timestamptz,
      send_batch = case when i.channel = 'email' and ${emailBatch}::int > 1 then b.batch end
    from numbered n join batches b using (channel, chunk)
    where i.id = n.id
    returning i.id, i.channel, i.send_batch as "sendBatch"`);
  return [...rows];
}

export type InvitationToSend = { id: string; channel: ChannelName; sendBatch?: string | null };

/**
 * Queued members of a batch that leave it for a new one (over a rate limit, sent later as their own
 * batch): the rows name the new batch before its job exists, so a crash between leaves them to the reconciler.
 */
export async function moveToBatch({ db }: Database, ids: string[], batchId: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .update(invitations)
    .set({ sendBatch: batchId })
    .where(and(inArray(invitations.id, ids), eq(invitations.status, 'queued')))
    .returning({ id: invitations.id });
  return rows.map((r) => r.id);
}

/** Queued invitations whose job never ran (Redis lost it): enqueue them again. */
export async function staleQueuedInvitations(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<InvitationToSend[]> {
  return db
    .select({ id: invitations.id, channel: invitations.channel, sendBatch: invitations.sendBatch })
    .from(invitations)
    .where(and(eq(invitations.status, 'queued'), lt(invitations.queuedAt, olderThan)))
    .limit(limit);
}

/** Claims whose sender died, by phase (send-phases.ts, the same rule as for notifications). */
export const recoverStaleSends = (
  database: Database,
  now: Date,
  cutoffs: { claimedBefore: Date; handedOverBefore: Date; queuedBefore?: Date },
): Promise<{ requeued: InvitationToSend[]; interrupted: number }> =>
  recoverStaleClaims(database, 'invitations', now, cutoffs);

/**
 * The last step before the provider call: records that the message is being handed over. It holds
 * only for the claim that is still current (a sender that stalled past its lease and was replaced
 * finds its claim gone and sends nothing).
 */
export async function handOverInvitation(
  database: Database,
  id: string,
  claimedAt: Date,
  now: Date,
): Promise<boolean> {
  return sendBatchers(database).handOver.submit({ id, claimedAt, now });
}

/**
 * An operator's resend of an invitation that was interrupted or gave up on a transient error: back
 * to queued, once (a second call finds it queued, sending or sent). It may duplicate a message that
 * did arrive; that is the operator's call. Returns null when there is no such invitation, false when
 * it is in another state.
 */
export async function resendInvitation(
  { db }: Database,
  workspaceId: string,
  id: string,
  now: Date,
): Promise<InvitationToSend | false | null> {
  const [row] = await db
    .update(invitations)
    .set({
      status: 'queued',
      queuedAt: now,
      claimedAt: null,
      handedOverAt: null,
      failureReason: null,
      resentAt: now,
      sendBatch: null,
    })
    .where(
      and(
        eq(invitations.id, id),
        eq(invitations.workspaceId, workspaceId),
        or(
          eq(invitations.status, 'interrupted'),
          and(eq(invitations.status, 'failed'), like(invitations.failureReason, `${gaveUpPrefix}%`)),
        ),
      ),
    )
    .returning({ id: invitations.id, channel: invitations.channel });
  if (row) return row;
  const [exists] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId)));
  return exists ? false : null;
}

export type ClaimedInvitation = {
  invitation: typeof invitations.$inferSelect;
  contact: typeof contacts.$inferSelect;
  survey: typeof surveys.$inferSelect;
  workspace: typeof workspaces.$inferSelect;
  /** The survey link token, for the message about to be sent (stored only hashed and sealed). */
  token: string;
  /** The trigger's reminder policy, if it has one. */
  reminders: { count: number; afterDays: number } | null;
};

/**
 * Claims the queued members of a batch job in one transaction; each result is null for one that is
 * not queued any more (sent, claimed by another sender, cancelled).
 */
export async function claimInvitationsForSend(
  database: Database,
  invitationIds: string[],
  now: Date,
  opts: { tokenTtlDays: number; secret: string },
): Promise<(ClaimedInvitation | null)[]> {
  if (invitationIds.length === 0) return [];
  return claimBatch(
    database,
    invitationIds.map((id) => ({ id, now, ...opts })),
  );
}

/**
 * Claims a queued invitation for sending: only one caller ever gets it. A contact who opted out
 * since planning is not sent anything (the invitation is cancelled instead).
 */
export async function claimInvitationForSend(
  database: Database,
  invitationId: string,
  now: Date,
  opts: { tokenTtlDays: number; secret: string },
): Promise<ClaimedInvitation | null> {
  return sendBatchers(database).claim.submit({ id: invitationId, now, ...opts });
}

type ClaimRequest = { id: string; now: Date; tokenTtlDays: number; secret: string };

/** Only the first request for an id in a batch may win its claim; a repeat gets nothing, as a second sender would. */
function firstOfEach<T extends { id: string }>(items: T[]): Map<string, { item: T; index: number }> {
  const first = new Map<string, { item: T; index: number }>();
  items.forEach((item, index) => {
    if (!first.has(item.id)) first.set(item.id, { item, index });
  });
  return first;
}

/** A per-row value looked up by the row's id in one JSON parameter (one statement, whatever the batch size). */
const byId = (values: Record<string, string | number | null>) =>
  sql`(${JSON.stringify(values)}::jsonb ->> ${invitations.id}::text)`;

/**
 * Claims a batch in one transaction: the compare-and-set from queued to sending holds row by row, so
 * each invitation still goes to exactly one caller; the contacts, surveys and triggers are read in one
 * query, and those who opted out (or bounced) since planning are cancelled in one update.
 */
async function claimBatch({ db }: Database, requests: ClaimRequest[]): Promise<(ClaimedInvitation | null)[]> {
  const first = firstOfEach(requests);
  const fresh = requests.map(() => newSurveyToken());
  const pick = <V>(f: (r: ClaimRequest, i: number) => V) =>
    Object.fromEntries([...first.values()].map(({ item, index }) => [item.id, f(item, index) as V]));
  const hash = pick((_r, i) => fresh[i]?.hash ?? '');
  const sealed = pick((r, i) => sealToken(fresh[i]?.token ?? '', r.secret));
  const expires = pick((r) => new Date(r.now.getTime() + r.tokenTtlDays * DAY_MS).toISOString());
  const claimedAt = pick((r) => r.now.toISOString());
  return db.transaction(async (tx) => {
    // A link minted before (by a claim that may have delivered it) is kept; otherwise a new one.
    const noKeptLink = sql`(${invitations.tokenSealed} is null or ${invitations.tokenHash} is null)`;
    const claimed = await tx
      .update(invitations)
      .set({
        status: 'sending',
        tokenHash: sql`case when ${noKeptLink} then ${byId(hash)} else ${invitations.tokenHash} end`,
        tokenSealed: sql`case when ${noKeptLink} then ${byId(sealed)} else ${invitations.tokenSealed} end`,
        tokenExpiresAt: sql`case when ${noKeptLink} then ${byId(expires)}::timestamptz else ${invitations.tokenExpiresAt} end`,
        claimedAt: sql`${byId(claimedAt)}::timestamptz`,
        handedOverAt: null,
      })
      .where(and(inArray(invitations.id, [...first.keys()]), eq(invitations.status, 'queued')))
      .returning();
    if (claimed.length === 0) return requests.map(() => null);
    const related = await tx
      .select({
        invitationId: invitations.id,
        contact: contacts,
        survey: surveys,
        workspace: workspaces,
        trigger: triggers,
      })
      .from(invitations)
      .innerJoin(contacts, eq(contacts.id, invitations.contactId))
      .innerJoin(surveys, eq(surveys.id, invitations.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
      .leftJoin(triggers, eq(triggers.id, invitations.triggerId))
      .where(
        inArray(
          invitations.id,
          claimed.map((i) => i.id),
        ),
      );
    const relatedById = new Map(related.map((r) => [r.invitationId, r]));
    const results = new Map<string, ClaimedInvitation>();
    const stopped = new Map<string, string[]>();
    for (const invitation of claimed) {
      const row = relatedById.get(invitation.id);
      if (!row) throw new Error(`invitation ${invitation.id} lost its contact or survey`);
      // Opted out, or the address bounced, since planning: nothing is sent.
      const reason = row.contact.optedOutAt
        ? 'opted_out'
        : invitation.channel === 'email' && row.contact.emailBouncedAt
          ? 'email_bounced'
          : null;
      if (reason) {
        stopped.set(reason, [...(stopped.get(reason) ?? []), invitation.id]);
        continue;
      }
      const at = first.get(invitation.id);
      const own = at ? fresh[at.index] : undefined;
      const secret = at?.item.secret ?? '';
      const token =
        own && (invitation.tokenHash === own.hash || !invitation.tokenSealed)
          ? own.token
          : unsealToken(invitation.tokenSealed ?? '', secret);
      const { trigger, contact, survey, workspace } = row;
      const reminders =
        trigger && trigger.reminderCount > 0
          ? { count: trigger.reminderCount, afterDays: trigger.reminderAfterDays }
          : null;
      results.set(invitation.id, { invitation, contact, survey, workspace, token, reminders });
    }
    for (const [reason, ids] of stopped)
      await tx
        .update(invitations)
        .set({ status: 'cancelled', failureReason: reason, tokenHash: null, tokenSealed: null })
        .where(inArray(invitations.id, ids));
    return requests.map((r, i) => (first.get(r.id)?.index === i ? (results.get(r.id) ?? null) : null));
  });
}

/** Hand-overs of concurrent sends in one update; each holds only for its own current claim. */
async function handOverBatch(
  { db }: Database,
  items: { id: string; claimedAt: Date; now: Date }[],
): Promise<boolean[]> {
  const first = firstOfEach(items);
  const at = Object.fromEntries([...first.values()].map(({ item }) => [item.id, item.now.toISOString()]));
  const rows = await db
    .update(invitations)
    .set({ handedOverAt: sql`${byId(at)}::timestamptz` })
    .where(or(...[...first.values()].map(({ item }) => currentClaim(invitations, item.id, item.claimedAt))))
    .returning({ id: invitations.id });
  const won = new Set(rows.map((r) => r.id));
  return items.map((item, i) => won.has(item.id) && first.get(item.id)?.index === i);
}

type Sent = Extract<SendOutcome, { sent: string }> & { id: string };

/** Sends that went out, recorded together (the hot path; failures and retries are rare and go one by one). */
async function settleSentBatch({ db }: Database, items: Sent[]): Promise<undefined[]> {
  const pick = (f: (s: Sent) => string | number | null) => Object.fromEntries(items.map((s) => [s.id, f(s)]));
  await db
    .update(invitations)
    .set({
      status: 'sent',
      providerMessageId: byId(pick((s) => s.sent)) as SQL<string>,
      sentAt: sql`${byId(pick((s) => s.at.toISOString()))}::timestamptz`,
      nextReminderAt: sql`${byId(pick((s) => s.nextReminderAt?.toISOString() ?? null))}::timestamptz`,
      segments: sql`${byId(pick((s) => s.segments ?? null))}::integer`,
    })
    .where(
      and(
        inArray(
          invitations.id,
          items.map((s) => s.id),
        ),
        inArray(invitations.status, ['sending', 'interrupted']),
      ),
    );
  return items.map(() => undefined);
}

type RateLimit = { workspaceId: string; perSecond: number | null };

async function rateLimitBatch({ db }: Database, ids: string[]): Promise<(RateLimit | null)[]> {
  const rows = await db
    .select({ id: invitations.id, workspaceId: workspaces.id, perSecond: workspaces.emailRatePerSecond })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(inArray(invitations.id, [...new Set(ids)]));
  const byInvitation = new Map(rows.map(({ id, ...limit }) => [id, limit]));
  return ids.map((id) => byInvitation.get(id) ?? null);
}

/**
 * One set of batchers per database: a worker's concurrent sends share their statements and commits. A
 * caller is answered only after its batch committed, so a hand-over is as durable as when it ran alone.
 */
const batchersOf = new WeakMap<Database, ReturnType<typeof newSendBatchers>>();
const BATCHING = { maxBatch: 100, maxInFlight: 2 };

function newSendBatchers(database: Database) {
  return {
    rateLimit: new MicroBatcher((ids: string[]) => rateLimitBatch(database, ids), BATCHING),
    claim: new MicroBatcher((r: ClaimRequest[]) => claimBatch(database, r), BATCHING),
    handOver: new MicroBatcher(
      (items: { id: string; claimedAt: Date; now: Date }[]) => handOverBatch(database, items),
      BATCHING,
    ),
    sent: new MicroBatcher((items: Sent[]) => settleSentBatch(database, items), BATCHING),
  };
}

function sendBatchers(database: Database) {
  let batchers = batchersOf.get(database);
  if (!batchers) {
    batchers = newSendBatchers(database);
    batchersOf.set(database, batchers);
  }
  return batchers;
}

/**
 * Records how a claimed send ended: sent (with the provider's message id), failed for good (the
 * reason lands on the row), or to be retried (nothing left the building, so it may be claimed again).
 * A send marked interrupted while it was still running records its outcome all the same.
 */
export async function settleInvitation(database: Database, id: string, outcome: SendOutcome) {
  // A send that outlived its lease and was marked interrupted still records its provider's word (see settleSentBatch).
  if ('sent' in outcome) {
    await sendBatchers(database).sent.submit({ ...outcome, id });
    return;
  }
  const set =
    'failed' in outcome
      ? {
          status: 'failed' as const,
          failureReason: outcome.failed.slice(0, 500),
          tokenHash: null,
          tokenSealed: null,
        }
      : // Nothing left the building; the link (if any) is kept for the next claim, which is its own job.
        { status: 'queued' as const, claimedAt: null, handedOverAt: null, sendBatch: null };
  await database.db
    .update(invitations)
    .set(set)
    .where(and(eq(invitations.id, id), eq(invitations.status, 'sending')));
}

/** The workspace of an invitation and its own email rate limit, read before claiming a send. */
export async function invitationRateLimit(database: Database, invitationId: string) {
  return sendBatchers(database).rateLimit.submit(invitationId);
}

/** A batch's members still to send (queued), oldest due first, each with its workspace's email rate limit. */
export async function batchMembers(
  { db }: Database,
  batchId: string,
): Promise<({ id: string } & RateLimit)[]> {
  return db
    .select({ id: invitations.id, workspaceId: workspaces.id, perSecond: workspaces.emailRatePerSecond })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(and(eq(invitations.sendBatch, batchId), eq(invitations.status, 'queued')))
    .orderBy(invitations.sendAt);
}
