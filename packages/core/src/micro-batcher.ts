// Group commit: concurrent callers share one round trip (events in the dispatcher; claims, hand-overs and settlements
// of sends in the worker). A batch leaves as soon as a slot is free, so an idle server adds no delay and a busy one
// sends bigger batches instead of more statements. Every caller waits for its own batch's commit.

export type BatchRunner<I, O> = (items: I[]) => Promise<O[]>;

type Pending<I, O> = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };

export class MicroBatcher<I, O> {
  private waiting: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly opts: { maxBatch: number; maxInFlight: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight >= this.opts.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    // Let every request that arrived in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    if (this.inFlight >= this.opts.maxInFlight) return;
    const batch = this.waiting.splice(0, this.opts.maxBatch);
    if (batch.length === 0) return;
    this.inFlight++;
    this.runBatch(batch).finally(() => {
      this.inFlight--;
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
