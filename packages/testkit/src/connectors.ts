// The platforms' documented webhook payloads (SOURCES.md says where each comes from), for unit and system tests.
import { readFileSync } from 'node:fs';

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./connectors/${name}.json`, import.meta.url), 'utf8'));

export const platformPayloads = {
  shopifyOrdersPaid: () => load('shopify-orders-paid'),
  shopifyRefundsCreate: () => load('shopify-refunds-create'),
  shopifyFulfillmentsUpdate: () => load('shopify-fulfillments-update'),
  shopifyFulfillmentEventsCreate: () => load('shopify-fulfillment-events-create'),
  wooOrderUpdated: () => load('woocommerce-order-updated'),
  zendeskTicketSolved: () => load('zendesk-ticket-solved'),
};
