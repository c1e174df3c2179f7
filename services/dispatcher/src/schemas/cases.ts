// Cases: detractors' answers to work, with assignee (a member), SLA and history.
import { caseStatuses, schema } from '@surveyflow/core';
import { boolQuery, keysetCursor, pageOf, pageQuery, text, uuid } from '@surveyflow/http';
import { z } from 'zod';

export const CaseListQuery = z.object({
  status: z.enum(caseStatuses).optional(),
  owner: text(200).min(1).optional(),
  assignee: z
    .union([z.literal('none'), uuid], { error: 'must be a member id (GET /v1/members) or none' })
    .optional()
    .describe('Cases of this member (an id from GET /v1/members), or `none` for the unassigned'),
  overdue: boolQuery.optional(),
  limit: pageQuery.limit,
  cursor: keysetCursor.schema.optional(),
});

export const CasePatch = z
  .object({
    status: z.enum(caseStatuses),
    owner: text(200).trim().min(1).nullable(),
    /** The member working the case (an id from GET /v1/members); null unassigns. */
    assigneeId: uuid.nullable(),
    /** Required when resolving: what was done. */
    resolution: text(5000)
      .trim()
      .min(1)
      .describe(
        'What was done: given with status "resolved", and fixed once the case is resolved (reopen it to resolve again).',
      ),
    note: text(5000).trim().min(1),
    /** Sent to the customer when the case is resolved by this change. */
    closingMessage: text(1000).trim().min(1),
  })
  .partial()
  .strict()
  .refine(
    (c) => Object.keys(c).length > 0,
    'must change something: status, assigneeId, owner, resolution or note',
  )
  .meta({
    example: {
      status: 'resolved',
      resolution: 'Refunded the shipping',
      closingMessage: 'Sorry about the delay: we refunded your shipping.',
    },
  });

export const CaseSummary = z
  .object({
    id: z.uuid(),
    status: z.enum(caseStatuses),
    owner: z.string().nullable().describe('Free text from before cases had members; prefer assigneeId'),
    assigneeId: z.uuid().nullable().describe('The member working the case (GET /v1/members)'),
    responseId: z.uuid(),
    surveyId: z.uuid(),
    dueAt: z.date(),
    overdue: z.boolean(),
    escalatedAt: z.date().nullable(),
    resolution: z.string().nullable(),
    resolvedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'CaseSummary' });

export const CaseView = CaseSummary.extend({
  response: z.object({
    score: z.number().int(),
    comment: z.string().nullable(),
    channel: z.enum(schema.channels),
    /** No comment yet: the survey page still takes one until then, and it joins this case. */
    awaitingComment: z.object({ until: z.date() }).nullable(),
  }),
  contact: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
    })
    .nullable(),
  history: z.array(
    z.object({ kind: z.string(), actor: z.string().nullable(), detail: z.unknown(), at: z.date() }),
  ),
  customerNotified: z.boolean().optional(),
}).meta({ id: 'Case' });

export const CaseList = pageOf(CaseSummary);
