// No input makes the system answer 5xx: every operation in /openapi.json, fuzzed over HTTP with hostile and generated requests.
import { describe, expect } from 'vitest';
import { describeResult, fuzzEnv, runFuzz, summarize } from './fuzz/index.ts';
import { SHOP_KEY, test } from './testing.ts';

describe('fuzzing the API', () => {
  test('1,500 requests (hostile cases on every route, then seeded ones) get no 5xx; the system is ready afterwards and takes an event', async ({
    shopWith,
  }) => {
    // The bounded run: the same 1,500 requests every time, against the whole system on a port.
    const { publicUrl } = await shopWith({ listen: true, env: { ...fuzzEnv } });
    const run = await runFuzz({ baseUrl: publicUrl, apiKey: SHOP_KEY, requests: 1500, seed: 20_261_201 });
    const summary = summarize(run.results);
    expect(summary.sent).toBeGreaterThanOrEqual(1500);
    expect(summary.byRoute.length).toBe(run.operations);
    const failures = summary.serverErrors.map(describeResult);
    expect(failures, `${failures.length} requests answered 5xx:\n${failures.join('\n')}`).toEqual([]);
    expect(run.after).toEqual({ ready: 200, eventPosted: 202, eventRead: 200, eventMatches: true });
  }, 90_000);

  test('a batch of 99 valid events and one with a NUL in a property stores the 99 and rejects the one, naming its field', async ({
    shop,
  }) => {
    const { system, api } = shop;
    const events = Array.from({ length: 100 }, (_, i) => ({
      id: `batch-${i}`,
      type: 'order.delivered',
      contact: { id: `batch-contact-${i}` },
      properties: i === 42 ? { note: 'a\u0000b' } : { orderId: `A-${i}` },
    }));
    const res = await api('POST', '/v1/events/batch', { events });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 99, duplicates: 0, rejected: 1 });
    expect(body.results[42].status).toBe('rejected');
    expect(body.results[42].error.details[0].field).toMatch(/^events\[42\]\.properties/);
    const [stored] = await system.ctx.database.sql`select count(*)::int as n from events`;
    expect(stored).toEqual({ n: 99 });
  });
});
