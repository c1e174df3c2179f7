// The fuzz run against a listening system: read /openapi.json, arrange real resources, send the plan, check the system still works.
import { randomUUID } from 'node:crypto';
import { signWebhook } from '@surveyflow/core';
import { type Client, createClient, type FuzzResult, sendAll } from './client.ts';
import { fuzzEnv } from './examples.ts';
import { arrangeResources } from './fixtures.ts';
import { type OpenApiDocument, operationsOf } from './openapi.ts';
import { planRequests } from './plan.ts';

export { fuzzEnv } from './examples.ts';
export { describeResult, type FuzzSummary, summarize } from './report.ts';

export type FuzzRunOptions = {
  baseUrl: string;
  apiKey: string;
  /** How many requests in all (the hostile cases are always all sent). */
  requests: number;
  seed: number;
  concurrency?: number;
};

export type FuzzRun = {
  results: FuzzResult[];
  operations: number;
  ms: number;
  /** After the run: /ready's status, a new event's (202 expected) and reading it back (200, the same id). */
  after: { ready: number; eventPosted: number; eventRead: number; eventMatches: boolean };
};

const SIGNING_SECRET = 'POST /v1/workspace/event-signing-secret';

export async function runFuzz(opts: FuzzRunOptions): Promise<FuzzRun> {
  const client = createClient(opts.baseUrl, opts.apiKey, opts.concurrency ?? 8);
  try {
    const doc = await client.call('GET', '/openapi.json');
    if (doc.status !== 200) throw new Error(`GET /openapi.json answered ${doc.status}`);
    const ops = operationsOf(doc.json as OpenApiDocument);
    const ids = await arrangeResources(client, fuzzEnv.INBOUND_EMAIL_TOKEN);
    const plan = planRequests(ops, { seed: opts.seed, total: opts.requests, ids, apiKey: opts.apiKey });
    const started = performance.now();
    const results = await sendAll(client, plan, opts.concurrency ?? 8, async (r) => {
      // A fuzzed request that switches on event signing would turn every later event into a 401: switch it off again.
      if (r.request.route === SIGNING_SECRET && r.status === 201) await unsign(client, r.answer);
    });
    const ms = performance.now() - started;
    return { results, operations: ops.length, ms, after: await checkAfter(client) };
  } finally {
    await client.close();
  }
}

async function unsign(client: Client, answer: string) {
  let secret: unknown;
  try {
    secret = (JSON.parse(answer) as { secret?: unknown }).secret;
  } catch {
    return;
  }
  if (typeof secret !== 'string') return;
  const headers = signWebhook(secret, `msg_${randomUUID()}`, new Date(), '');
  await client.call('DELETE', '/v1/workspace/event-signing-secret', undefined, { ...headers });
}

/** The system still serves: ready, and a normal event goes in and can be read back. */
async function checkAfter(client: Client): Promise<FuzzRun['after']> {
  const ready = (await client.call('GET', '/ready')).status;
  const id = `after-fuzz-${randomUUID()}`;
  const posted = await client.call('POST', '/v1/events', {
    id,
    type: 'order.delivered',
    contact: { id: 'after-fuzz', email: 'after-fuzz@example.test' },
    properties: { orderId: id },
  });
  const read = await client.call('GET', `/v1/events/${id}`);
  const eventMatches = (read.json as { id?: unknown } | null)?.id === id;
  return { ready, eventPosted: posted.status, eventRead: read.status, eventMatches };
}
