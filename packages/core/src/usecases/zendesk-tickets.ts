// Cases mirrored into Zendesk: the link row a survey action writes, the work owed to Zendesk (create the ticket, comment on resolve), leased by the due scanner and settled by the worker.
import { and, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { SurveyAction } from '../domain/actions.ts';
import { type TicketFacts, zendeskRetryDelayMs } from '../domain/connectors/zendesk-ticket.ts';
import { type Segment, segmentOf } from '../domain/scoring.ts';
import { unsealToken } from '../domain/tokens.ts';
import type { Database, Tx } from '../store/client.ts';
import { cases, caseTickets, connectors, contacts, events, responses, surveys } from '../store/schema.ts';
import { addCaseEvent, openCase } from './cases.ts';
import type { RoutedResponse } from './follow-up.ts';

/** Tries per case (the ticket and its comment together; each claim counts, and names its job) before giving up; the reason stays on the row. */
export const ZENDESK_MAX_ATTEMPTS = 10;
const LEASE_MS = 5 * 60_000;

/**
 * The survey action zendesk_ticket: the response's case (opened now with the default SLA if no case
 * action did) gets a link row that owes Zendesk a ticket. Once per case (a replay inserts nothing).
 */
export async function mirrorCase(
  tx: Tx,
  row: RoutedResponse,
  segment: Segment,
  action: Extract<SurveyAction, { type: 'zendesk_ticket' }>,
  now: Date,
): Promise<void> {
  const { response } = row;
  let [found] = await tx.select({ id: cases.id }).from(cases).where(eq(cases.responseId, response.id));
  if (!found) {
    const opened = await openCase(
      tx,
      {
        workspaceId: response.workspaceId,
        responseId: response.id,
        surveyId: response.surveyId,
        contactId: response.contactId,
        slaHours: 48,
        owner: null,
        escalateTo: null,
        detail: { score: response.score, segment, comment: response.comment },
      },
      now,
    );
    if (!opened) return;
    found = { id: opened.id };
  }
  const inserted = await tx
    .insert(caseTickets)
    .values({
      caseId: found.id,
      workspaceId: response.workspaceId,
      connectorId: action.connectorId,
      settings: { tags: action.tags, ...(action.priority ? { priority: action.priority } : {}) },
      nextAttemptAt: now,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ caseId: caseTickets.caseId });
  if (inserted.length > 0) await addCaseEvent(tx, found.id, 'zendesk_requested', 'system', {}, now);
}

/** Leases the owed work that is due (SKIP LOCKED: any number of scanners), each with its attempt number. */
export async function claimDueTicketWork(
  { db }: Database,
  now: Date,
  limit: number,
): Promise<{ caseId: string; attempt: number }[]> {
  const rows = await db.execute<{ case_id: string; attempts: number }>(sql`
    update case_tickets set next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz,
      attempts = attempts + 1
    where case_id in (
      select case_id from case_tickets
      where next_attempt_at <= ${now.toISOString()}::timestamptz
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning case_id, attempts`);
  return rows.map((r) => ({ caseId: r.case_id, attempt: r.attempts }));
}

export type TicketWork = {
  caseId: string;
  attempt: number;
  api: { url: string; email: string; token: string } | null;
  /** Null: the ticket is still to be made. */
  ticketId: string | null;
  commentOwed: boolean;
  resolution: string | null;
  facts: Omit<TicketFacts, 'caseUrl'>;
};

/** What the worker needs for one case's owed work; null when nothing is owed (any more). */
export async function loadTicketWork(
  { db }: Database,
  caseId: string,
  secretKey: string,
): Promise<TicketWork | null> {
  const [row] = await db
    .select({
      link: caseTickets,
      c: cases,
      response: responses,
      survey: surveys,
      contact: contacts,
      event: events,
      connector: connectors,
    })
    .from(caseTickets)
    .innerJoin(cases, eq(cases.id, caseTickets.caseId))
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .innerJoin(surveys, eq(surveys.id, cases.surveyId))
    .innerJoin(connectors, eq(connectors.id, caseTickets.connectorId))
    .leftJoin(contacts, eq(contacts.id, cases.contactId))
    .leftJoin(events, eq(events.id, responses.eventId))
    .where(and(eq(caseTickets.caseId, caseId), isNotNull(caseTickets.nextAttemptAt)));
  if (!row) return null;
  const { link, c, response, survey, contact, event, connector } = row;
  const api = connector.zendeskApi;
  return {
    caseId,
    attempt: link.attempts,
    api: api ? { url: api.url, email: api.email, token: unsealToken(api.tokenSealed, secretKey) } : null,
    ticketId: link.ticketId,
    commentOwed: link.commentDueAt !== null && link.commentPostedAt === null && link.ticketSolvedAt === null,
    resolution: c.resolution,
    facts: {
      caseId,
      surveyName: survey.name,
      score: response.score,
      segment: segmentOf(survey.kind, response.score),
      comment: response.comment,
      contact: contact ? { externalId: contact.externalId, email: contact.email, name: contact.name } : null,
      eventType: event?.type ?? null,
      eventId: event?.externalId ?? null,
      properties: event?.properties ?? {},
      tags: link.settings.tags ?? [],
      priority: link.settings.priority as TicketFacts['priority'],
    },
  };
}

/** The ticket exists: its id is kept, and a comment still owed is due now. */
export async function ticketCreated(
  { db }: Database,
  caseId: string,
  ticketId: string,
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [link] = await tx
      .update(caseTickets)
      .set({
        ticketId,
        ticketCreatedAt: now,
        lastError: null,
        nextAttemptAt: sql`case when ${caseTickets.commentDueAt} is not null and ${caseTickets.commentPostedAt} is null
          and ${caseTickets.ticketSolvedAt} is null then ${now.toISOString()}::timestamptz else null end`,
      })
      .where(eq(caseTickets.caseId, caseId))
      .returning();
    if (link) await addCaseEvent(tx, caseId, 'zendesk_ticket', 'system', { ticketId }, now);
  });
}

export async function resolvedCommentPosted({ db }: Database, caseId: string, now: Date): Promise<void> {
  await db
    .update(caseTickets)
    .set({ commentPostedAt: now, nextAttemptAt: null, lastError: null })
    .where(eq(caseTickets.caseId, caseId));
}

/** A failed call: tried again later, or — permanent (a 4xx, no API set) or out of attempts — given up with the reason. */
export async function ticketWorkFailed(
  { db }: Database,
  caseId: string,
  attempt: number,
  error: string,
  permanent: boolean,
  now: Date,
): Promise<void> {
  const giveUp = permanent || attempt >= ZENDESK_MAX_ATTEMPTS;
  await db
    .update(caseTickets)
    .set({
      lastError: error.slice(0, 500),
      nextAttemptAt: giveUp ? null : new Date(now.getTime() + zendeskRetryDelayMs(attempt)),
    })
    .where(and(eq(caseTickets.caseId, caseId), lte(caseTickets.attempts, attempt)));
}
