// Real resources made through the API before a run, so that fuzzed paths also hit things that exist.
import type { Client } from './client.ts';
import { examples, type KnownIds } from './examples.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});

/** Makes a survey, trigger, event, contact, QR invitation, location, answer, case and webhook; returns their ids by path segment. */
export async function arrangeResources(client: Client, inboundToken: string): Promise<KnownIds> {
  const ids: KnownIds = { inbound: [inboundToken] };
  const add = (resource: string, id: unknown) => {
    if (typeof id === 'string' && id) ids[resource] = [...(ids[resource] ?? []), id];
  };
  const expect = async (method: string, path: string, body?: unknown) => {
    const res = await client.call(method, path, body);
    if (res.status >= 400) {
      throw new Error(
        `arranging fuzz data: ${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`,
      );
    }
    return obj(res.json);
  };

  const listed = await expect('GET', '/v1/surveys');
  for (const s of (listed.data as Json[] | undefined) ?? []) add('surveys', s.id);
  const known = examples(ids);
  add('surveys', (await expect('POST', '/v1/surveys', known['POST /v1/surveys']?.body)).id);
  const surveyId = ids.surveys?.[0];
  // Two of what DELETE routes remove: the last of each list is theirs.
  for (const eventTypes of [['order.delivered'], ['order.returned']]) {
    add('triggers', (await expect('POST', '/v1/triggers', { surveyId, eventTypes, channels: ['email'] })).id);
  }
  for (const n of [1, 9]) {
    await expect('POST', '/v1/events', {
      id: `fuzz-order-${n}`,
      type: 'order.delivered',
      contact: { id: `fuzz-c-${n}`, email: `fuzz-c-${n}@example.test`, name: `Fuzz ${n}` },
      properties: { orderId: `A-${n}`, store: 'Main St' },
    });
    add('contacts', `fuzz-c-${n}`);
  }
  add('events', 'fuzz-order-1');

  const invitation = await expect('POST', '/v1/invitations', {
    channel: 'qr',
    surveyId,
    eventId: 'fuzz-order-1',
  });
  add('invitations', invitation.id);
  const token = /\/s\/([\w-]+)/.exec(String(invitation.url ?? ''))?.[1];
  add('s', token);
  const location = await expect('POST', '/v1/locations', {
    surveyId,
    name: 'Main St',
    properties: { store: 'Main St' },
  });
  add('locations', location.id);
  add('l', location.code);

  // A detractor's answer: the default actions open a case for it.
  if (token) {
    const answer = await client.call('POST', `/s/${token}`, { score: 2, comment: 'Arrived broken' });
    add('responses', obj(answer.json).responseId);
    const deadline = Date.now() + 10_000;
    while (!ids.cases && Date.now() < deadline) {
      const cases = obj((await client.call('GET', '/v1/cases')).json).data as Json[] | undefined;
      for (const c of cases ?? []) add('cases', c.id);
      if (!ids.cases) await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (let i = 0; i < 2; i++) {
    add('webhooks', (await expect('POST', '/v1/webhooks', known['POST /v1/webhooks']?.body)).id);
  }
  await addMailTokens(client, add);
  return ids;
}

/** The invitation mail to fuzz-c-1 (the worker sends it to the dev outbox): its survey and unsubscribe links. */
async function addMailTokens(client: Client, add: (resource: string, id: unknown) => void) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const outbox = obj((await client.call('GET', '/dev/outbox.json')).json).messages as Json[] | undefined;
    const mail = outbox?.find((m) => m.to === 'fuzz-c-1@example.test');
    if (mail) {
      for (const link of (mail.links as string[] | undefined) ?? []) {
        const [, kind, token] = /\/(s|u)\/([\w-]+)/.exec(link) ?? [];
        if (kind && token) add(kind, token);
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
