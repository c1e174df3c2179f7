// Answers: one response per invitation, editable for a while, carrying the event's properties (a list send's row's,
// for its invitations) and channel.
import { and, eq, gt, sql } from 'drizzle-orm';
import { answerEdit } from '../domain/answers.ts';
import type { ExtraAnswers } from '../domain/questions.ts';
import { sha256 } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { contacts, events, invitations, responses, surveys, workspaces } from '../store/schema.ts';
import { sendRowProperties } from './sends.ts';

export type SurveyLink = {
  invitation: typeof invitations.$inferSelect;
  survey: typeof surveys.$inferSelect;
  workspace: typeof workspaces.$inferSelect;
  contact: typeof contacts.$inferSelect;
  response: typeof responses.$inferSelect | null;
};

/** What a survey link token opens, or null for a token we never issued. Reads only. */
export async function findSurveyLink({ db }: Database, token: string): Promise<SurveyLink | null> {
  const [row] = await db
    .select({
      invitation: invitations,
      survey: surveys,
      workspace: workspaces,
      contact: contacts,
      response: responses,
    })
    .from(invitations)
    .innerJoin(surveys, eq(surveys.id, invitations.surveyId))
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .innerJoin(contacts, eq(contacts.id, invitations.contactId))
    .leftJoin(responses, eq(responses.invitationId, invitations.id))
    .where(eq(invitations.tokenHash, sha256(token)));
  return row ?? null;
}

/**
 * answerEdit plus the extra answers, merged into those already given: a later post of only the
 * comment keeps the ratings. Survey links and location codes both edit with it.
 */
export function responseEdit(
  answer: { score: number; comment: string | null; answers?: ExtraAnswers | undefined },
  now: Date,
) {
  return {
    ...answerEdit(answer, now),
    ...(answer.answers && Object.keys(answer.answers).length
      ? { answers: sql`${responses.answers} || ${JSON.stringify(answer.answers)}::jsonb` }
      : {}),
  };
}

export type RecordOutcome =
  | { status: 'created' | 'updated'; response: typeof responses.$inferSelect }
  | { status: 'edit_window_closed'; response: typeof responses.$inferSelect };

/**
 * Records the one response of an invitation. A second answer inside the edit window updates it
 * (an empty comment keeps the earlier one); after the window, nothing changes.
 */
export async function recordResponse(
  { db }: Database,
  link: SurveyLink,
  answer: { score: number; comment: string | null; answers?: ExtraAnswers },
  now: Date,
  editWindowMinutes: number,
): Promise<RecordOutcome> {
  const [event] = link.invitation.eventId
    ? await db
        .select({ properties: events.properties })
        .from(events)
        .where(eq(events.id, link.invitation.eventId))
    : link.invitation.sendId
      ? [{ properties: await sendRowProperties(db, link.invitation.id) }]
      : [];
  const [created] = await db
    .insert(responses)
    .values({
      workspaceId: link.invitation.workspaceId,
      invitationId: link.invitation.id,
      surveyId: link.invitation.surveyId,
      contactId: link.invitation.contactId,
      eventId: link.invitation.eventId,
      channel: link.invitation.channel,
      score: answer.score,
      comment: answer.comment,
      properties: event?.properties ?? {},
      answers: answer.answers ?? {},
      createdAt: now,
      updatedAt: now,
      editableUntil: new Date(now.getTime() + editWindowMinutes * 60_000),
    })
    .onConflictDoNothing({ target: responses.invitationId })
    .returning();
  if (created) return { status: 'created', response: created };
  const [updated] = await db
    .update(responses)
    .set(responseEdit(answer, now))
    .where(and(eq(responses.invitationId, link.invitation.id), gt(responses.editableUntil, now)))
    .returning();
  if (updated) return { status: 'updated', response: updated };
  const [existing] = await db.select().from(responses).where(eq(responses.invitationId, link.invitation.id));
  if (!existing) throw new Error(`response for invitation ${link.invitation.id} vanished`);
  return { status: 'edit_window_closed', response: existing };
}
