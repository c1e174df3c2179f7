// The platforms' documented webhook payloads (SOURCES.md says where each comes from), as their exact text: what a platform sends and signs.
import { readFileSync } from 'node:fs';

const load = (name: string): string =>
  readFileSync(new URL(`./connectors/${name}.json`, import.meta.url), 'utf8');

/** Each payload's text; JSON.parse it to change a field (Shopify's 18-digit ids then lose their last digits). */
export const platformPayloads = {
  shopifyOrdersPaid: () => load('shopify-orders-paid'),
  shopifyRefundsCreate: () => load('shopify-refunds-create'),
  shopifyFulfillmentsUpdate: () => load('shopify-fulfillments-update'),
  shopifyFulfillmentEventsCreate: () => load('shopify-fulfillment-events-create'),
  wooOrderUpdated: () => load('woocommerce-order-updated'),
  zendeskTicketSolved: () => load('zendesk-ticket-solved'),
};
