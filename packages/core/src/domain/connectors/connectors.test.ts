// Each platform's documented payload (packages/testkit/src/connectors, SOURCES.md) → the event it becomes, or why none.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileMapping, MappingSyntaxError } from './json-mapping.ts';
import { parsePayload } from './mapped.ts';
import { mapShopify } from './shopify.ts';
import { isWooPing, mapWooCommerce } from './woocommerce.ts';
import { mapZendesk } from './zendesk.ts';

/** The payloads live with the testkit (which depends on core, so core reads them by path). */
const payload = (name: string): Record<string, unknown> =>
  parsePayload(
    readFileSync(new URL(`../../../../testkit/src/connectors/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

// Shopify's example ids are 18 digits: read exactly (parsePayload), not rounded to a double.
const orderId = '820982911946154508';
const customerId = '115310627314723954';

describe('Shopify', () => {
  it('orders/paid: the customer is the contact, the order gives the properties', () => {
    expect(mapShopify('orders/paid', payload('shopify-orders-paid'))).toEqual({
      kind: 'event',
      event: {
        id: `shopify:${orderId}:order.paid`,
        type: 'order.paid',
        contact: {
          id: `shopify:${customerId}`,
          email: 'john@example.com',
          name: 'John',
          locale: 'en',
        },
        properties: {
          source: 'shopify',
          orderId,
          orderName: '#9999',
          total: 403,
          currency: 'USD',
          productTypes: ['Cult Products'],
          vendors: ['Apple'],
          shippingCountry: 'US',
          channel: 'web',
        },
      },
    });
  });

  it('orders/fulfilled and orders/cancelled share the order body; the event id differs per topic', () => {
    const order = payload('shopify-orders-paid');
    const fulfilled = mapShopify('orders/fulfilled', order);
    const cancelled = mapShopify('orders/cancelled', order);
    expect(fulfilled.kind === 'event' && fulfilled.event.id).toBe(`shopify:${orderId}:order.fulfilled`);
    expect(cancelled.kind === 'event' && cancelled.event.type).toBe('order.cancelled');
  });

  it('refunds/create and delivered fulfillments name the order but not the customer', () => {
    expect(mapShopify('refunds/create', payload('shopify-refunds-create'))).toEqual({
      kind: 'event',
      event: {
        id: `shopify:${orderId}:order.refunded`,
        type: 'order.refunded',
        contact: { id: null },
        properties: { source: 'shopify', orderId },
      },
    });
    const delivered = mapShopify('fulfillments/update', payload('shopify-fulfillments-update'));
    expect(delivered).toMatchObject({
      kind: 'event',
      event: { id: `shopify:${orderId}:order.delivered`, contact: { id: null, email: 'jon@example.com' } },
    });
    const event = mapShopify('fulfillment_events/create', payload('shopify-fulfillment-events-create'));
    expect(event).toMatchObject({ kind: 'event', event: { id: `shopify:${orderId}:order.delivered` } });
  });

  it('a fulfillment not yet delivered, or a topic we do not map, is ignored with the reason', () => {
    const inTransit = { ...payload('shopify-fulfillments-update'), shipment_status: 'in_transit' };
    expect(mapShopify('fulfillments/update', inTransit)).toEqual({
      kind: 'ignored',
      reason: 'shipment_status is in_transit, not delivered',
    });
    expect(mapShopify('products/create', {})).toEqual({
      kind: 'ignored',
      reason: 'topic products/create is not one we map',
    });
  });

  it('an order without a customer or email is refused naming the field', () => {
    const { customer: _c, email: _e, contact_email: _ce, ...order } = payload('shopify-orders-paid');
    expect(mapShopify('orders/paid', order)).toEqual({
      kind: 'rejected',
      field: 'customer',
      reason: 'customer is missing',
    });
    expect(mapShopify(undefined, order)).toMatchObject({ kind: 'rejected', field: 'X-Shopify-Topic' });
  });
});

describe('WooCommerce', () => {
  it('order.updated with status completed → order.completed; a guest is known by the billing email', () => {
    expect(mapWooCommerce('order.updated', payload('woocommerce-order-updated'))).toEqual({
      kind: 'event',
      event: {
        id: 'woocommerce:727:order.completed',
        type: 'order.completed',
        contact: { id: 'john.doe@example.com', email: 'john.doe@example.com', name: 'John' },
        properties: {
          source: 'woocommerce',
          orderId: '727',
          orderNumber: '727',
          total: 29.35,
          currency: 'USD',
          products: ['Woo Single #1', 'Ship Your Idea &ndash; Color: Black, Size: M Test'],
          shippingCountry: 'US',
          channel: 'rest-api',
        },
      },
    });
  });

  it('refunded and cancelled become cancel events; a registered customer is known by id; other statuses are ignored', () => {
    const order = payload('woocommerce-order-updated');
    expect(mapWooCommerce('order.updated', { ...order, status: 'refunded', customer_id: 12 })).toMatchObject({
      event: { id: 'woocommerce:727:order.refunded', contact: { id: 'woocommerce:12' } },
    });
    // A local phone number is left out (ingest takes E.164 only); an international one is kept, compacted.
    const billing = { ...(order.billing as object), phone: '+48 600-100-200' };
    expect(mapWooCommerce('order.updated', { ...order, billing })).toMatchObject({
      event: { contact: { phone: '+48600100200' } },
    });
    expect(mapWooCommerce('order.updated', { ...order, status: 'cancelled' })).toMatchObject({
      event: { type: 'order.cancelled' },
    });
    expect(mapWooCommerce('order.updated', { ...order, status: 'processing' })).toEqual({
      kind: 'ignored',
      reason: 'order status processing is not completed, refunded or cancelled',
    });
  });

  it('recognises the ping WooCommerce sends when a webhook is saved', () => {
    expect(isWooPing('application/x-www-form-urlencoded', 'webhook_id=15')).toBe(true);
    expect(isWooPing('application/json', 'webhook_id=15')).toBe(false);
    expect(isWooPing('application/x-www-form-urlencoded', 'webhook_id=15&x=1')).toBe(false);
  });
});

describe('Zendesk', () => {
  it('a solved ticket → ticket.solved with the requester as contact and agent, group, tags, channel', () => {
    expect(mapZendesk(payload('zendesk-ticket-solved'))).toEqual({
      kind: 'event',
      event: {
        id: 'zendesk:35436:ticket.solved',
        type: 'ticket.solved',
        contact: { id: 'zendesk:20978392', email: 'roger@example.org', name: 'Roger', locale: 'en-US' },
        properties: {
          source: 'zendesk',
          ticketId: '35436',
          group: 'Support',
          assignee: 'Agent Smith',
          tags: ['delivery', 'late_package', 'vip'],
          channel: 'Email',
        },
      },
    });
  });

  it('a ticket that is not solved is ignored; a language name is left out, not refused', () => {
    const solved = payload('zendesk-ticket-solved');
    const ticket = solved.ticket as Record<string, unknown>;
    expect(mapZendesk({ ticket: { ...ticket, status: 'Open' } })).toEqual({
      kind: 'ignored',
      reason: 'ticket status is open, not solved',
    });
    const english = mapZendesk({
      ticket: { ...ticket, requester: { ...(ticket.requester as object), locale: 'English' } },
    });
    expect(english.kind === 'event' && english.event.contact.locale).toBeUndefined();
    expect(mapZendesk({ ticket: { status: 'solved' } })).toMatchObject({
      kind: 'rejected',
      field: 'ticket.id',
    });
  });
});

describe('parsePayload', () => {
  it('keeps integers beyond 2^53 exact, as strings, and every other value as JSON.parse would', () => {
    expect(parsePayload('{"id":820982911946154508,"n":42,"x":1.5,"s":"a","l":[true,null]}')).toEqual({
      id: '820982911946154508',
      n: 42,
      x: 1.5,
      s: 'a',
      l: [true, null],
    });
  });
});

describe('JSON mapping (JSONata)', () => {
  const expression = `{
    "id": "acme:" & order.ref,
    "type": "order." & order.state,
    "contact": { "id": buyer.uid, "email": buyer.mail },
    "properties": { "total": order.total, "store": order.store }
  }`;

  it('maps a payload to an event', async () => {
    const mapping = compileMapping(expression);
    const out = await mapping.evaluate({
      order: { ref: 'A-1', state: 'delivered', total: 12.5, store: 'Kraków' },
      buyer: { uid: 'u-9', mail: 'u9@example.com' },
    });
    expect(out).toEqual({
      kind: 'event',
      event: {
        id: 'acme:A-1',
        type: 'order.delivered',
        contact: { id: 'u-9', email: 'u9@example.com' },
        properties: { total: 12.5, store: 'Kraków' },
      },
    });
  });

  it('names the field the mapping could not fill', async () => {
    const mapping = compileMapping(expression);
    expect(await mapping.evaluate({ order: { ref: 'A-1', state: 'delivered' } })).toEqual({
      kind: 'rejected',
      field: 'contact.id',
      reason: 'contact.id is missing (the mapping gave none)',
    });
  });

  it('a syntax error says where; a runaway expression is stopped by the time guard', async () => {
    expect(() => compileMapping('{ "id": ')).toThrow(MappingSyntaxError);
    const forever = compileMapping('( $f := function($n) { $n > 0 ? $f($n + 1) : 0 }; $f(1) )');
    const out = await forever.evaluate({});
    expect(out.kind).toBe('rejected');
    expect(out.kind === 'rejected' && out.field).toBe('mapping');
  });
});
