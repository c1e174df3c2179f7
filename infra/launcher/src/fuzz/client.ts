// Sending fuzz requests over real HTTP (undici): raw paths, raw bytes, any headers, a bounded number in flight.
import { Pool } from 'undici';
import type { FuzzRequest } from './plan.ts';

export type FuzzResult = {
  request: FuzzRequest;
  /** The HTTP status, or 0 when no answer came (connection reset, timeout): `error` says which. */
  status: number;
  error?: string;
  /** The start of the answer, for failure messages. */
  answer: string;
  ms: number;
};

export type Client = {
  send(request: FuzzRequest): Promise<FuzzResult>;
  /** A plain JSON call with the API key, for arranging data and the checks after a run. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: unknown; text: string }>;
  close(): Promise<void>;
};

export function createClient(baseUrl: string, apiKey: string, connections = 8): Client {
  const pool = new Pool(new URL(baseUrl).origin, {
    connections,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return {
    async send(request) {
      const started = performance.now();
      try {
        const res = await pool.request({
          path: request.path,
          method: request.method as 'GET',
          headers: request.headers,
          ...(request.body ? { body: request.body } : {}),
        });
        const text = await res.body.text();
        return {
          request,
          status: res.statusCode,
          answer: text.slice(0, 500),
          ms: performance.now() - started,
        };
      } catch (err) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        return { request, status: 0, error, answer: '', ms: performance.now() - started };
      }
    },
    async call(method, path, body, headers = {}) {
      const res = await pool.request({
        path,
        method: method as 'GET',
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.body.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not every answer is JSON (pages, images, 204s).
      }
      return { status: res.statusCode, json, text };
    },
    close: () => pool.close(),
  };
}

/** Sends every request with at most `concurrency` in flight; `after` sees each result as it comes. */
export async function sendAll(
  client: Client,
  requests: readonly FuzzRequest[],
  concurrency: number,
  after: (result: FuzzResult) => Promise<void> | void = () => {},
): Promise<FuzzResult[]> {
  const results: FuzzResult[] = new Array(requests.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const result = await client.send(requests[i] as FuzzRequest);
      results[i] = result;
      await after(result);
    }
  });
  await Promise.all(lanes);
  return results;
}
