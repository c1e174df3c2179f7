// Shopify webhooks → events: orders paid, fulfilled, cancelled; refunds; deliveries (fulfillment status "delivered").
import {
  compact,
  type EventDraft,
  e164,
  ignored,
  type Mapped,
  missing,
  num,
  obj,
  orderEvent,
  orderEventId,
  str,
  uniqueStrings,
} from './mapped.ts';

/** The topics we turn into events, and the event type each becomes. */
export const shopifyTopics = {
  'orders/paid': 'order.paid',
  'orders/fulfilled': 'order.fulfilled',
  'orders/cancelled': 'order.cancelled',
  'refunds/create': 'order.refunded',
  'fulfillments/create': 'order.delivered',
  'fulfillments/update': 'order.delivered',
  'fulfillment_events/create': 'order.delivered',
} as const;

/** The event id: one per order and event type, so a re-delivery (even with a new webhook id) is one event. */
export const shopifyEventId = (orderId: string, type: string) => orderEventId('shopify', orderId, type);

/** An order payload (orders/*): contact from its customer, properties from the order. */
const fromOrder = (type: string, order: Record<string, unknown>): Mapped =>
  orderEvent(
    'shopify',
    type,
    order,
    (o) => {
      const customer = obj(o.customer);
      return {
        customerId: str(customer.id),
        email: str(customer.email) ?? str(o.email) ?? str(o.contact_email),
        required: 'customer',
        phone: e164(customer.phone) ?? e164(o.phone),
        name: str(customer.first_name),
        locale: str(o.customer_locale),
      };
    },
    (o, lineItems) => ({
      orderName: str(o.name),
      total: num(o.total_price),
      currency: str(o.currency),
      productTypes: uniqueStrings(lineItems.map((l) => l.product_type)),
      vendors: uniqueStrings(lineItems.map((l) => l.vendor)),
      shippingCountry: str(obj(o.shipping_address).country_code),
      channel: str(o.source_name),
    }),
  );

/** A payload that names its order but not the customer: the contact comes from the order's earlier event. */
function aboutOrder(type: string, orderId: string | undefined, email: string | undefined): Mapped {
  if (!orderId) return missing('order_id');
  return {
    kind: 'event',
    event: {
      id: shopifyEventId(orderId, type),
      type,
      contact: compact({ id: null, email }) as EventDraft['contact'],
      properties: { source: 'shopify', orderId },
    },
  };
}

export function mapShopify(topic: string | undefined, payload: unknown): Mapped {
  if (!topic) return missing('X-Shopify-Topic');
  const body = obj(payload);
  switch (topic) {
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled':
      return fromOrder(shopifyTopics[topic], body);
    case 'refunds/create':
      return aboutOrder('order.refunded', str(body.order_id), undefined);
    case 'fulfillments/create':
    case 'fulfillments/update':
      if (body.shipment_status !== 'delivered')
        return ignored(`shipment_status is ${str(body.shipment_status) ?? 'empty'}, not delivered`);
      return aboutOrder('order.delivered', str(body.order_id), str(body.email));
    case 'fulfillment_events/create':
      if (body.status !== 'delivered')
        return ignored(`status is ${str(body.status) ?? 'empty'}, not delivered`);
      return aboutOrder('order.delivered', str(body.order_id), undefined);
    default:
      return ignored(`topic ${topic} is not one we map`);
  }
}
