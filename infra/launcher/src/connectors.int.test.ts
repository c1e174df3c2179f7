// Inbound connectors on the real system: each platform's signed, documented payload → event → invitation email; wrong signatures, re-deliveries, cancels.
import { createHmac, randomUUID } from 'node:crypto';
import { platformPayloads, queuesIdle, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

const b64 = (secret: string, message: string) =>
  createHmac('sha256', secret).update(message).digest('base64');

/** POSTs a payload to a connector's endpoint, exactly as the platform would (the bytes signed are the bytes sent). */
async function deliver(shop: Shop, connectorId: string, body: string, headers: Record<string, string>) {
  const res = await shop.system.app.inject({
    method: 'POST',
    url: `/hooks/${connectorId}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.statusCode, json: res.json() };
}

async function connector(shop: Shop, input: Record<string, unknown>) {
  const res = await shop.api('POST', '/v1/connectors', input);
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; secret: string; endpoint: string };
}

const eventCount = async (shop: Shop) =>
  Number((await shop.system.ctx.database.sql`select count(*)::int as n from events`)[0]?.n);
const deliveryCount = async (shop: Shop) =>
  Number((await shop.system.ctx.database.sql`select count(*)::int as n from connector_deliveries`)[0]?.n);

/** The Shop's trigger: on these event types, waiting (so a cancel can reach it) or not. */
async function trigger(
  shop: Shop,
  eventTypes: string[],
  opts: { wait?: boolean; cancelOn?: string[]; dedupeKey?: string } = {},
) {
  const [t] = (await shop.api('GET', '/v1/triggers')).json().data;
  const res = await shop.api('PATCH', `/v1/triggers/${t.id}`, {
    eventTypes,
    ...(opts.wait ? { delay: 'P3D' } : {}),
    ...(opts.cancelOn ? { cancelOn: opts.cancelOn, dedupeKey: opts.dedupeKey ?? 'properties.orderId' } : {}),
  });
  expect(res.statusCode).toBe(200);
}

const invitationOf = async (shop: Shop, eventId: string) => {
  const view = (await shop.api('GET', `/v1/events/${encodeURIComponent(eventId)}`)).json();
  expect(view.status).toBe('planned');
  return view.decisions[0];
};

describe('Shopify', () => {
  const order = platformPayloads.shopifyOrdersPaid();
  const delivered = platformPayloads.shopifyFulfillmentsUpdate();
  const refund = platformPayloads.shopifyRefundsCreate();
  // Shopify's ids are 64-bit: taken exactly from the body, not rounded to a double.
  const orderId = '820982911946154508';
  const headers = (secret: string, topic: string, body: string, webhookId: string = randomUUID()) => ({
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': b64(secret, body),
    'x-shopify-webhook-id': webhookId,
    'x-shopify-shop-domain': 'example.myshopify.com',
  });

  test('a signed order, then its delivery → order.delivered → the invitation email; wrong signatures store nothing; a re-delivery is one event', async ({
    shop,
    smtp,
  }) => {
    const c = await connector(shop, { kind: 'shopify', name: 'Main shop', secret: 'shpss_test_secret_0123' });
    expect(c.endpoint).toBe(`${shop.publicUrl}/hooks/${c.id}`);
    expect(c.secret).toBe('shpss_test_secret_0123');
    // The secret is never shown again, only its hint.
    const shown = (await shop.api('GET', `/v1/connectors/${c.id}`)).json();
    expect(shown.secret).toBeUndefined();
    expect(shown.secretHint).toBe('…0123');

    const wrong = await deliver(shop, c.id, order, headers('not-the-secret', 'orders/paid', order));
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_signature');
    const tampered = await deliver(
      shop,
      c.id,
      order.replace('"403.00"', '"4.00"'),
      headers(c.secret, 'orders/paid', order),
    );
    expect(tampered.status).toBe(401);
    expect(await eventCount(shop)).toBe(0);
    expect(await deliveryCount(shop)).toBe(0);

    const paid = await deliver(shop, c.id, order, headers(c.secret, 'orders/paid', order, 'wh-1'));
    expect(paid).toEqual({
      status: 200,
      json: { outcome: 'accepted', eventId: `shopify:${orderId}:order.paid`, reason: null },
    });
    // Shopify re-delivers with the same webhook id: acknowledged, nothing new.
    const again = await deliver(shop, c.id, order, headers(c.secret, 'orders/paid', order, 'wh-1'));
    expect(again.json.outcome).toBe('duplicate');
    // A second delivery of the same order and topic under a new webhook id is still one event.
    const newId = await deliver(shop, c.id, order, headers(c.secret, 'orders/paid', order, 'wh-2'));
    expect(newId.json).toMatchObject({ outcome: 'duplicate', eventId: `shopify:${orderId}:order.paid` });

    const arrived = await deliver(
      shop,
      c.id,
      delivered,
      headers(c.secret, 'fulfillments/update', delivered, 'wh-3'),
    );
    expect(arrived.json).toMatchObject({
      outcome: 'accepted',
      eventId: `shopify:${orderId}:order.delivered`,
    });
    const mail = await smtp.waitFor((m) => m.to.includes('john@example.com'), 20_000);
    expect(mail.subject).toBeTruthy();
    expect(await eventCount(shop)).toBe(2);

    // The delivered event's contact is the order's customer, with the order's properties.
    const event = (
      await shop.api('GET', `/v1/events/${encodeURIComponent(`shopify:${orderId}:order.delivered`)}`)
    ).json();
    expect(event.contact.id).toBe('shopify:115310627314723954');

    const log = (await shop.api('GET', `/v1/connectors/${c.id}/deliveries`)).json();
    expect(log.data.map((d: { deliveryId: string; outcome: string }) => [d.deliveryId, d.outcome])).toEqual([
      ['wh-3', 'accepted'],
      ['wh-2', 'duplicate'],
      ['wh-1', 'accepted'],
    ]);
  });

  test('a refund after the order cancels the invitation still waiting', async ({ shop, smtp }) => {
    await trigger(shop, ['order.delivered'], { wait: true, cancelOn: ['order.refunded', 'order.cancelled'] });
    const c = await connector(shop, { kind: 'shopify', name: 'Main shop', secret: 'shpss_test_secret_0123' });
    await deliver(shop, c.id, order, headers(c.secret, 'orders/paid', order));
    await deliver(shop, c.id, delivered, headers(c.secret, 'fulfillments/update', delivered));
    await waitFor(async () =>
      expect((await invitationOf(shop, `shopify:${orderId}:order.delivered`)).outcome).toBe('invited'),
    );
    const refunded = await deliver(shop, c.id, refund, headers(c.secret, 'refunds/create', refund));
    expect(refunded.json).toMatchObject({
      outcome: 'accepted',
      eventId: `shopify:${orderId}:order.refunded`,
    });
    await waitFor(async () =>
      expect(await invitationOf(shop, `shopify:${orderId}:order.delivered`)).toMatchObject({
        reason: 'cancelled_by_event',
      }),
    );
    await queuesIdle(shop.system.ctx.queues);
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('WooCommerce', () => {
  const completed = platformPayloads.wooOrderUpdated();
  const payload = JSON.parse(completed);
  const headers = (secret: string, body: string, deliveryId: string = randomUUID()) => ({
    'x-wc-webhook-topic': 'order.updated',
    'x-wc-webhook-resource': 'order',
    'x-wc-webhook-event': 'updated',
    'x-wc-webhook-signature': b64(secret, body),
    'x-wc-webhook-id': '15',
    'x-wc-webhook-delivery-id': deliveryId,
    'x-wc-webhook-source': 'https://shop.example.com/',
  });

  test('the ping is accepted; a completed order → the invitation; wrong signature 401; one event per delivery id; a refund cancels the waiting one', async ({
    shop,
    smtp,
  }) => {
    await trigger(shop, ['order.completed']);
    const c = await connector(shop, { kind: 'woocommerce', name: 'Woo' });
    expect(c.secret).toMatch(/^[\w-]{32}$/);
    const ping = await shop.system.app.inject({
      method: 'POST',
      url: `/hooks/${c.id}`,
      payload: 'webhook_id=15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(ping.statusCode).toBe(200);
    expect(ping.json().outcome).toBe('ping');

    expect((await deliver(shop, c.id, completed, headers('wrong-secret', completed))).status).toBe(401);
    expect(await eventCount(shop)).toBe(0);
    expect(await deliveryCount(shop)).toBe(0);

    const first = await deliver(shop, c.id, completed, headers(c.secret, completed, 'd-1'));
    expect(first.json).toMatchObject({ outcome: 'accepted', eventId: 'woocommerce:727:order.completed' });
    expect((await deliver(shop, c.id, completed, headers(c.secret, completed, 'd-1'))).json.outcome).toBe(
      'duplicate',
    );
    await smtp.waitFor((m) => m.to.includes('john.doe@example.com'), 20_000);
    expect(await eventCount(shop)).toBe(1);

    // Another order, waiting three days, then refunded: its invitation is cancelled.
    await trigger(shop, ['order.completed'], { wait: true, cancelOn: ['order.refunded', 'order.cancelled'] });
    const second = JSON.stringify({
      ...payload,
      id: 728,
      number: '728',
      billing: { ...(payload.billing as object), email: 'ann@example.com' },
    });
    await deliver(shop, c.id, second, headers(c.secret, second));
    await waitFor(async () =>
      expect((await invitationOf(shop, 'woocommerce:728:order.completed')).outcome).toBe('invited'),
    );
    const refunded = JSON.stringify({ ...JSON.parse(second), status: 'refunded' });
    expect((await deliver(shop, c.id, refunded, headers(c.secret, refunded))).json.eventId).toBe(
      'woocommerce:728:order.refunded',
    );
    await waitFor(async () =>
      expect(await invitationOf(shop, 'woocommerce:728:order.completed')).toMatchObject({
        reason: 'cancelled_by_event',
      }),
    );
  });
});

describe('Zendesk', () => {
  const solved = platformPayloads.zendeskTicketSolved();
  const SECRET = 'zendesk_signing_secret_0123456789';
  const headers = (body: string, at = new Date(), secret = SECRET, invocation: string = randomUUID()) => {
    const timestamp = at.toISOString();
    return {
      'x-zendesk-webhook-id': '01GXXXXXXXXXXXXXXXXXXX',
      'x-zendesk-webhook-invocation-id': invocation,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': b64(secret, timestamp + body),
    };
  };

  test('a solved ticket → ticket.solved → the CSAT invitation; wrong or stale signatures are 401; one event per invocation', async ({
    shop,
    smtp,
  }) => {
    await trigger(shop, ['ticket.solved']);
    const c = await connector(shop, { kind: 'zendesk', name: 'Helpdesk', secret: SECRET });
    expect((await deliver(shop, c.id, solved, headers(solved, new Date(), 'wrong'))).status).toBe(401);
    const stale = await deliver(shop, c.id, solved, headers(solved, new Date(Date.now() - 10 * 60_000)));
    expect(stale.status).toBe(401);
    expect(await eventCount(shop)).toBe(0);
    expect(await deliveryCount(shop)).toBe(0);

    const ok = await deliver(shop, c.id, solved, headers(solved, new Date(), SECRET, 'inv-1'));
    expect(ok.json).toMatchObject({ outcome: 'accepted', eventId: 'zendesk:35436:ticket.solved' });
    expect(
      (await deliver(shop, c.id, solved, headers(solved, new Date(), SECRET, 'inv-1'))).json.outcome,
    ).toBe('duplicate');
    await smtp.waitFor((m) => m.to.includes('roger@example.org'), 20_000);
    const event = (await shop.api('GET', '/v1/events/zendesk%3A35436%3Aticket.solved')).json();
    expect(event.type).toBe('ticket.solved');
    expect(await eventCount(shop)).toBe(1);
  });
});

describe('any JSON webhook', () => {
  const expression = `{
    "id": "acme:" & order.ref & ":" & order.state,
    "type": "order." & order.state,
    "contact": { "id": buyer.uid, "email": buyer.mail, "name": buyer.first },
    "properties": { "orderId": order.ref, "total": order.total }
  }`;
  const body = (ref: string, state: string) =>
    JSON.stringify({
      order: { ref, state, total: 12.5 },
      buyer: { uid: `u-${ref}`, mail: `${ref.toLowerCase()}@example.com`, first: 'Ola' },
    });
  const sign = (secret: string, text: string) =>
    `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;

  test('a mapping and an HMAC check: signed payload → event → invitation; wrong signature 401; "test this payload" names the missing field', async ({
    shop,
    smtp,
  }) => {
    await trigger(shop, ['order.delivered'], { wait: false, cancelOn: ['order.cancelled'] });
    const bad = await shop.api('POST', '/v1/connectors', {
      kind: 'json',
      name: 'Acme',
      json: { expression: '{ "id": ' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('json.expression');
    const c = await connector(shop, {
      kind: 'json',
      name: 'Acme',
      json: {
        expression,
        deliveryIdHeader: 'X-Acme-Delivery',
        signature: { header: 'X-Acme-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
      },
    });
    const test1 = await shop.api('POST', `/v1/connectors/${c.id}/test`, {
      payload: { order: { ref: 'A-1', state: 'delivered' } },
    });
    expect(test1.json()).toEqual({
      outcome: 'rejected',
      field: 'contact.id',
      reason: 'contact.id is missing (the mapping gave none)',
    });
    const test2 = await shop.api('POST', `/v1/connectors/${c.id}/test`, {
      payload: JSON.parse(body('A-1', 'delivered')),
    });
    expect(test2.json()).toMatchObject({
      outcome: 'event',
      event: { id: 'acme:A-1:delivered', contact: { id: 'u-A-1' } },
    });
    expect(await eventCount(shop)).toBe(0);

    const payload = body('A-1', 'delivered');
    expect((await deliver(shop, c.id, payload, { 'x-acme-signature': sign('wrong', payload) })).status).toBe(
      401,
    );
    expect((await deliver(shop, c.id, payload, {})).status).toBe(401);
    expect(await deliveryCount(shop)).toBe(0);
    const ok = await deliver(shop, c.id, payload, {
      'x-acme-signature': sign(c.secret, payload),
      'x-acme-delivery': 'a-1',
    });
    expect(ok.json).toMatchObject({ outcome: 'accepted', eventId: 'acme:A-1:delivered' });
    expect(
      (
        await deliver(shop, c.id, payload, {
          'x-acme-signature': sign(c.secret, payload),
          'x-acme-delivery': 'a-1',
        })
      ).json.outcome,
    ).toBe('duplicate');
    await smtp.waitFor((m) => m.to.includes('a-1@example.com'), 20_000);

    // A payload the mapping cannot fill is logged as rejected, naming the field, and makes no event.
    const empty = JSON.stringify({ order: { ref: 'A-2', state: 'delivered' } });
    const rejected = await deliver(shop, c.id, empty, {
      'x-acme-signature': sign(c.secret, empty),
      'x-acme-delivery': 'a-2',
    });
    expect(rejected.json).toMatchObject({
      outcome: 'rejected',
      reason: 'contact.id is missing (the mapping gave none)',
    });
    expect(await eventCount(shop)).toBe(1);
  });
});
