// Outbound webhooks: which endpoints hear which events, the delivery rows an event becomes, and each attempt to send one.
import { randomBytes } from 'node:crypto';
import { and, arrayContains, asc, eq, gte, isNull, sql } from 'drizzle-orm';
import { webhookDisabledEmail } from '../domain/templates/webhook-disabled.ts';
import { webhookRetryDelayMs } from '../domain/webhooks/backoff.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import { enqueueNotification } from '../store/outbox.ts';
import {
  type WebhookEventType,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
  webhookTestEvent,
  workspaces,
} from '../store/schema.ts';
import { newWebhookSecret } from '../webhooks/signing.ts';
import { type Actor, audited } from './audit.ts';

/** A message id as Standard Webhooks likes them: unique, stable across retries. */
const messageId = () => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * Records that `type` happened, as one pending delivery per enabled endpoint subscribed to it, in the
 * caller's transaction: if the change rolls back, no one hears about it. Returns how many.
 */
export async function emitWebhookEvent(
  tx: Tx,
  workspaceId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
  now: Date,
): Promise<number> {
  const endpoints = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(
      and(
        eq(webhooks.workspaceId, workspaceId),
        isNull(webhooks.disabledAt),
        arrayContains(webhooks.eventTypes, [type]),
      ),
    );
  if (endpoints.length === 0) return 0;
  await tx.insert(webhookDeliveries).values(
    endpoints.map((e) => {
      const id = messageId();
      return {
        id,
        webhookId: e.id,
        eventType: type,
        body: JSON.stringify({ type, timestamp: now.toISOString(), data }),
        nextAttemptAt: now,
        createdAt: now,
      };
    }),
  );
  return endpoints.length;
}

export type Webhook = typeof webhooks.$inferSelect;

const webhookAudit = (
  actor: Actor | undefined,
  workspaceId: string,
  action: string,
  detail?: Record<string, unknown>,
) => actor && { actor, workspaceId, action, kind: 'webhook', ...(detail ? { detail } : {}) };

/** Every change below is audited (`webhook.create`, `.update`, `.enable`, `.disable`, `.delete`) when given an actor. */
export async function createWebhook(
  { db }: Database,
  workspaceId: string,
  input: { url: string; eventTypes: WebhookEventType[] },
  actor?: Actor,
): Promise<Webhook> {
  return audited(
    db,
    webhookAudit(actor, workspaceId, 'webhook.create', { ...input }),
    async (tx) => {
      const [row] = await tx
        .insert(webhooks)
        .values({ workspaceId, ...input, secret: newWebhookSecret() })
        .returning();
      if (!row) throw new Error('webhook insert returned nothing');
      return row;
    },
    (row) => row.id,
  );
}

export function listWebhooks({ db }: Database, workspaceId: string): Promise<Webhook[]> {
  return db
    .select()
    .from(webhooks)
    .where(eq(webhooks.workspaceId, workspaceId))
    .orderBy(asc(webhooks.createdAt));
}

export async function getWebhook({ db }: Database, workspaceId: string, id: string): Promise<Webhook | null> {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)));
  return row ?? null;
}

/** Deletes the endpoint with its deliveries and their attempts (cascade); a job already queued finds nothing. */
export async function deleteWebhook(
  { db }: Database,
  workspaceId: string,
  id: string,
  actor?: Actor,
): Promise<boolean> {
  const rows = await audited(
    db,
    webhookAudit(actor, workspaceId, 'webhook.delete'),
    (tx) =>
      tx
        .delete(webhooks)
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)))
        .returning({ id: webhooks.id, url: webhooks.url }),
    (r) => r[0]?.id ?? null,
  );
  return rows.length > 0;
}

