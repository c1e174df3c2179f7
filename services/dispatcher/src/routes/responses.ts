// /v1/responses: answers with their contact (or place, for anonymous ones), event and properties, newest first, keyset-paged.
import { type AppContext, contactView, listResponses, segmentOf } from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

export const periodQuery = {
  from: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
};

const cursor = z.string().transform((v, ctx) => {
  try {
    const [t, id] = JSON.parse(Buffer.from(v, 'base64url').toString()) as [string, string];
    return z.object({ createdAt: z.coerce.date(), id: z.uuid() }).parse({ createdAt: t, id });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
    return z.NEVER;
  }
});

const query = z.object({
  surveyId: z.uuid('must be a UUID').optional(),
  ...periodQuery,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
});

export function responseRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/v1/responses', async (request) => {
    const q = parseInput(query, request.query);
    const { rows, hasMore } = await listResponses(ctx.database, request.workspaceId, {
      ...q,
      after: q.cursor,
    });
    const last = rows.at(-1)?.response;
    return {
      data: rows.map(({ response: r, contact, location, surveyKind, eventExternalId, eventType }) => ({
        id: r.id,
        surveyId: r.surveyId,
        invitationId: r.invitationId,
        score: r.score,
        segment: segmentOf(surveyKind, r.score),
        comment: r.comment,
        channel: r.channel,
        contact: contact ? contactView(contact) : null,
        location,
        event: eventExternalId ? { id: eventExternalId, type: eventType } : null,
        properties: r.properties,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      })),
      nextCursor:
        hasMore && last
          ? Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url')
          : null,
    };
  });
}
