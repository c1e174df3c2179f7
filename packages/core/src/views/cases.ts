// Cases as operators and webhooks see them: one case, a filtered list, a case with its history.
import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '../store/client.ts';
import { afterKey, type Keyset, keysetAt } from '../store/queries/lists.ts';
import {
  type CaseStatus,
  caseEvents,
  cases,
  contacts,
  events,
  responses,
  surveys,
  users,
} from '../store/schema.ts';

type CaseRow = typeof cases.$inferSelect;

/** What a webhook or an API reader is told about a case. */
export function caseView(c: CaseRow, now: Date) {
  return {
    id: c.id,
    status: c.status,
    owner: c.owner,
    assigneeId: c.assigneeId,
    responseId: c.responseId,
    surveyId: c.surveyId,
    dueAt: c.dueAt,
    overdue: c.status !== 'resolved' && c.dueAt <= now,
    escalatedAt: c.escalatedAt,
    resolution: c.resolution,
    resolvedAt: c.resolvedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export type CaseFilter = {
  status?: CaseStatus | undefined;
  /** Only cases not yet resolved (open or acknowledged): what an inbox shows. */
  unresolved?: boolean | undefined;
  owner?: string | undefined;
  /** A member's id, or `none` for the unassigned. */
  assignee?: string | undefined;
  overdue?: boolean | undefined;
  limit: number;
  after?: Keyset | undefined;
};

export async function listCases({ db }: Database, workspaceId: string, f: CaseFilter, now: Date) {
  const overdue = sql`${cases.status} <> 'resolved' and ${cases.dueAt} <= ${now.toISOString()}::timestamptz`;
  const rows = await db
    .select({ case: cases, cursorAt: keysetAt(cases.dueAt) })
    .from(cases)
    .where(
      and(
        eq(cases.workspaceId, workspaceId),
        f.status ? eq(cases.status, f.status) : undefined,
        f.unresolved ? ne(cases.status, 'resolved') : undefined,
        f.owner ? eq(cases.owner, f.owner) : undefined,
        f.assignee === 'none'
          ? isNull(cases.assigneeId)
          : f.assignee
            ? eq(cases.assigneeId, f.assignee)
            : undefined,
        f.overdue === undefined ? undefined : f.overdue ? overdue : sql`not (${overdue})`,
        afterKey(cases.dueAt, cases.id, f.after),
      ),
    )
    .orderBy(asc(cases.dueAt), asc(cases.id))
    .limit(f.limit + 1);
  // limit + 1 rows: the extra one says there is a next page.
  return rows.map((r) => ({ ...caseView(r.case, now), cursorAt: r.cursorAt }));
}

/** A case with the answer behind it and its whole history, oldest change first. */
export async function getCase({ db }: Database, workspaceId: string, id: string, now: Date) {
  const [row] = await db
    .select({ case: cases, response: responses, contact: contacts })
    .from(cases)
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .leftJoin(contacts, eq(contacts.id, cases.contactId))
    .where(and(eq(cases.workspaceId, workspaceId), eq(cases.id, id)));
  if (!row) return null;
  const history = await db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, id))
    .orderBy(asc(caseEvents.id));
  return {
    ...caseView(row.case, now),
    response: {
      score: row.response.score,
      comment: row.response.comment,
      channel: row.response.channel,
      // Answered without a "why?": the page still takes one until the edit window closes, and it joins the case.
      awaitingComment:
        row.response.comment === null && row.response.editableUntil > now
          ? { until: row.response.editableUntil }
          : null,
    },
    contact: row.contact
      ? {
          id: row.contact.externalId,
          name: row.contact.name,
          email: row.contact.email,
          phone: row.contact.phone,
        }
      : null,
    history: history.map((h) => ({ kind: h.kind, actor: h.actor, detail: h.detail, at: h.createdAt })),
  };
}

/** What an inbox row shows beside the case itself: the score, the survey, the customer, the assignee's email. */
export async function caseInboxDetails({ db }: Database, workspaceId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, never>();
  const rows = await db
    .select({
      id: cases.id,
      score: responses.score,
      survey: { id: surveys.id, name: surveys.name, kind: surveys.kind },
      contact: { id: contacts.externalId, name: contacts.name },
      assignee: users.email,
    })
    .from(cases)
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .innerJoin(surveys, eq(surveys.id, cases.surveyId))
    .leftJoin(contacts, eq(contacts.id, cases.contactId))
    .leftJoin(users, eq(users.id, cases.assigneeId))
    .where(and(eq(cases.workspaceId, workspaceId), inArray(cases.id, [...ids])));
  return new Map(
    rows.map(({ id, contact, ...r }) => [id, { ...r, contact: contact?.id ? contact : null }] as const),
  );
}

/**
 * Around a case: its survey, the event behind the answer and its properties, and the customer's
 * other answers (newest first, at most `limit`), each with its own case if it has one.
 */
export async function caseContext({ db }: Database, workspaceId: string, id: string, limit = 20) {
  const [row] = await db
    .select({
      survey: { id: surveys.id, name: surveys.name, kind: surveys.kind },
      properties: responses.properties,
      answeredAt: responses.createdAt,
      eventId: events.externalId,
      eventType: events.type,
      contactId: cases.contactId,
      responseId: cases.responseId,
      assignee: users.email,
    })
    .from(cases)
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .innerJoin(surveys, eq(surveys.id, cases.surveyId))
    .leftJoin(events, eq(events.id, responses.eventId))
    .leftJoin(users, eq(users.id, cases.assigneeId))
    .where(and(eq(cases.workspaceId, workspaceId), eq(cases.id, id)));
  if (!row) return null;
  const { contactId, responseId, ...context } = row;
  const otherAnswers = contactId
    ? await db
        .select({
          score: responses.score,
          comment: responses.comment,
          channel: responses.channel,
          at: responses.createdAt,
          survey: { id: surveys.id, name: surveys.name, kind: surveys.kind },
          caseId: cases.id,
        })
        .from(responses)
        .innerJoin(surveys, eq(surveys.id, responses.surveyId))
        .leftJoin(cases, eq(cases.responseId, responses.id))
        .where(
          and(
            eq(responses.workspaceId, workspaceId),
            eq(responses.contactId, contactId),
            ne(responses.id, responseId),
          ),
        )
        .orderBy(desc(responses.createdAt))
        .limit(limit)
    : [];
  return { ...context, otherAnswers };
}
