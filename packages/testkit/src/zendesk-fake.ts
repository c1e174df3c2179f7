// A Zendesk-compatible HTTP fake on loopback: the real node-zendesk client creates and updates tickets in it, and it records every request.
import { createServer, type IncomingMessage } from 'node:http';

export type FakeTicket = {
  id: number;
  subject: string;
  status: 'new' | 'open' | 'solved';
  requester: { email: string; name: string } | null;
  externalId: string | null;
  tags: string[];
  priority: string | null;
  comments: { body: string; public: boolean }[];
};

export type ZendeskRequest = { method: string; path: string; authorized: boolean; body: unknown };

export type ZendeskFake = {
  /** http://127.0.0.1:PORT — what a connector's zendeskApi.url says. */
  url: string;
  email: string;
  token: string;
  readonly tickets: FakeTicket[];
  readonly requests: ZendeskRequest[];
  /** The next `count` requests answer this status and change nothing. */
  failNext(status: 422 | 500, count?: number): void;
  waitForTickets(n: number, timeoutMs?: number): Promise<FakeTicket[]>;
  waitForComments(ticketId: number, n: number, timeoutMs?: number): Promise<FakeTicket>;
  /** Solves a ticket as an agent would; returns the body a "ticket solved" trigger webhook sends (zendeskBodyTemplate, filled). */
  solve(ticketId: number): Record<string, unknown>;
  close(): Promise<void>;
};

const ticketsPath = /^\/api\/v2\/tickets\.json$/;
const ticketPath = /^\/api\/v2\/tickets\/(\d+)\.json$/;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

export async function startZendeskFake(opts: { email?: string; token?: string } = {}): Promise<ZendeskFake> {
  const email = opts.email ?? 'agent@helpdesk.test';
  const token = opts.token ?? 'zd_test_api_token_0123456789';
  const expectedAuth = `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
  const tickets: FakeTicket[] = [];
  const requests: ZendeskRequest[] = [];
  const failures: number[] = [];
  const waiters = new Set<() => void>();
  let nextId = 35436;

  const view = (t: FakeTicket) => ({
    id: t.id,
    url: `${url}/api/v2/tickets/${t.id}.json`,
    subject: t.subject,
    status: t.status,
    external_id: t.externalId,
    tags: t.tags,
    priority: t.priority,
    requester_id: t.requester ? 20978392 : null,
  });

  const server = createServer(async (req, res) => {
    const body = await readJson(req).catch(() => undefined);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const authorized = req.headers.authorization === expectedAuth;
    requests.push({ method: req.method ?? '', path, authorized, body });
    const send = (status: number, payload: object) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
      for (const w of waiters) w();
    };
    if (!authorized) return send(401, { error: "Couldn't authenticate you" });
    const failure = failures.shift();
    if (failure) return send(failure, { error: 'RecordInvalid', description: 'Record validation errors' });
    const input = ((body as { ticket?: Record<string, unknown> } | null)?.ticket ?? {}) as Record<
      string,
      unknown
    >;
    const comment = input.comment as { body?: string; public?: boolean } | undefined;
    if (req.method === 'POST' && ticketsPath.test(path)) {
      if (!input.subject || !comment?.body)
        return send(422, {
          error: 'RecordInvalid',
          details: { base: [{ description: 'Subject and comment are required' }] },
        });
      const requester = input.requester as { email: string; name: string } | undefined;
      const ticket: FakeTicket = {
        id: nextId++,
        subject: String(input.subject),
        status: 'new',
        requester: requester ?? null,
        externalId: (input.external_id as string | undefined) ?? null,
        tags: (input.tags as string[] | undefined) ?? [],
        priority: (input.priority as string | undefined) ?? null,
        comments: [{ body: comment.body, public: comment.public !== false }],
      };
      tickets.push(ticket);
      return send(201, { ticket: view(ticket) });
    }
    const match = ticketPath.exec(path);
    if (req.method === 'PUT' && match) {
      const ticket = tickets.find((t) => t.id === Number(match[1]));
      if (!ticket) return send(404, { error: 'RecordNotFound', description: 'Not found' });
      if (comment?.body) ticket.comments.push({ body: comment.body, public: comment.public !== false });
      if (input.status) ticket.status = input.status as FakeTicket['status'];
      return send(200, { ticket: view(ticket) });
    }
    return send(404, { error: 'InvalidEndpoint', description: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('zendesk fake did not get a port');
  const url = `http://127.0.0.1:${address.port}`;

  const waitUntil = <T>(check: () => T | null, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const done = check();
      if (done) return resolve(done);
      const probe = () => {
        const found = check();
        if (found) {
          waiters.delete(probe);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(probe);
        reject(
          new Error(
            `zendesk fake: ${what} not seen within ${timeoutMs} ms; requests: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      waiters.add(probe);
    });

  return {
    url,
    email,
    token,
    tickets,
    requests,
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    waitForTickets: (n, timeoutMs = 15_000) =>
      waitUntil(() => (tickets.length >= n ? tickets.slice() : null), timeoutMs, `${n} ticket(s)`),
    waitForComments: (ticketId, n, timeoutMs = 15_000) =>
      waitUntil(
        () => {
          const t = tickets.find((x) => x.id === ticketId);
          return t && t.comments.length >= n ? t : null;
        },
        timeoutMs,
        `${n} comment(s) on ticket ${ticketId}`,
      ),
    solve(ticketId) {
      const ticket = tickets.find((t) => t.id === ticketId);
      if (!ticket) throw new Error(`no ticket ${ticketId}`);
      ticket.status = 'solved';
      return {
        ticket: {
          id: String(ticket.id),
          status: 'Solved',
          group: 'Support',
          assignee: 'Agent Smith',
          tags: ticket.tags.join(' '),
          channel: 'API',
          requester: {
            id: '20978392',
            email: ticket.requester?.email ?? '',
            name: ticket.requester?.name ?? '',
            locale: 'en-US',
          },
        },
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
