// The only code that knows node-zendesk: a client per connector's API settings, its requests dialled only to public hosts (as webhooks are).
import { outboundFetch } from '@surveyflow/core';
import zendesk from 'node-zendesk';

// node-zendesk is CommonJS: under Node's own ESM loader only its default export exists (vitest would hide that).
const { createClient } = zendesk;

export type ZendeskApi = { url: string; email: string; token: string };

/** A Zendesk answer that will not change on retry (4xx but 429): the work is given up with it. */
export class ZendeskRefusal extends Error {}

type TransportOptions = { method: string; headers: Record<string, string>; body?: string };

function clientFor(api: ZendeskApi, allowPrivate: boolean) {
  return createClient({
    username: api.email,
    token: api.token,
    endpointUri: `${api.url}/api/v2`,
    throwOriginalException: true,
    transportConfig: {
      transportFn: (uri: string, o: TransportOptions) =>
        outboundFetch(
          uri,
          {
            method: o.method,
            headers: o.headers,
            ...(o.body ? { body: o.body } : {}),
            signal: AbortSignal.timeout(15_000),
          },
          allowPrivate,
        ),
      responseAdapter: (r: Response) => ({
        json: () => r.json(),
        status: r.status,
        headers: { get: (name: string) => r.headers.get(name) },
        statusText: r.statusText,
      }),
    },
  });
}

const asRefusal = (err: unknown): never => {
  const status = (err as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500 && status !== 429)
    throw new ZendeskRefusal((err as Error).message);
  throw err;
};

/** Creates the ticket; returns its id. */
export async function createZendeskTicket(
  api: ZendeskApi,
  ticket: object,
  allowPrivate: boolean,
): Promise<string> {
  const client = clientFor(api, allowPrivate);
  const { result } = await client.tickets.create({ ticket } as never).catch(asRefusal);
  const created = result as { id?: number | string; ticket?: { id?: number | string } };
  const id = created.id ?? created.ticket?.id;
  if (id === undefined) throw new Error('Zendesk answered without a ticket id');
  return String(id);
}

/** Adds a comment to the ticket (PUT /tickets/:id.json with { ticket: { comment } }). */
export async function commentOnZendeskTicket(
  api: ZendeskApi,
  ticketId: string,
  update: object,
  allowPrivate: boolean,
): Promise<void> {
  const client = clientFor(api, allowPrivate);
  await client.tickets.update(Number(ticketId), { ticket: update } as never).catch(asRefusal);
}
