// The short chaos run: ≈1,000 events over HTTP to the standalone services as separate processes, two worker SIGKILLs
// and a Redis kill -9 on the way, then signed Twilio webhooks replayed. Fails on any lost or double-sent invitation
// and on a replay that changes anything; interrupted sends are only reported.
import { describe, expect, test } from 'vitest';
import { chaosTable, runChaos } from './chaos/index.ts';

describe('chaos (short)', () => {
  test('1,000 events through 2 worker SIGKILLs and a Redis kill -9: none lost, none sent twice; a replay changes nothing', async () => {
    const result = await runChaos({
      events: 1000,
      duplicateShare: 0.1,
      batchSize: 50,
      ingestMs: 5000,
      workers: 3,
      workerConcurrency: 8,
      workerKills: 2,
      // Early: a killed worker's active jobs come back only through BullMQ's stall check, 5–10 s later (JOB_LOCK_MS;
      // the reconciler cannot re-add them: their job ids are taken), and the wait below must cover that.
      killSpan: [0.05, 0.25],
      redisKill: true,
      flushAll: false,
      smtpOutageMs: 0,
      twilioReplays: 2,
      // A bound, not a wait: the run stops as soon as everything has settled (≈15 s after posting on an idle machine);
      // on a loaded one the stall check and the backlog take longer, and a short bound would report them as lost.
      settleTimeoutMs: 150_000,
      seed: 20_261_201,
    });
    const table = chaosTable(result);
    console.table(table);
    const summary = table.map((r) => `${r.measure}: ${r.value}`).join('\n');
    expect(result.eventsStored, summary).toBe(1000);
    expect(result.doubleSends, summary).toBe(0);
    expect(result.lost, summary).toBe(0);
    expect(result.replays, summary).toMatchObject({ texted: 2, replayed: 5, badAnswers: 0, changed: [] });
    // Longer than every bound inside the run, so it always finishes and stops its processes itself.
  }, 330_000);
});
