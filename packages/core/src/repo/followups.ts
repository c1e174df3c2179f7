// What happens after an answer: the follow-up work for a response is created once, as outbox rows.
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { contacts, events, locations, notifications, responses, surveys, workspaces } from '../db/schema.ts';
import { segmentOf } from '../scoring.ts';
import { alertEmail } from '../templates/emails.ts';
import type { SendOutcome } from './invitations.ts';

/**
 * Creates the follow-up messages for one response. The followed_up_at compare-and-set and the
 * notification's dedupe key make a replayed job create nothing.
 */
export async function followUpResponse({ db }: Database, responseId: string, now: Date): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [response] = await tx
      .update(responses)
      .set({ followedUpAt: now })
      .where(and(eq(responses.id, responseId), isNull(responses.followedUpAt)))
      .returning();
    if (!response) return [];
    const [row] = await tx
      .select({
        survey: surveys,
        workspace: workspaces,
        contact: contacts,
        eventType: events.type,
        locationName: locations.name,
      })
      .from(surveys)
      .innerJoin(workspaces, eq(workspaces.id, surveys.workspaceId))
      .leftJoin(contacts, eq(contacts.id, response.contactId ?? sql`null`))
      .leftJoin(locations, eq(locations.id, response.locationId ?? sql`null`))
      .leftJoin(events, eq(events.id, response.eventId ?? sql`null`))
      .where(eq(surveys.id, response.surveyId));
    if (!row) throw new Error(`response ${responseId} lost its survey`);
    const segment = segmentOf(row.survey.kind, response.score);
    if (segment !== 'detractor' || !row.workspace.alertEmail) return [];

    const mail = alertEmail({
      workspaceName: row.workspace.name,
      surveyName: row.survey.name,
      kind: row.survey.kind,
      score: response.score,
      segment,
      comment: response.comment,
      contact: row.contact ?? {
        externalId: `anonymous, at ${row.locationName ?? 'a location'}`,
        name: null,
        email: null,
        phone: null,
      },
      eventType: row.eventType,
      properties: response.properties,
      answeredAt: response.createdAt,
    });
    const inserted = await tx
      .insert(notifications)
      .values({
        workspaceId: response.workspaceId,
        kind: 'detractor_alert',
        channel: 'email',
        recipient: row.workspace.alertEmail,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        dedupeKey: `alert:${response.id}`,
      })
      .onConflictDoNothing({ target: notifications.dedupeKey })
      .returning({ id: notifications.id });
    return inserted.map((n) => n.id);
  });
}

/** Responses whose follow-up never ran (job lost, or still waiting for a comment past its time). */
export async function unfollowedResponseIds(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: responses.id })
    .from(responses)
    .where(and(isNull(responses.followedUpAt), lt(responses.createdAt, olderThan)))
    .limit(limit);
  return rows.map((r) => r.id);
}

export type ClaimedNotification = typeof notifications.$inferSelect;

/** Claims a pending notification for sending; only one caller ever gets it. */
export async function claimNotification({ db }: Database, id: string): Promise<ClaimedNotification | null> {
  const [row] = await db
    .update(notifications)
    .set({ status: 'sending' })
    .where(and(eq(notifications.id, id), eq(notifications.status, 'pending')))
    .returning();
  return row ?? null;
}

export async function settleNotification({ db }: Database, id: string, outcome: SendOutcome) {
  const set =
    'sent' in outcome
      ? { status: 'sent' as const, providerMessageId: outcome.sent, sentAt: outcome.at }
      : 'failed' in outcome
        ? { status: 'failed' as const, failureReason: outcome.failed.slice(0, 500) }
        : { status: 'pending' as const };
  await db
    .update(notifications)
    .set(set)
    .where(and(eq(notifications.id, id), eq(notifications.status, 'sending')));
}

/** Pending notifications whose send job was lost. */
export async function pendingNotificationIds(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.status, 'pending'), lt(notifications.createdAt, olderThan)))
    .limit(limit);
  return rows.map((r) => r.id);
}