/** Switches a disabled endpoint back on with a clean slate; deliveries failed while it was off stay failed. */
export async function enableWebhook(
  { db }: Database,
  workspaceId: string,
  id: string,
  actor?: Actor,
): Promise<Webhook | null> {
  return audited(
    db,
    webhookAudit(actor, workspaceId, 'webhook.enable'),
    async (tx) => {
      const [row] = await tx
        .update(webhooks)
        .set({ disabledAt: null, disabledReason: null, consecutiveFailures: 0 })
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}

/** Changes an endpoint's URL or events (the caller has checked a new URL is public); null when it is not the workspace's. */
export async function updateWebhook(
  database: Database,
  workspaceId: string,
  id: string,
  changes: { url?: string | undefined; eventTypes?: WebhookEventType[] | undefined },
  actor?: Actor,
): Promise<Webhook | null> {
  const set = {
    ...(changes.url !== undefined ? { url: changes.url } : {}),
    ...(changes.eventTypes !== undefined ? { eventTypes: changes.eventTypes } : {}),
  };
  if (Object.keys(set).length === 0) return getWebhook(database, workspaceId, id);
  return audited(
    database.db,
    webhookAudit(actor, workspaceId, 'webhook.update', set),
    async (tx) => {
      const [row] = await tx
        .update(webhooks)
        .set(set)
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}

/** Switches an endpoint off by hand, saying who did (an endpoint already off keeps its first reason). */
export async function disableWebhook(
  { db }: Database,
  workspaceId: string,
  id: string,
  reason: string,
  now: Date,
  actor?: Actor,
): Promise<Webhook | null> {
  return audited(
    db,
    webhookAudit(actor, workspaceId, 'webhook.disable', { reason: reason.slice(0, 500) }),
    async (tx) => {
      const [row] = await tx
        .update(webhooks)
        .set({
          disabledAt: sql`coalesce(${webhooks.disabledAt}, ${now.toISOString()}::timestamptz)`,
          disabledReason: sql`coalesce(${webhooks.disabledReason}, ${reason.slice(0, 500)})`,
        })
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}

/**
 * "Send test": a signed `webhook.test` delivery to this endpoint, sent by the same path as real events
 * (the worker's webhook.deliver job, its attempt log). It is tried once and never counts towards the
 * endpoint's failure streak. A disabled endpoint is refused (409): enable it first. The caller enqueues
 * the returned job so it goes out now; the due scanner sends it anyway if that job is lost.
 */
export async function sendTestWebhook(
  database: Database,
  workspaceId: string,
  id: string,
  now: Date,
): Promise<{ deliveryId: string; attempt: 1 }> {
  const endpoint = await getWebhook(database, workspaceId, id);
  if (!endpoint) throw AppError.notFound(`Webhook ${id}`);
  if (endpoint.disabledAt) {
    throw AppError.conflict('This endpoint is disabled: enable it first, then send a test', [
      { field: 'id', message: 'the endpoint is disabled' },
    ]);
  }
  const deliveryId = messageId();
  await database.db.insert(webhookDeliveries).values({
    id: deliveryId,
    webhookId: id,
    eventType: webhookTestEvent,
    body: JSON.stringify({
      type: webhookTestEvent,
      timestamp: now.toISOString(),
      data: {
        webhookId: id,
        message: 'A test from Surveyflow: this endpoint is reachable and verifies our signature.',
      },
    }),
    nextAttemptAt: now,
    createdAt: now,
  });
  return { deliveryId, attempt: 1 };
}

/** A delivery's status now (the console waits briefly on a test's outcome with it). */
export async function webhookDeliveryStatus({ db }: Database, deliveryId: string) {
  const [row] = await db
    .select({ status: webhookDeliveries.status })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, deliveryId));
  return row?.status ?? null;
}

/** Far longer than any attempt takes (WEBHOOK_TIMEOUT_MS, 10 s by default); a job lost in Redis is tried again after it. */
const DELIVERY_LEASE_MS = 5 * 60_000;

/**
 * Leases due pending deliveries: next_attempt_at moves past the lease, so a job that never runs is
 * claimed again then; SKIP LOCKED lets any number of scanners run. Each comes with its next attempt number.
 */
export async function claimDueWebhookDeliveries(
  { db }: Database,
  now: Date,
  limit: number,
  maxAttempts: number,
): Promise<{ deliveryId: string; attempt: number }[]> {
  // A delivery whose last attempt was claimed but never recorded (its worker died) is over: failed,
  // never an attempt beyond the maximum.
  await db.execute(sql`
    update webhook_deliveries set status = 'failed'
    where status = 'pending' and attempts >= ${maxAttempts}
      and next_attempt_at <= ${now.toISOString()}::timestamptz`);
  const rows = await db.execute<{ id: string; attempts: number }>(sql`
    update webhook_deliveries set next_attempt_at = ${new Date(now.getTime() + DELIVERY_LEASE_MS).toISOString()}::timestamptz
    where id in (
      select id from webhook_deliveries
      where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, attempts`);
  return rows.map((r) => ({ deliveryId: r.id, attempt: r.attempts + 1 }));
}

export type StartedWebhookAttempt = {
  delivery: { id: string; body: string };
  endpoint: { id: string; url: string; secret: string };
};

/**
 * Claims attempt number `attempt` of a delivery: only one caller ever gets it (a duplicate or stale job
 * gets null). A delivery whose endpoint has been disabled is not sent: it fails, with the reason logged
 * as this attempt.
 */
export async function startWebhookAttempt(
  { db }: Database,
  deliveryId: string,
  attempt: number,
  now: Date,
): Promise<StartedWebhookAttempt | { skipped: 'endpoint_disabled' } | null> {
  return db.transaction(async (tx) => {
    const [delivery] = await tx
      .update(webhookDeliveries)
      .set({ attempts: attempt })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          eq(webhookDeliveries.status, 'pending'),
          eq(webhookDeliveries.attempts, attempt - 1),
        ),
      )
      .returning({
        id: webhookDeliveries.id,
        body: webhookDeliveries.body,
        webhookId: webhookDeliveries.webhookId,
      });
    if (!delivery) return null;
    const [endpoint] = await tx.select().from(webhooks).where(eq(webhooks.id, delivery.webhookId));
    if (!endpoint) throw new Error(`webhook delivery ${deliveryId} lost its endpoint`);
    if (endpoint.disabledAt) {
      await tx
        .update(webhookDeliveries)
        .set({ status: 'failed' })
        .where(eq(webhookDeliveries.id, deliveryId));
      await tx.insert(webhookAttempts).values({
        deliveryId,
        attempt,
        error: `not sent: the endpoint is disabled (${endpoint.disabledReason ?? 'no reason recorded'})`,
        durationMs: 0,
        createdAt: now,
      });
      return { skipped: 'endpoint_disabled' as const };
    }
    return {
      delivery: { id: delivery.id, body: delivery.body },
      endpoint: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret },
    };
  });
}

/** What the endpoint did with one attempt: answered with a status code, or could not be reached. */
export type WebhookAttemptOutcome = { durationMs: number } & ({ statusCode: number } | { error: string });

export type WebhookLimits = { maxAttempts: number; disableAfterFailures: number };

export type SettledWebhookAttempt = {
  status: 'delivered' | 'pending' | 'failed';
  /** The "webhook disabled" email to enqueue, when this attempt switched the endpoint off. */
  notificationId: string | null;
};

const succeeded = (o: WebhookAttemptOutcome) =>
  'statusCode' in o && o.statusCode >= 200 && o.statusCode < 300;

const describeOutcome = (o: WebhookAttemptOutcome) => ('statusCode' in o ? `HTTP ${o.statusCode}` : o.error);

/**
 * Records a started attempt and moves the delivery on: delivered on any 2xx; otherwise retried after
 * a backoff until `maxAttempts`, then failed. The endpoint's failure streak resets on success and grows
 * on failure; at `disableAfterFailures` the endpoint is disabled and its workspace told by email.
 * Null when the delivery is gone (its endpoint was deleted) or has moved past this attempt.
 */
export async function settleWebhookAttempt(
  { db }: Database,
  deliveryId: string,
  attempt: number,
  outcome: WebhookAttemptOutcome,
  now: Date,
  limits: WebhookLimits,
): Promise<SettledWebhookAttempt | null> {
  const ok = succeeded(outcome);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ eventType: webhookDeliveries.eventType })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, deliveryId));
    // A test is one attempt and says nothing about the endpoint's streak: an operator trying a URL out
    // must not switch it off.
    const isTest = current?.eventType === webhookTestEvent;
    const status = ok ? 'delivered' : isTest || attempt >= limits.maxAttempts ? 'failed' : 'pending';
    const [delivery] = await tx
      .update(webhookDeliveries)
      .set({
        status,
        deliveredAt: ok ? now : null,
        ...(status === 'pending'
          ? { nextAttemptAt: new Date(now.getTime() + webhookRetryDelayMs(attempt)) }
          : {}),
      })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          eq(webhookDeliveries.status, 'pending'),
          eq(webhookDeliveries.attempts, attempt),
        ),
      )
      .returning({ webhookId: webhookDeliveries.webhookId });
    if (!delivery) return null;
    await tx.insert(webhookAttempts).values({
      deliveryId,
      attempt,
      statusCode: 'statusCode' in outcome ? outcome.statusCode : null,
      error: 'error' in outcome ? outcome.error.slice(0, 500) : null,
      durationMs: Math.round(outcome.durationMs),
      createdAt: now,
    });
    if (ok) {
      await tx.update(webhooks).set({ consecutiveFailures: 0 }).where(eq(webhooks.id, delivery.webhookId));
      return { status, notificationId: null };
    }
    if (isTest) return { status, notificationId: null };
    const notificationId = await countFailure(tx, delivery.webhookId, describeOutcome(outcome), now, limits);
    return { status, notificationId };
  });
}

