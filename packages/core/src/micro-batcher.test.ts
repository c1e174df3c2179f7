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

  it('property: every item is answered exactly once with its own result, batches respect maxBatch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 4 }),
        async (items, maxBatch, maxInFlight) => {
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
            { maxBatch, maxInFlight },
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
