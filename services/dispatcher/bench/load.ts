// A closed-loop HTTP load generator, run in its own process so it does not share an event loop with the server.
import { Agent, request } from 'undici';

export type LoadResult = {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
};

export async function runLoad(opts: {
  url: string;
  headers: Record<string, string>;
  body: (n: number) => string;
  concurrency: number;
  seconds: number;
}): Promise<LoadResult> {
  const agent = new Agent({ connections: opts.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let n = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const res = await request(opts.url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', ...opts.headers },
          body: opts.body(n++),
        });
        await res.body.dump();
        if (res.statusCode !== 202) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

// Run as a child: arguments come as one JSON string, the result goes back as one JSON line.
if (process.argv[2] === '--child') {
  const opts = JSON.parse(process.argv[3] ?? '{}');
  const prefix = `${opts.label}-${process.pid}-${Date.now()}`;
  const template = opts.template as string;
  // `batch`: each request carries that many events, for /v1/events/batch.
  const batch = Number(opts.batch ?? 0);
  const one = (id: string) => template.replaceAll('__ID__', id);
  const body = batch
    ? (i: number) =>
        `{"events":[${Array.from({ length: batch }, (_, k) => one(`${prefix}-${i}-${k}`)).join(',')}]}`
    : (i: number) => one(`${prefix}-${i}`);
  const result = await runLoad({ ...opts, body });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
