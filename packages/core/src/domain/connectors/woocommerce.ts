// WooCommerce webhooks → events: an order that becomes completed, refunded or cancelled.
import {
  compact,
  type EventDraft,
  e164,
  ignored,
  type Mapped,
  missing,
  num,
  obj,
  str,
  uniqueStrings,
} from './mapped.ts';

/** Order statuses we turn into events. */
export const wooStatuses = {
  completed: 'order.completed',
  refunded: 'order.refunded',
  cancelled: 'order.cancelled',
} as const;

export const wooEventId = (orderId: string, type: string) => `woocommerce:${orderId}:${type}`;

/**
 * WooCommerce sends the whole order on order.created / order.updated (as its REST API shows it).
 * Contact: the registered customer (customer_id), or for a guest the billing email.
 */
export function mapWooCommerce(topic: string | undefined, payload: unknown): Mapped {
  if (!topic) return missing('X-WC-Webhook-Topic');
  if (!topic.startsWith('order.')) return ignored(`topic ${topic} is not one we map`);
  const order = obj(payload);
  const status = str(order.status);
  if (!status) return missing('status');
  const type = wooStatuses[status as keyof typeof wooStatuses];
  if (!type) return ignored(`order status ${status} is not completed, refunded or cancelled`);
  const orderId = str(order.id);
  if (!orderId) return missing('id');
  const billing = obj(order.billing);
  const customerId = num(order.customer_id);
  const email = str(billing.email);
  if (!customerId && !email) return missing('billing.email');
  const lineItems = Array.isArray(order.line_items) ? order.line_items.map(obj) : [];
  const event: EventDraft = {
    id: wooEventId(orderId, type),
    type,
    contact: compact({
      id: customerId ? `woocommerce:${customerId}` : (email as string),
      email,
      phone: e164(billing.phone),
      name: str(billing.first_name),
    }) as EventDraft['contact'],
    properties: compact({
      source: 'woocommerce',
      orderId,
      orderNumber: str(order.number),
      total: num(order.total),
      currency: str(order.currency),
      products: uniqueStrings(lineItems.map((l) => l.name)),
      shippingCountry: str(obj(order.shipping).country) ?? str(billing.country),
      channel: str(order.created_via),
    }),
  };
  return { kind: 'event', event };
}

/** WooCommerce's ping when a webhook is saved: form-encoded `webhook_id=N`, unsigned. */
export function isWooPing(contentType: string | undefined, rawBody: string): boolean {
  return (
    (contentType ?? '').startsWith('application/x-www-form-urlencoded') &&
    /^webhook_id=\d+$/.test(rawBody.trim())
  );
}
