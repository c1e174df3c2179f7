// Cases mirrored into Zendesk on the real system, against the Zendesk fake with the real node-zendesk client: a detractor's case becomes a ticket; solving it there resolves the case; resolving here comments on the ticket.
import { createHmac } from 'node:crypto';
import { type SmtpSink, waitFor, type ZendeskFake } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

const SECRET = 'zendesk_signing_secret_0123456789';

/** The Shop's survey with a case and a zendesk_ticket action for detractors, through a connector pointed at the fake. */
async function mirroringShop(shop: Shop, zendesk: ZendeskFake) {
  const connector = await shop.api('POST', '/v1/connectors', {
    kind: 'zendesk',
    name: 'Helpdesk',
    secret: SECRET,
    zendeskApi: { url: zendesk.url, email: zendesk.email, token: zendesk.token },
  });
  expect(connector.statusCode).toBe(201);
  const { id: connectorId, zendeskApi } = connector.json();
  // The API token is never shown again, only its hint.
  expect(zendeskApi).toEqual({ url: zendesk.url, email: zendesk.email, tokenHint: '…6789' });
  const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
  const patched = await shop.api('PATCH', `/v1/surveys/${survey.id}`, {
    actions: [
      { type: 'case', slaHours: 24, acknowledge: false },
      { type: 'zendesk_ticket', connectorId, tags: ['nps_detractor'], priority: 'high' },
    ],
  });
  expect(patched.statusCode).toBe(200);
  return connectorId as string;
}

/** An order delivered to Dana, and her answer through the survey link. */
async function detractor(shop: Shop, smtp: SmtpSink, score: number, comment: string) {
  await shop.api('POST', '/v1/events', {
    id: 'order-dana',
    type: 'order.delivered',
    contact: { id: 'dana', email: 'dana@example.com', name: 'Dana' },
    properties: { orderId: 'A-17', store: 'Kraków' },
  });
  const invitation = await smtp.waitFor((m) => m.to.includes('dana@example.com'));
  const path =
    /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
  const res = await shop.system.app.inject({
    method: 'POST',
    url: path,
    payload: { score, comment },
    headers: { accept: 'application/json' },
  });
  expect(res.statusCode).toBe(201);
}

const openCase = async (shop: Shop) =>
  waitFor(async () => {
    const [c] = (await shop.api('GET', '/v1/cases')).json().data;
    return c ?? null;
  });

async function solvedWebhook(shop: Shop, connectorId: string, body: string) {
  const timestamp = new Date().toISOString();
  const res = await shop.system.app.inject({
    method: 'POST',
    url: `/hooks/${connectorId}`,
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-invocation-id': `inv-${Date.now()}`,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': createHmac('sha256', SECRET)
        .update(timestamp + body)
        .digest('base64'),
    },
  });
  return res;
}

describe('cases mirrored into Zendesk', () => {
  test('a detractor with a zendesk_ticket action → a ticket with requester, score, comment and a link back; solved in Zendesk → the case is resolved', async ({
    shop,
    smtp,
    zendesk,
  }) => {
    const connectorId = await mirroringShop(shop, zendesk);
    await detractor(shop, smtp, 2, 'Arrived broken');
    const c = await openCase(shop);

    const [ticket] = await zendesk.waitForTickets(1);
    expect(ticket).toMatchObject({
      subject: 'Post-delivery NPS: 2 from Dana',
      requester: { email: 'dana@example.com', name: 'Dana' },
      externalId: c.id,
      tags: ['surveyflow', 'detractor', 'nps_detractor'],
      priority: 'high',
      status: 'new',
    });
    const body = ticket?.comments[0]?.body ?? '';
    expect(body).toContain('Dana answered 2');
    expect(body).toContain('Their comment: "Arrived broken"');
    expect(body).toContain('- orderId: A-17');
    expect(body).toContain('- store: Kraków');
    expect(body).toContain(`${shop.publicUrl}/app/cases/${c.id}`);
    expect(zendesk.requests.every((r) => r.authorized)).toBe(true);
    await waitFor(async () =>
      expect(
        (await shop.api('GET', `/v1/cases/${c.id}`)).json().history.map((h: { kind: string }) => h.kind),
      ).toContain('zendesk_ticket'),
    );

    // An agent solves it in Zendesk; its trigger's webhook resolves the case, and nothing goes back.
    const solved = await solvedWebhook(shop, connectorId, JSON.stringify(zendesk.solve(ticket?.id ?? 0)));
    expect(solved.statusCode).toBe(200);
    const resolved = (await shop.api('GET', `/v1/cases/${c.id}`)).json();
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolution).toBe(`Solved in Zendesk (ticket #${ticket?.id})`);
    await shop.system.worker.scanner.scan();
    expect(ticket?.comments).toHaveLength(1);
  });

  test('a case resolved in Surveyflow adds a comment to its ticket, once', async ({
    shop,
    smtp,
    zendesk,
  }) => {
    await mirroringShop(shop, zendesk);
    await detractor(shop, smtp, 1, 'Never again');
    const c = await openCase(shop);
    const [ticket] = await zendesk.waitForTickets(1);
    await waitFor(async () =>
      expect(
        (await shop.api('GET', `/v1/cases/${c.id}`)).json().history.map((h: { kind: string }) => h.kind),
      ).toContain('zendesk_ticket'),
    );
    const res = await shop.api('PATCH', `/v1/cases/${c.id}`, {
      status: 'resolved',
      resolution: 'Refunded and apologised',
    });
    expect(res.statusCode).toBe(200);
    const commented = await zendesk.waitForComments(ticket?.id ?? 0, 2);
    expect(commented.comments[1]).toEqual({
      body: `Resolved in Surveyflow: Refunded and apologised\n\n${shop.publicUrl}/app/cases/${c.id}`,
      public: false,
    });
    await shop.system.worker.scanner.scan();
    expect(commented.comments).toHaveLength(2);
    expect(zendesk.tickets).toHaveLength(1);
  });

  test('a 500 from Zendesk is recorded and tried again', async ({ shop, smtp, zendesk }) => {
    await mirroringShop(shop, zendesk);
    zendesk.failNext(500);
    await detractor(shop, smtp, 0, 'Awful');
    // The first try met a 500; the next is due after a short backoff and creates the ticket.
    const row = await waitFor(async () => {
      const [r] = await shop.system.ctx.database.sql`select last_error, next_attempt_at from case_tickets`;
      return r?.last_error ? r : null;
    });
    expect(row.last_error).toContain('500');
    // The retry is due after 10 s; bring it forward instead of waiting.
    await shop.system.ctx.database.sql`update case_tickets set next_attempt_at = now()`;
    await zendesk.waitForTickets(1);
  });

  test('a 422 from Zendesk gives the ticket up at once, with the reason on the link', async ({
    shop,
    smtp,
    zendesk,
  }) => {
    await mirroringShop(shop, zendesk);
    zendesk.failNext(422);
    await detractor(shop, smtp, 0, 'Awful');
    const row = await waitFor(async () => {
      const [r] = await shop.system.ctx.database
        .sql`select last_error, next_attempt_at, ticket_id from case_tickets`;
      return r?.last_error ? r : null;
    });
    expect(row).toMatchObject({ next_attempt_at: null, ticket_id: null });
    expect(row.last_error).toContain('422');
    expect(zendesk.tickets).toHaveLength(0);
  });
});
