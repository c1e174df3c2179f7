// An HTTP endpoint on loopback that keeps every request it gets: stands in for Slack, webhook consumers, any callback target.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = {
  method: string;
  path: string;
  /** Single-valued headers, lower-case names. */
  headers: Record<string, string>;
  body: string;
  at: number;
};

export type HttpReceiver = {
  /** http://127.0.0.1:PORT/hooks — post here. */
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
};

/**
 * Answers each request with `respond(request, n)` (n counts from 1): a status, or a status with
 * headers. 200 for all by default.
 */
export async function startHttpReceiver(
  respond: (
    request: ReceivedRequest,
    n: number,
  ) => number | { status: number; headers: Record<string, string> } = () => 200,
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(request);
      const answer = respond(request, requests.length);
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
