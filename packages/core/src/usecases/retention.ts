// Data retention: each workspace's events and messages past its retention_months go, answers keep only their anonymous score.
import { and, asc, eq, inArray, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { retentionHorizon } from '../domain/retention.ts';
import type { Database } from '../store/client.ts';
import { forgetCaseTexts, forgottenAnswer, reasonWithoutDetail } from '../store/forget.ts';
import {
  cases,
  eventDecisions,
  events,
  invitations,
  notifications,
  referrals,
  responses,
  sendRows,
  sends,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
  workspaces,
} from '../store/schema.ts';
import { recordAudit } from './audit.ts';

/**
 * Rows removed (deleted) or stripped of what identifies a person, per table, in one run. The table-by-table
 * rule is in the README ("Data retention") and docs/architecture.md.
 */
export type RetentionCounts = {
  /** Anonymized: survey, score, segment, channel, location and times stay; contact, invitation, event, words go. */
  responses: number;
  /** Cases of those answers: contact link and texts go, status and times stay. */
  cases: number;
  /** Referral links of those answers: the contact link goes; code, clicks and conversions stay (referral metrics). */
  referrals: number;
  /** Stripped: link token, provider ids, failure detail go; who was asked what and when stays (throttles read it). */
  invitations: number;
  events: number;
  eventDecisions: number;
  /** Sent, failed or cancelled messages (alerts, messages to customers, texts, Slack posts, digests). */
  notifications: number;
  webhookDeliveries: number;
  webhookAttempts: number;
  /** The uploaded CSV rows of finished list sends (addresses, names); the send's counters stay. */
  sendRows: number;
};

export const emptyRetentionCounts = (): RetentionCounts => ({
  responses: 0,
  cases: 0,
  referrals: 0,
  invitations: 0,
  events: 0,
  eventDecisions: 0,
  notifications: 0,
  webhookDeliveries: 0,
  webhookAttempts: 0,
  sendRows: 0,
});

/** Rows per statement: each batch is its own short transaction, so no lock is held for long and a crash loses one batch. */
export const RETENTION_BATCH = 1000;

/** Work still in flight is never taken from under its sender, whatever its age. */
const inFlight = ['scheduled', 'queued', 'sending'] as const;

/** Runs `step` until a batch comes back short; returns the sum of its counts. */
async function untilShort(
  batch: number,
  step: () => Promise<Partial<RetentionCounts> & { taken: number }>,
  into: RetentionCounts,
): Promise<void> {
  for (;;) {
    const { taken, ...counts } = await step();
    for (const [k, n] of Object.entries(counts)) into[k as keyof RetentionCounts] += n;
    if (taken < batch) return;
  }
}

/**
 * Applies one workspace's retention: everything older than `months` months before `now`. Idempotent (a
 * second run finds nothing: stripped and anonymized rows are marked, deleted ones are gone) and safe
 * beside another worker doing the same (each batch takes its rows FOR UPDATE SKIP LOCKED).
 */
export async function applyWorkspaceRetention(
  { db }: Database,
  workspaceId: string,
  months: number,
  now: Date,
  batch = RETENTION_BATCH,
): Promise<RetentionCounts> {
  const horizon = retentionHorizon(now, months);
  const counts = emptyRetentionCounts();

  // Answers first: they point at invitations and events, and their cases and referrals follow them.
  await untilShort(
    batch,
    () =>
      db.transaction(async (tx) => {
        const taken = await tx
          .select({ id: responses.id })
          .from(responses)
          .where(
            and(
              eq(responses.workspaceId, workspaceId),
              lt(responses.createdAt, horizon),
              isNull(responses.anonymizedAt),
            ),
          )
          .orderBy(asc(responses.createdAt))
          .limit(batch)
          .for('update', { skipLocked: true });
        if (taken.length === 0) return { taken: 0 };
        const ids = taken.map((r) => r.id);
        await tx
          .update(responses)
          .set({
            ...forgottenAnswer,
            contactId: null,
            invitationId: null,
            eventId: null,
            deviceHash: null,
            clientHash: null,
            anonymizedAt: now,
            // Nothing follows up an anonymous answer any more, and the wipe is not an edit to announce.
            followedUpAt: sql`coalesce(${responses.followedUpAt}, ${now.toISOString()}::timestamptz)`,
            routedAt: sql`case when ${responses.followedUpAt} is null then ${responses.updatedAt} else ${responses.routedAt} end`,
          })
          .where(inArray(responses.id, ids));
        const theirCases = await tx
          .update(cases)
          .set({ contactId: null })
          .where(inArray(cases.responseId, ids))
          .returning({ id: cases.id });
        await forgetCaseTexts(
          tx,
          theirCases.map((c) => c.id),
        );
        const theirReferrals = await tx
          .update(referrals)
          .set({ contactId: null })
          .where(and(inArray(referrals.responseId, ids), isNotNull(referrals.contactId)))
          .returning({ id: referrals.id });
        return {
          taken: ids.length,
          responses: ids.length,
          cases: theirCases.length,
          referrals: theirReferrals.length,
        };
      }),
    counts,
  );

  // Invitations stay as "who was asked which survey when" (the throttle and global contact rule read it),
  // without the link, the provider's ids or the provider's words. A link still valid is left until it expires.
  await untilShort(
    batch,
    async () => {
      const candidates = db
        .select({ id: invitations.id })
        .from(invitations)
        .where(
          and(
            eq(invitations.workspaceId, workspaceId),
            lt(invitations.createdAt, horizon),
            isNull(invitations.strippedAt),
            notInArray(invitations.status, [...inFlight]),
            or(isNull(invitations.tokenExpiresAt), lt(invitations.tokenExpiresAt, now)),
          ),
        )
        .orderBy(asc(invitations.createdAt))
        .limit(batch)
        .for('update', { skipLocked: true });
      const done = await db
        .update(invitations)
        .set({
          tokenSealed: null,
          tokenHash: null,
          providerMessageId: null,
          lastReminderMessageId: null,
          nextReminderAt: null,
          failureReason: reasonWithoutDetail,
          strippedAt: now,
        })
        .where(inArray(invitations.id, candidates))
        .returning({ id: invitations.id });
      return { taken: done.length, invitations: done.length };
    },
    counts,
  );

  // Events (and their decisions) go, unless an invitation they made is still on its way.
  await untilShort(
    batch,
    () =>
      db.transaction(async (tx) => {
        const taken = await tx
          .select({ id: events.id })
          .from(events)
          .where(
            and(
              eq(events.workspaceId, workspaceId),
              lt(events.receivedAt, horizon),
              sql`not exists (select 1 from ${invitations} i where i.event_id = ${events.id} and i.status in ('scheduled', 'queued', 'sending'))`,
            ),
          )
          .orderBy(asc(events.receivedAt))
          .limit(batch)
          .for('update', { skipLocked: true });
        if (taken.length === 0) return { taken: 0 };
        const ids = taken.map((e) => e.id);
        const decisions = await tx
          .delete(eventDecisions)
          .where(inArray(eventDecisions.eventId, ids))
          .returning({ id: eventDecisions.id });
        await tx.delete(events).where(inArray(events.id, ids));
        return { taken: ids.length, events: ids.length, eventDecisions: decisions.length };
      }),
    counts,
  );

  await untilShort(
    batch,
    async () => {
      const candidates = db
        .select({ id: notifications.id })
        .from(notifications)
        .where(
          and(
            eq(notifications.workspaceId, workspaceId),
            lt(notifications.createdAt, horizon),
            notInArray(notifications.status, ['pending', 'sending']),
          ),
        )
        .orderBy(asc(notifications.createdAt))
        .limit(batch)
        .for('update', { skipLocked: true });
      const gone = await db
        .delete(notifications)
        .where(inArray(notifications.id, candidates))
        .returning({ id: notifications.id });
      return { taken: gone.length, notifications: gone.length };
    },
    counts,
  );

  await untilShort(
    batch,
    () =>
      db.transaction(async (tx) => {
        const taken = await tx
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
          .where(
            and(
              eq(webhooks.workspaceId, workspaceId),
              lt(webhookDeliveries.createdAt, horizon),
              sql`${webhookDeliveries.status} <> 'pending'`,
            ),
          )
          .limit(batch)
          .for('update', { of: webhookDeliveries, skipLocked: true });
        if (taken.length === 0) return { taken: 0 };
        const ids = taken.map((d) => d.id);
        const attempts = await tx
          .delete(webhookAttempts)
          .where(inArray(webhookAttempts.deliveryId, ids))
          .returning({ id: webhookAttempts.id });
        await tx.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, ids));
        return { taken: ids.length, webhookDeliveries: ids.length, webhookAttempts: attempts.length };
      }),
    counts,
  );

  await untilShort(
    batch,
    async () => {
      const rows = await db.execute<{ n: number }>(sql`
        with gone as (
          delete from ${sendRows} r
          where (r.send_id, r.line) in (
            select r2.send_id, r2.line from ${sendRows} r2 join ${sends} s on s.id = r2.send_id
            where s.workspace_id = ${workspaceId} and s.created_at < ${horizon.toISOString()}::timestamptz
              and s.state in ('done', 'cancelled')
            limit ${batch} for update of r2 skip locked)
          returning 1)
        select count(*)::int as n from gone`);
      const n = rows[0]?.n ?? 0;
      return { taken: n, sendRows: n };
    },
    counts,
  );

  return counts;
}