/** One more failure in the endpoint's streak; the one that reaches the limit disables it and writes the notice. */
async function countFailure(
  tx: Tx,
  webhookId: string,
  lastFailure: string,
  now: Date,
  limits: WebhookLimits,
): Promise<string | null> {
  const [streak] = await tx
    .update(webhooks)
    .set({ consecutiveFailures: sql`${webhooks.consecutiveFailures} + 1` })
    .where(eq(webhooks.id, webhookId))
    .returning({ failures: webhooks.consecutiveFailures });
  const failures = streak?.failures ?? 0;
  const [disabled] = await tx
    .update(webhooks)
    .set({
      disabledAt: now,
      disabledReason: `${failures} failed attempts in a row; the last: ${lastFailure}`.slice(0, 500),
    })
    .where(
      and(
        eq(webhooks.id, webhookId),
        isNull(webhooks.disabledAt),
        gte(webhooks.consecutiveFailures, limits.disableAfterFailures),
      ),
    )
    .returning();
  return disabled ? noticeOfDisabling(tx, disabled, { lastFailure, failures, disabledAt: now }) : null;
}

/** The outbox row for the "webhook disabled" email to the workspace's alert address (none without one). */
async function noticeOfDisabling(
  tx: Tx,
  endpoint: Webhook,
  why: { lastFailure: string; failures: number; disabledAt: Date },
): Promise<string | null> {
  const [workspace] = await tx
    .select({ name: workspaces.name, alertEmail: workspaces.alertEmail })
    .from(workspaces)
    .where(eq(workspaces.id, endpoint.workspaceId));
  if (!workspace?.alertEmail) return null;
  const mail = webhookDisabledEmail({
    workspaceName: workspace.name,
    webhookId: endpoint.id,
    url: endpoint.url,
    ...why,
  });
  const row = await enqueueNotification(tx, {
    workspaceId: endpoint.workspaceId,
    kind: 'webhook_disabled',
    channel: 'email',
    recipient: workspace.alertEmail,
    ...mail,
    dedupeKey: `webhook-disabled:${endpoint.id}:${why.disabledAt.getTime()}`,
  });
  return row?.id ?? null;
}
