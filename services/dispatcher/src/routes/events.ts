// /v1/events: accept events (one or a batch of up to 1,000), idempotent on the producer's id; list them; show what became of one.
import { randomUUID } from 'node:crypto';
import {
  type AppContext,
  AppError,
  errorBody,
  eventView,
  type IncomingEvent,
  type IngestResult,
  ingestEvents,
  type JobPayload,
  listEvents,
  MicroBatcher,
  planChunkJob,
} from '@surveyflow/core';
import {
  ErrorBody,
  errors,
  type HttpApp,
  issuesToDetails,
  pageFrom,
  toIncomingEvent,
} from '@surveyflow/http';
import type { z } from 'zod';
import { signedBody } from '../raw-json.ts';
import {
  BatchResult,
  EventAccepted,
  EventBatch,
  EventInput,
  EventListQuery,
  EventPage,
  EventParams,
  EventView,
} from '../schemas/events.ts';

const tags = ['events'];
const security = [{ apiKey: [] }];

type ItemResult = z.input<typeof BatchResult>['results'][number];

export { toIncomingEvent };

/** One item of a batch, validated on its own: a bad item is rejected, naming its fields, and the rest go on. */
function parseItem(raw: unknown, now: Date, index: number): IncomingEvent {
  const prefix = `events[${index}]`;
  const parsed = EventInput.safeParse(raw);
  if (!parsed.success) throw AppError.validation(issuesToDetails(parsed.error, prefix));
  return toIncomingEvent(parsed.data, now, prefix);
}

export function eventRoutes(app: HttpApp, ctx: AppContext) {
  const signed = signedBody(() => ctx.clock.now());
  // One planning job per ingest statement, not one per event: Redis work per event is a share of one job.
  const enqueue = async (chunks: JobPayload<'events.plan'>[]) => {
    try {
      await ctx.queues.addMany('events.plan', chunks);
    } catch (err) {
      // The events are safe in Postgres; the reconciler enqueues them once Redis is back.
      const count = chunks.reduce((n, c) => n + c.eventIds.length, 0);
      ctx.log.error({ err, count }, 'could not enqueue accepted events');
    }
  };

  // Concurrent single-event requests share one INSERT and one enqueue (group commit); each request
  // still answers only after its own event is committed and its job enqueued. The enqueue does not hold the
  // batch's slot: the next group's INSERT goes to Postgres while this one's job goes to Redis.
  const singles = new MicroBatcher<
    { workspaceId: string; event: IncomingEvent },
    IngestResult & { enqueued: Promise<void> }
  >(
    async (submissions) => {
      const results: IngestResult[] = [];
      const chunks: JobPayload<'events.plan'>[] = [];
      const byWorkspace = new Map<string, number[]>();
      submissions.forEach((s, i) => {
        const indexes = byWorkspace.get(s.workspaceId);
        if (indexes) indexes.push(i);
        else byWorkspace.set(s.workspaceId, [i]);
      });
      await Promise.all(
        [...byWorkspace].map(async ([workspaceId, indexes]) => {
          const events = indexes.map((i) => submissions[i]?.event).filter((e) => e !== undefined);
          const planJob = randomUUID();
          const stored = await ingestEvents(ctx.database, workspaceId, events, planJob);
          chunks.push(...planChunkJob(planJob, stored));
          indexes.forEach((i, k) => {
            const r = stored[k];
            if (r) results[i] = r;
          });
        }),
      );
      const enqueued = enqueue(chunks);
      return results.map((r) => ({ ...r, enqueued }));
    },
    // One statement at a time: the requests that arrive while it commits leave together as the next. With four
    // at once most statements carried one or two events, and 32 clients got 0.70–0.85 of the bare route against
    // 0.87–1.03 one at a time (npm run bench -- ingest, 2026-12-04). A statement still running after 50 ms (say,
    // waiting for a contact the planner holds) lets the next group go beside it, up to four.
    { maxBatch: 500, maxInFlight: 4, overlapAfterMs: 50 },
  );

  app.post(
    '/v1/events',
    {
      config: { permission: 'events.write' },
      preValidation: signed,
      schema: {
        tags,
        security,
        summary: 'Report an event (idempotent on its id)',
        description:
          'Stored once per id: the same id again is acknowledged as a duplicate and changes nothing. A workspace with an event-signing secret takes only signed requests (Standard Webhooks headers over the exact body).',
        body: EventInput,
        response: { 202: EventAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const event = toIncomingEvent(request.body, ctx.clock.now());
      const result = await singles.submit({ workspaceId: request.workspaceId, event });
      await result.enqueued;
      return reply.status(202).send({ id: event.id, duplicate: !result.eventId });
    },
  );

  app.post(
    '/v1/events/batch',
    {
      config: { permission: 'events.write' },
      preValidation: signed,
      schema: {
        tags,
        security,
        summary: 'Report up to 1,000 events at once',
        description:
          'Each item is validated on its own: valid items are stored even when others are rejected, and each says what happened to it.',
        body: EventBatch,
        response: { 202: BatchResult, ...errors },
      },
    },
    async (request, reply) => {
      const now = ctx.clock.now();
      const results: ItemResult[] = [];
      const valid: { index: number; event: IncomingEvent }[] = [];
      request.body.events.forEach((raw, index) => {
        try {
          valid.push({ index, event: parseItem(raw, now, index) });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results[index] = { index, status: 'rejected', error: errorBody(err).error };
        }
      });
      const planJob = randomUUID();
      const ingested = await ingestEvents(
        ctx.database,
        request.workspaceId,
        valid.map((v) => v.event),
        planJob,
      );
      valid.forEach(({ index, event }, i) => {
        const duplicate = !ingested[i]?.eventId;
        results[index] = { index, id: event.id, status: duplicate ? 'duplicate' : 'accepted', duplicate };
      });
      await enqueue(planChunkJob(planJob, ingested));
      const count = (status: ItemResult['status']) => results.filter((r) => r.status === status).length;
      return reply.status(202).send({
        accepted: count('accepted'),
        duplicates: count('duplicate'),
        rejected: count('rejected'),
        results,
      });
    },
  );

  app.get(
    '/v1/events',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'List events, newest first',
        description:
          "Filter by type, contact, outcome (invited / skipped, optionally with a reason / pending) and received time; page with `cursor` (the previous page's `next`).",
        querystring: EventListQuery,
        response: { 200: EventPage, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const rows = await listEvents(ctx.database, request.workspaceId, { ...filter, after: cursor });
      return pageFrom(
        rows,
        filter.limit,
        (r) => ({ ...r, id: r.externalId, contact: { id: r.contactExternalId } }),
        (r) => ({ at: r.cursorAt, id: r.rowId }),
      );
    },
  );

  app.get(
    '/v1/events/:id',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'One event and what became of it',
        description:
          'Its status (pending / planned) and one decision per trigger: invited with the invitation (and, once answered, the response and where its follow-up stands: waiting_for_comment until a time, due, or done), or skipped with a reason and its detail.',
        params: EventParams,
        response: { 200: EventView, ...errors },
      },
    },
    async (request) => {
      const view = await eventView(ctx.database, request.workspaceId, request.params.id, {
        now: ctx.clock.now(),
        commentWaitMs: ctx.config.FOLLOWUP_COMMENT_WAIT_MS,
      });
      if (!view) throw AppError.notFound(`Event ${request.params.id}`);
      return view;
    },
  );
}
