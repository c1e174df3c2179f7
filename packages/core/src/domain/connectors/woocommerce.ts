// WooCommerce webhooks → events: an order that becomes completed, refunded or cancelled.
import {
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

/** Order statuses we turn into events. */
export const wooStatuses = {
  completed: 'order.completed',
  refunded: 'order.refunded',
  cancelled: 'order.cancelled',
} as const;

export const wooEventId = (orderId: string, type: string) => orderEventId('woocommerce', orderId, type);

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
  return orderEvent(
    'woocommerce',
    type,
    order,
    (o) => {
      const billing = obj(o.billing);
      const customerId = num(o.customer_id);
      return {
        // 0 is WooCommerce's guest.
        customerId: customerId ? String(customerId) : undefined,
        email: str(billing.email),
        required: 'billing.email',
        phone: e164(billing.phone),
        name: str(billing.first_name),
      };
    },
    (o, lineItems) => ({
      orderNumber: str(o.number),
      total: num(o.total),
      currency: str(o.currency),
      products: uniqueStrings(lineItems.map((l) => l.name)),
      shippingCountry: str(obj(o.shipping).country) ?? str(obj(o.billing).country),
      channel: str(o.created_via),
    }),
  );
}

/** WooCommerce's ping when a webhook is saved: form-encoded `webhook_id=N`, unsigned. */
export function isWooPing(contentType: string | undefined, rawBody: string): boolean {
  return (
    (contentType ?? '').startsWith('application/x-www-form-urlencoded') &&
    /^webhook_id=\d+$/.test(rawBody.trim())
  );
}
