// What forgetting a person's data does to a row, table by table: shared by erasure (one person) and retention (one horizon).
import { inArray, sql } from 'drizzle-orm';
import type { Tx } from './client.ts';
import { caseEvents, cases, invitations, responses } from './schema.ts';

/** A response's extra answers with only the ratings (numbers) left: words may identify, a rating is as anonymous as the score. */
export const ratingsOnly = sql`(select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from jsonb_each(${responses.answers}) as a(key, value) where jsonb_typeof(value) = 'number')`;

/** What an answer keeps of its words once forgotten: no comment, no copied event properties, ratings only. */
export const forgottenAnswer = { comment: null, properties: {}, answers: ratingsOnly } as const;

/** An invitation's failure reason without the provider's detail after the colon (it may quote the address). */
export const reasonWithoutDetail = sql`split_part(${invitations.failureReason}, ':', 1)`;

/** Cases keep their status, times and owner; what people wrote in them (comments, notes, the resolution) goes. */
export async function forgetCaseTexts(tx: Tx, caseIds: string[]): Promise<void> {
  if (caseIds.length === 0) return;
  await tx
    .update(caseEvents)
    .set({ detail: sql`${caseEvents.detail} - 'comment' - 'note' - 'resolution'` })
    .where(inArray(caseEvents.caseId, caseIds));
  await tx
    .update(cases)
    .set({ resolution: sql`case when ${cases.resolution} is null then null else '[erased]' end` })
    .where(inArray(cases.id, caseIds));
}
