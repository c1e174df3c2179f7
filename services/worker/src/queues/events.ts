// Queue "events": plans accepted events into decisions and invitation rows, many events per transaction.
import { type AppContext, type PlanOutcome, planStoredEvent, planStoredEvents } from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

/**
 * Gathers the events of the `events.plan` and `event.plan` jobs running at the same moment (the queue runs
 * two chunks' worth of jobs at once; ingest makes one job per statement, so one job is often a whole chunk)
 * and plans them as one chunk: one transaction, a few set-based reads, one multi-row insert each. Chunks
 * overlap only after the earlier one holds its locks, so events are planned in the order their jobs arrived
 * (a later event never overtakes an earlier one of the same contact here).
 * Each job still completes or fails on its own: a chunk that fails is planned again event by event, so
 * one bad event fails only its own job. A retried job finds its event planned and does nothing.
 */
/** A promise and the function that settles it (Promise.withResolvers, which Node 20 lacks). */
function signal(): [Promise<void>, () => void] {
  let settle = () => {};
  const promise = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return [promise, settle];
}

export class PlanningBatcher {
  private waiting: { eventId: string; done: (o: PlanOutcome) => void; fail: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Wakes the drain loop when a full chunk has gathered while chunks were running. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly chunkSize: number,
    private readonly inFlight = 2,
  ) {}

  plan(eventId: string): Promise<PlanOutcome> {
    return new Promise((done, fail) => {
      this.waiting.push({ eventId, done, fail });
      if (this.busy) {
        if (this.waiting.length >= this.chunkSize) this.wake?.();
        return;
      }
      if (this.waiting.length >= this.chunkSize) void this.drain();
      // Jobs are fetched one by one: a moment's wait lets the rest of a burst join the chunk.
      else this.timer ??= setTimeout(() => void this.drain(), 5);
    });
  }

  /**
   * Up to `inFlight` chunks at once (Postgres plans one on each core), each started only once the one before
   * holds its locks, so a later event of a contact still waits for an earlier one. A partial chunk starts only
   * when nothing else runs: while one runs, the next gathers.
   */
  private async drain() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy) return;
    this.busy = true;
    const running = new Set<Promise<void>>();
    try {
      for (;;) {
        const full = this.waiting.length >= this.chunkSize;
        if (this.waiting.length > 0 && running.size < this.inFlight && (full || running.size === 0)) {
          const [holdsLocks, locked] = signal();
          const run: Promise<void> = this.planChunk(this.waiting.splice(0, this.chunkSize), locked).finally(
            () => {
              locked();
              running.delete(run);
            },
          );
          running.add(run);
          await holdsLocks;
          continue;
        }
        if (running.size === 0) break;
        const [woken, wake] = signal();
        this.wake = wake;
        await Promise.race([woken, ...running]);
        this.wake = undefined;
      }
    } finally {
      this.busy = false;
    }
  }

  private async planChunk(chunk: typeof this.waiting, locked: () => void) {
    const { database, clock } = this.ctx;
    try {
      const outcomes = await planStoredEvents(
        database,
        chunk.map((c) => c.eventId),
        clock.now(),
        locked,
      );
      for (const c of chunk)
        c.done(outcomes.get(c.eventId) ?? { planned: false, invitationIds: [], dueNow: false });
    } catch (chunkError) {
      this.ctx.log.warn(
        { err: chunkError, events: chunk.length },
        'planning chunk failed; planning its events one by one',
      );
      locked();
      for (const c of chunk) await planStoredEvent(database, c.eventId, clock.now()).then(c.done, c.fail);
    }
  }
}

export function eventsJobs(ctx: AppContext, onDue: () => void): QueueJobs<'events'> {
  const batcher = new PlanningBatcher(
    ctx,
    ctx.config.PLANNING_CHUNK_SIZE,
    ctx.config.PLANNING_CHUNKS_IN_FLIGHT,
  );
  const plan = async (eventIds: readonly string[]) => {
    const outcomes = await Promise.all(eventIds.map((id) => batcher.plan(id)));
    // An invitation due now should not wait for the scanner's next tick.
    if (outcomes.some((o) => o.dueNow)) onDue();
    return {
      planned: outcomes.filter((o) => o.planned).length,
      invitations: outcomes.reduce((n, o) => n + o.invitationIds.length, 0),
    };
  };
  return {
    'event.plan': defineJob('event.plan', async ({ eventId }) => {
      const { planned, invitations } = await plan([eventId]);
      return { planned: planned === 1, invitations };
    }),
    // A chunk's events join the same gathering as single jobs; the job is done when all of them are planned.
    'events.plan': defineJob('events.plan', async ({ eventIds }) => plan(eventIds)),
  };
}
