// A connector as operators see it: never its secret or API token (only their hints), with the URL to paste and where.
import { zendeskBodyTemplate } from '../domain/connectors/zendesk.ts';
import type { ConnectorKind } from '../store/schema.ts';
import type { Connector } from '../usecases/connectors.ts';

/** Where in each platform's admin the endpoint URL and the secret go. */
export const connectorSetup: Record<ConnectorKind, string> = {
  shopify:
    'Shopify admin → Settings → Notifications → Webhooks → Create webhook (or your app\'s webhook subscriptions): format JSON, this URL, topics orders/paid, orders/fulfilled, orders/cancelled, refunds/create, fulfillments/update. The secret is the one Shopify shows under the webhooks list ("Your webhooks will be signed with …") or your app\'s client secret.',
  woocommerce:
    'WordPress admin → WooCommerce → Settings → Advanced → Webhooks → Add webhook: topic "Order updated", this URL as Delivery URL, the secret shown here as Secret, API version WP REST API v3. Saving sends a ping, which is accepted.',
  zendesk: `Zendesk Admin Center → Apps and integrations → Webhooks → Create webhook (trigger or automation, POST, JSON) with this URL; copy its signing secret here. Then Objects and rules → Triggers → a trigger on "Ticket status is Solved" whose action notifies this webhook with the body ${JSON.stringify(zendeskBodyTemplate)}.`,
  json: "Point the platform's webhook at this URL. If it signs requests, set the header, algorithm and encoding, and give it the secret shown here.",
};

export function connectorView(c: Connector, publicUrl: string) {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    endpoint: `${publicUrl}/hooks/${c.id}`,
    setup: connectorSetup[c.kind],
    secretHint: c.secretHint,
    enabled: c.disabledAt === null,
    json: c.json,
    zendeskApi: c.zendeskApi
      ? { url: c.zendeskApi.url, email: c.zendeskApi.email, tokenHint: c.zendeskApi.tokenHint }
      : null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type ConnectorView = ReturnType<typeof connectorView>;
