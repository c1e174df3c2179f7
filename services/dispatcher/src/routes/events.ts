// /v1/events: accept events (one or a batch of up to 1,000), idempotent on the producer's id; show what became of one.
import {
  type AppContext,
  AppError,
  type ErrorBody,
  errorBody,
  eventIdsOf,
  eventView,
  type IncomingEvent,
  type IngestResult,
  ingestEvents,
  isValidTimeZone,
} from '@surveyflow/core';
import { fieldPath, parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MicroBatcher } from '../micro-batcher.ts';
import { requireSignedBody } from '../raw-json.ts';

const MAX_BATCH = 1000;
const DAY_MS = 86_400_000;
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => (v === null ? undefined : v));

const contactDetails = {
  email: z.email().max(320),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +48600100200'),
  name: z.string().trim().max(200),
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pl-PL'),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Warsaw'),
};

/** A contact's details as PATCH /v1/contacts/:id takes them: null clears one. */
export const contactFields = {
  email: contactDetails.email.nullable(),
  phone: contactDetails.phone.nullable(),
  name: contactDetails.name.nullable(),
  locale: contactDetails.locale.nullable(),
  timezone: contactDetails.timezone.nullable(),
};

const contactSchema = z.object({
  id: z.string().trim().min(1).max(200),
  email: optional(contactDetails.email),
  phone: optional(contactDetails.phone),
  name: optional(contactDetails.name),
  locale: optional(contactDetails.locale),
  timezone: optional(contactDetails.timezone),
});

export const eventSchema = z.object({
  id: z.string().trim().min(1).max(200),
  type: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1–100 letters, digits or . _ : -, e.g. order.delivered'),
  occurredAt: optional(z.iso.datetime({ offset: true })),
  contact: contactSchema,
  properties: optional(z.record(z.string(), z.unknown())),
});

const batchSchema = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) });

type ItemResult =
  | { index: number; id: string; status: 'accepted' | 'duplicate'; duplicate: boolean }
  | { index: number; status: 'rejected'; error: ErrorBody['error'] };

/** Parses one event; occurredAt is checked against the clock here, since schemas must not read time. */
export function parseEvent(raw: unknown, now: Date, prefix?: string): IncomingEvent {
  const e = parseInput(eventSchema, raw, prefix);
  const occurredAt = e.occurredAt ? new Date(e.occurredAt) : now;
  if (occurredAt.getTime() > now.getTime() + DAY_MS || occurredAt.getUTCFullYear() < 2000) {
    throw AppError.validation([
      {
        field: fieldPath(['occurredAt'], prefix),
        message: 'must be after 2000-01-01 and not more than a day in the future',
      },
    ]);
  }
  return { id: e.id, type: e.type, occurredAt, contact: e.contact, properties: e.properties ?? {} };
}

export function eventRoutes(app: FastifyInstance, ctx: AppContext) {
  const enqueue = async (eventIds: string[]) => {
    try {
      await ctx.queues.addMany(
        'event.plan',
        eventIds.map((eventId) => ({ eventId })),
      );
    } catch (err) {
      // The events are safe in Postgres; the reconciler enqueues them once Redis is back.
      ctx.log.error({ err, count: eventIds.length }, 'could not enqueue accepted events');
    }
  };

  // Concurrent single-event requests share one INSERT and one enqueue (group commit); each request
  // still answers only after its own event is committed.
  const singles = new MicroBatcher<{ workspaceId: string; event: IncomingEvent }, IngestResult>(
    async (submissions) => {
      const results: IngestResult[] = [];
      const byWorkspace = new Map<string, number[]>();
      submissions.forEach((s, i) => {
        byWorkspace.set(s.workspaceId, [...(byWorkspace.get(s.workspaceId) ?? []), i]);
      });
      await Promise.all(
        [...byWorkspace].map(async ([workspaceId, indexes]) => {
          const events = indexes.map((i) => submissions[i]?.event).filter((e) => e !== undefined);
          const stored = await ingestEvents(ctx.database, workspaceId, events);
          indexes.forEach((i, k) => {
            const r = stored[k];
            if (r) results[i] = r;
          });
        }),
      );
      await enqueue(eventIdsOf(results));
      return results;
    },
    { maxBatch: 500, maxInFlight: 4 },
  );

  app.post('/v1/events', async (request, reply) => {
    requireSignedBody(request, ctx.clock.now());
    const event = parseEvent(request.body, ctx.clock.now());
    const result = await singles.submit({ workspaceId: request.workspaceId, event });
    return reply.status(202).send({ id: event.id, duplicate: !result.eventId });
  });

  // Valid items are stored even when others in the batch are rejected; each item says what happened to it.
  app.post('/v1/events/batch', async (request, reply) => {
    requireSignedBody(request, ctx.clock.now());
    const { events } = parseInput(batchSchema, request.body);
    const now = ctx.clock.now();
    const results: ItemResult[] = [];
    const valid: { index: number; event: IncomingEvent }[] = [];
    events.forEach((raw, index) => {
      try {
        valid.push({ index, event: parseEvent(raw, now, `events[${index}]`) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results[index] = { index, status: 'rejected', error: errorBody(err).error };
      }
    });
    const ingested = await ingestEvents(
      ctx.database,
      request.workspaceId,
      valid.map((v) => v.event),
    );
    valid.forEach(({ index, event }, i) => {
      const duplicate = !ingested[i]?.eventId;
      results[index] = { index, id: event.id, status: duplicate ? 'duplicate' : 'accepted', duplicate };
    });
    await enqueue(eventIdsOf(ingested));
    const count = (status: ItemResult['status']) => results.filter((r) => r.status === status).length;
    return reply.status(202).send({
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results,
    });
  });

  app.get<{ Params: { id: string } }>('/v1/events/:id', async (request) => {
    const view = await eventView(ctx.database, request.workspaceId, request.params.id);
    if (!view) throw AppError.notFound(`Event ${request.params.id}`);
    return view;
  });
}
