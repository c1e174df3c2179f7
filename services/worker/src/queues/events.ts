// Queue "events": plans accepted events into decisions and invitation rows, many events per transaction.
import { type AppContext, type PlanOutcome, planStoredEvent, planStoredEvents } from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

/**
 * Gathers the `event.plan` jobs that are running at the same moment (the queue's concurrency is a few
 * chunks' worth) and plans them as one chunk: one transaction, a few set-based reads, one multi-row
 * insert. Each job still completes or fails on its own: a chunk that fails is planned again event by
 * event, so one bad event fails only its own job. A retried job finds its event planned and does nothing.
 */
export class PlanningBatcher {
  private waiting: { eventId: string; done: (o: PlanOutcome) => void; fail: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly chunkSize: number,
  ) {}

  plan(eventId: string): Promise<PlanOutcome> {
    return new Promise((done, fail) => {
      this.waiting.push({ eventId, done, fail });
      if (this.waiting.length >= this.chunkSize) this.flush();
      // Jobs are fetched one by one: a moment's wait lets the rest of a burst join the chunk.
      else this.timer ??= setTimeout(() => this.flush(), 5);
    });
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = this.waiting.splice(0, this.waiting.length);
    if (chunk.length === 0) return;
    const { database, clock } = this.ctx;
    planStoredEvents(
      database,
      chunk.map((c) => c.eventId),
      clock.now(),
    ).then(
      (outcomes) => {
        for (const c of chunk)
          c.done(outcomes.get(c.eventId) ?? { planned: false, invitationIds: [], dueNow: false });
      },
      async (chunkError) => {
        this.ctx.log.warn(
          { err: chunkError, events: chunk.length },
          'planning chunk failed; planning its events one by one',
        );
        for (const c of chunk) await planStoredEvent(database, c.eventId, clock.now()).then(c.done, c.fail);
      },
    );
  }
}

export function eventsJobs(ctx: AppContext, onDue: () => void): QueueJobs<'events'> {
  const batcher = new PlanningBatcher(ctx, ctx.config.PLANNING_CHUNK_SIZE);
  return {
    'event.plan': defineJob('event.plan', async ({ eventId }) => {
      const outcome = await batcher.plan(eventId);
      // An invitation due now should not wait for the scanner's next tick.
      if (outcome.dueNow) onDue();
      return { planned: outcome.planned, invitations: outcome.invitationIds.length };
    }),
  };
}
