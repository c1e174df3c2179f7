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
    // A fuzzed request that switches event signing on would turn every later event into a 401: switch it off again.
    const secrets = new SigningSecrets(client);
    const results = await sendAll(client, plan, opts.concurrency ?? 8, async (r) => {
      if (r.request.route === SIGNING_SECRET && r.status === 201) await secrets.answered(r.answer);
    });
    const ms = performance.now() - started;
    await secrets.switchOff();
    return { results, operations: ops.length, ms, after: await checkAfter(client) };
  } finally {
    await client.close();
  }
}

/** The secrets fuzzed requests switched event signing on with; switching it off needs a request signed with the current one. */
class SigningSecrets {
  private readonly seen: string[] = [];

  constructor(private readonly client: Client) {}

  async answered(answer: string) {
    try {
      const { secret } = JSON.parse(answer) as { secret?: unknown };
      if (typeof secret === 'string') this.seen.push(secret);
    } catch {
      return;
    }
    await this.switchOff();
  }

  /** Two concurrent unsigned requests can both set a secret; whichever was stored last is the one that works. */
  async switchOff() {
    for (const secret of [...this.seen].reverse()) {
      const headers = signWebhook(secret, `msg_${randomUUID()}`, new Date(), '');
      const res = await this.client.call('DELETE', '/v1/workspace/event-signing-secret', undefined, {
        ...headers,
      });
      if (res.status === 204) return;
    }
  }
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