export type RetentionRun = {
  workspaces: { workspaceId: string; months: number; horizon: Date; removed: RetentionCounts }[];
  totals: RetentionCounts;
};

/**
 * The daily job: every workspace with a retention setting, one after another, each recorded in its audit
 * log (what went, per table). Workspaces without one (null: keep forever) are not touched.
 */
export async function applyRetention(
  database: Database,
  now: Date,
  batch = RETENTION_BATCH,
): Promise<RetentionRun> {
  const settings = await database.db
    .select({ id: workspaces.id, months: workspaces.retentionMonths })
    .from(workspaces)
    .where(isNotNull(workspaces.retentionMonths))
    .orderBy(asc(workspaces.id));
  const run: RetentionRun = { workspaces: [], totals: emptyRetentionCounts() };
  for (const { id, months } of settings) {
    if (months === null) continue;
    const removed = await applyWorkspaceRetention(database, id, months, now, batch);
    const horizon = retentionHorizon(now, months);
    await recordAudit(database.db, {
      workspaceId: id,
      actor: { kind: 'system', label: 'retention job' },
      action: 'data.retention',
      target: { kind: 'workspace', id },
      detail: { months, horizon: horizon.toISOString(), removed },
    });
    for (const [k, n] of Object.entries(removed)) run.totals[k as keyof RetentionCounts] += n;
    run.workspaces.push({ workspaceId: id, months, horizon, removed });
  }
  return run;
}
