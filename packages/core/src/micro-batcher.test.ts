import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

describe('MicroBatcher', () => {
  it('callers that arrive together share one batch, and each gets its own result', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i * 10);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    expect(await Promise.all([1, 2, 3].map((i) => b.submit(i)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('a failing batch is retried item by item: only the bad item fails', async () => {
    const b = new MicroBatcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('bad item');
        return items;
      },
      { maxBatch: 100, maxInFlight: 2 },
    );
    const results = await Promise.allSettled([12, 13, 14].map((i) => b.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('overlapAfterMs: a second batch waits for the first, unless the first has run that long', async () => {
    const started: { items: number[]; at: number }[] = [];
    const release: (() => void)[] = [];
    const t0 = performance.now();
    const b = new MicroBatcher<number, number>(
      async (items) => {
        started.push({ items, at: performance.now() - t0 });
        if (items.includes(1)) await new Promise<void>((r) => release.push(r)); // stuck behind a lock
        return items;
      },
      { maxBatch: 100, maxInFlight: 4, overlapAfterMs: 60 },
    );
    const first = b.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const others = [2, 3].map((i) => b.submit(i));
    await new Promise((r) => setTimeout(r, 30));
    expect(started.map((s) => s.items)).toEqual([[1]]); // 30 ms in: the others still wait
    expect(await Promise.all(others)).toEqual([2, 3]); // then leave together, while 1 is still stuck
    expect(started.map((s) => s.items)).toEqual([[1], [2, 3]]);
    expect(started[1]?.at).toBeGreaterThanOrEqual(59);
    release[0]?.();
    expect(await first).toBe(1);
  });

  it('overlapAfterMs: a batch that finishes lets the next leave at once', async () => {
    let running = 0;
    let mostRunning = 0;
    const b = new MicroBatcher<number, number>(
      async (items) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return items;
      },
      { maxBatch: 3, maxInFlight: 4, overlapAfterMs: 1_000 },
    );
    const t = performance.now();
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(await Promise.all(items.map((i) => b.submit(i)))).toEqual(items);
    expect(mostRunning).toBe(1); // ten batches one after another …
    expect(performance.now() - t).toBeLessThan(900); // … none of them waiting out the overlap delay
  });

  it('property: every item is answered exactly once with its own result, batches respect maxBatch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 1, 3),
        async (items, maxBatch, maxInFlight, overlapAfterMs) => {
          let largest = 0;
          let running = 0;
          let mostRunning = 0;
          const b = new MicroBatcher<number, string>(
            async (batch) => {
              running++;
              mostRunning = Math.max(mostRunning, running);
              largest = Math.max(largest, batch.length);
              await new Promise((r) => setTimeout(r, 1));
              running--;
              return batch.map((i) => `r${i}`);
            },
            { maxBatch, maxInFlight, overlapAfterMs },
          );
          expect(await Promise.all(items.map((i) => b.submit(i)))).toEqual(items.map((i) => `r${i}`));
          expect(largest).toBeLessThanOrEqual(maxBatch);
          expect(mostRunning).toBeLessThanOrEqual(maxInFlight);
        },
      ),
      { numRuns: 30 },
    );
  });
});
