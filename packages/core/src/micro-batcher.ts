// Group commit: concurrent callers share one round trip (events in the dispatcher; claims, hand-overs and settlements
// of sends in the worker). A batch leaves as soon as a slot is free, so an idle server adds no delay and a busy one
// sends bigger batches instead of more statements. Every caller waits for its own batch's commit.
// With `overlapAfterMs`, a batch leaves while others run only once all of them have run that long: one statement at
// a time in the usual case (the biggest groups), and a statement stuck behind a row lock does not hold up the rest.

export type BatchRunner<I, O> = (items: I[]) => Promise<O[]>;

type Pending<I, O> = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };

export type MicroBatcherOptions = {
  maxBatch: number;
  maxInFlight: number;
  /** A second batch starts only once every batch in flight has run this long (default 0: whenever a slot is free). */
  overlapAfterMs?: number;
};

export class MicroBatcher<I, O> {
  private waiting: Pending<I, O>[] = [];
  /** When each batch in flight started (performance.now()). */
  private readonly started = new Set<{ at: number }>();
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly opts: MicroBatcherOptions,
  ) {}

  private get inFlight() {
    return this.started.size;
  }

  /** Milliseconds until another batch may join those in flight (0: now). */
  private overlapWait(): number {
    const after = this.opts.overlapAfterMs ?? 0;
    if (after <= 0 || this.inFlight === 0) return 0;
    const now = performance.now();
    let wait = 0;
    for (const s of this.started) wait = Math.max(wait, s.at + after - now);
    return wait;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight >= this.opts.maxInFlight || this.waiting.length === 0) return;
    const wait = this.overlapWait();
    if (wait > 0) {
      // Checked again when a batch finishes, or once the youngest in flight has run long enough.
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, Math.ceil(wait));
      return;
    }
    this.scheduled = true;
    // Let every request that arrived in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    if (this.inFlight >= this.opts.maxInFlight || this.overlapWait() > 0) return this.schedule();
    const batch = this.waiting.splice(0, this.opts.maxBatch);
    if (batch.length === 0) return;
    const slot = { at: performance.now() };
    this.started.add(slot);
    this.runBatch(batch).finally(() => {
      this.started.delete(slot);
      if (this.timer && this.overlapWait() === 0) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      this.schedule();
    });
    this.schedule();
  }

  /** A failed batch is retried item by item, so one bad item cannot fail the others. */
  private async runBatch(batch: Pending<I, O>[]) {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(results[i] as O);
      });
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      await Promise.all(
        batch.map((p) =>
          this.run([p.item]).then(
            ([o]) => p.resolve(o as O),
            (e) => p.reject(e),
          ),
        ),
      );
    }
  }
}
