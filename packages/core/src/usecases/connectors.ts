// Inbound connectors: create, change, rotate and remove them; take a platform's webhook (verify, map, store once, ingest); show recent deliveries.
import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import {
  type CompiledMapping,
  compileMapping,
  MappingSyntaxError,
} from '../domain/connectors/json-mapping.ts';
import { type EventDraft, type Mapped, parsePayload } from '../domain/connectors/mapped.ts';
import { mapShopify, shopifyEventId, shopifyTopics } from '../domain/connectors/shopify.ts';
import {
  type DigestEncoding,
  type HmacAlgorithm,
  verifyHmac,
  verifyShopify,
  verifyWooCommerce,
  verifyZendesk,
} from '../domain/connectors/signatures.ts';
import { isWooPing, mapWooCommerce } from '../domain/connectors/woocommerce.ts';
import { mapZendesk } from '../domain/connectors/zendesk.ts';
import { sealToken, unsealToken } from '../domain/tokens.ts';
import { AppError } from '../errors.ts';
import type { Database } from '../store/client.ts';
import {
  type ConnectorKind,
  type ConnectorOutcome,
  cases,
  caseTickets,
  connectorDeliveries,
  connectors,
  contacts,
  events,
  type JsonConnectorSettings,
} from '../store/schema.ts';
import { updateCase } from './cases.ts';
import { type IncomingEvent, ingestEvents } from './ingest-events.ts';

export type Connector = typeof connectors.$inferSelect;

export type ZendeskApiInput = { url: string; email: string; token: string };

export type ConnectorInput = {
  kind: ConnectorKind;
  name: string;
  /** The platform's secret (Shopify's client secret, Zendesk's signing secret); WooCommerce and JSON may leave it to us. */
  secret?: string | undefined;
  json?: JsonConnectorSettings | undefined;
  zendeskApi?: ZendeskApiInput | undefined;
};

export type ConnectorChange = {
  name?: string | undefined;
  secret?: string | undefined;
  json?: JsonConnectorSettings | undefined;
  zendeskApi?: ZendeskApiInput | null | undefined;
  enabled?: boolean | undefined;
};

const hint = (secret: string) => `…${secret.slice(-4)}`;

/** A mapping that does not compile is a 400 naming the field and where in the expression. */
function checkMapping(json: JsonConnectorSettings) {
  try {
    compileMapping(json.expression);
  } catch (err) {
    if (!(err instanceof MappingSyntaxError)) throw err;
    const at = err.position === undefined ? '' : ` (at character ${err.position})`;
    throw AppError.validation([{ field: 'json.expression', message: `${err.message}${at}` }]);
  }
}

function sealedApi(api: ZendeskApiInput, secretKey: string) {
  return {
    url: api.url.replace(/\/+$/, ''),
    email: api.email,
    tokenSealed: sealToken(api.token, secretKey),
    tokenHint: hint(api.token),
  };
}

/** Creates a connector; the answer carries the secret, the only time it is shown. */
export async function createConnector(
  { db }: Database,
  workspaceId: string,
  input: ConnectorInput,
  secretKey: string,
): Promise<{ connector: Connector; secret: string | null }> {
  const needsOwn = input.kind === 'shopify' || input.kind === 'zendesk';
  if (needsOwn && !input.secret) {
    const where =
      input.kind === 'shopify'
        ? "the app's client secret (Shopify admin → Apps → Develop apps → API credentials)"
        : "the webhook's signing secret (Zendesk Admin Center → Webhooks → the webhook → Reveal secret)";
    throw AppError.validation([{ field: 'secret', message: `is required: ${where}` }]);
  }
  if (input.kind === 'json') {
    if (!input.json)
      throw AppError.validation([
        { field: 'json', message: 'is required for a json connector: { expression, signature? }' },
      ]);
    checkMapping(input.json);
  } else if (input.json) {
    throw AppError.validation([{ field: 'json', message: 'only a json connector takes a mapping' }]);
  }
  if (input.zendeskApi && input.kind !== 'zendesk')
    throw AppError.validation([{ field: 'zendeskApi', message: 'only a zendesk connector mirrors cases' }]);
  // WooCommerce takes a secret we choose; a JSON connector needs one only to check signatures.
  const generate =
    input.kind === 'woocommerce' || (input.kind === 'json' && input.json?.signature !== undefined);
  const secret = input.secret ?? (generate ? randomBytes(24).toString('base64url') : null);
  const [row] = await db
    .insert(connectors)
    .values({
      workspaceId,
      kind: input.kind,
      name: input.name,
      secretSealed: secret ? sealToken(secret, secretKey) : null,
      secretHint: secret ? hint(secret) : null,
      json: input.json ?? null,
      zendeskApi: input.zendeskApi ? sealedApi(input.zendeskApi, secretKey) : null,
    })
    .returning();
  if (!row) throw new Error('connector insert returned nothing');
  return { connector: row, secret };
}

export function listConnectors({ db }: Database, workspaceId: string): Promise<Connector[]> {
  return db
    .select()
    .from(connectors)
    .where(eq(connectors.workspaceId, workspaceId))
    .orderBy(desc(connectors.createdAt));
}

export async function getConnector(
  { db }: Database,
  workspaceId: string,
  id: string,
): Promise<Connector | null> {
  const [row] = await db
    .select()
    .from(connectors)
    .where(and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id)));
  return row ?? null;
}

/** Changes a connector; a new secret replaces the old at once (rotation: paste it in the platform first). */
export async function updateConnector(
  database: Database,
  workspaceId: string,
  id: string,
  change: ConnectorChange,
  secretKey: string,
  now: Date,
): Promise<Connector> {
  const before = await getConnector(database, workspaceId, id);
  if (!before) throw AppError.notFound(`Connector ${id}`);
  if (change.json) {
    if (before.kind !== 'json')
      throw AppError.validation([{ field: 'json', message: 'only a json connector takes a mapping' }]);
    checkMapping(change.json);
  }
  if (change.zendeskApi && before.kind !== 'zendesk')
    throw AppError.validation([{ field: 'zendeskApi', message: 'only a zendesk connector mirrors cases' }]);
  const [row] = await database.db
    .update(connectors)
    .set({
      updatedAt: now,
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.secret !== undefined
        ? { secretSealed: sealToken(change.secret, secretKey), secretHint: hint(change.secret) }
        : {}),
      ...(change.json !== undefined ? { json: change.json } : {}),
      ...(change.zendeskApi !== undefined
        ? { zendeskApi: change.zendeskApi ? sealedApi(change.zendeskApi, secretKey) : null }
        : {}),
      ...(change.enabled !== undefined ? { disabledAt: change.enabled ? null : now } : {}),
    })
    .where(and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id)))
    .returning();
  if (!row) throw AppError.notFound(`Connector ${id}`);
  return row;
}

export async function deleteConnector({ db }: Database, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(connectors)
    .where(and(eq(connectors.workspaceId, workspaceId), eq(connectors.id, id)))
    .returning({ id: connectors.id });
  return rows.length > 0;
}

export type ConnectorDelivery = typeof connectorDeliveries.$inferSelect;

/** The last deliveries, newest first; page back with `before` (a delivery's id). Null when the connector is not the workspace's. */
export async function listConnectorDeliveries(
  database: Database,
  workspaceId: string,
  connectorId: string,
  { limit, before }: { limit: number; before?: number | undefined },
): Promise<ConnectorDelivery[] | null> {
  if (!(await getConnector(database, workspaceId, connectorId))) return null;
  return database.db
    .select()
    .from(connectorDeliveries)
    .where(
      and(
        eq(connectorDeliveries.connectorId, connectorId),
        eq(connectorDeliveries.workspaceId, workspaceId),
        before === undefined ? undefined : lt(connectorDeliveries.id, before),
      ),
    )
    .orderBy(desc(connectorDeliveries.id))
    .limit(limit);
}

/** Deliveries are kept this long (no payloads, only ids, topics and outcomes): enough to debug a setup. */
export const CONNECTOR_DELIVERY_RETENTION_DAYS = 30;

/** Drops deliveries past the retention; a re-delivery after that long is still one event (the event id is derived). */
export async function pruneConnectorDeliveries({ db }: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - CONNECTOR_DELIVERY_RETENTION_DAYS * 86_400_000);
  const rows = await db
    .delete(connectorDeliveries)
    .where(lt(connectorDeliveries.receivedAt, cutoff))
    .returning({ id: connectorDeliveries.id });
  return rows.length;
}

// --- receiving ---------------------------------------------------------------------------------

export type HookRequest = {
  connectorId: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact body as received: what platforms sign. */
  rawBody: string;
  /** The parsed JSON body (undefined for a form-encoded ping). */
  body: unknown;
  contentType: string | undefined;
};

export type HookResult = {
  outcome: ConnectorOutcome | 'ping';
  deliveryId: string | null;
  eventId: string | null;
  reason: string | null;
  /** Row ids of events new now: the caller enqueues their planning. */
  planned: string[];
};

export type HookOptions = {
  secretKey: string;
  now: Date;
  /** The same check as POST /v1/events (schema, time), so a connector's event is an event like any other. */
  toEvent: (draft: EventDraft) => IncomingEvent;
};

const header = (h: HookRequest['headers'], name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

const compiled = new Map<string, CompiledMapping>();
/** Compiled once per connector version (its updated_at), not per request. */
function mappingOf(c: Connector): CompiledMapping {
  const key = `${c.id}:${c.updatedAt.getTime()}`;
  let found = compiled.get(key);
  if (!found) {
    if (compiled.size > 1000) compiled.clear();
    found = compileMapping(c.json?.expression ?? '');
    compiled.set(key, found);
  }
  return found;
}

const badSignature = (what: string) =>
  new AppError(
    'invalid_signature',
    'unauthenticated',
    `The ${what} signature does not match this connector's secret`,
  );

type Verified = { deliveryId: string | undefined; topic: string | undefined; mapped: Mapped };

/** Checks the request the way its platform documents; a failure is a 401 and nothing is stored. */
async function verifyAndMap(
  c: Connector,
  req: HookRequest,
  secret: string | null,
  now: Date,
): Promise<Verified | 'ping'> {
  const h = req.headers;
  switch (c.kind) {
    case 'shopify': {
      if (!secret || !verifyShopify(secret, req.rawBody, header(h, 'x-shopify-hmac-sha256')))
        throw badSignature('X-Shopify-Hmac-Sha256');
      const topic = header(h, 'x-shopify-topic');
      return { deliveryId: header(h, 'x-shopify-webhook-id'), topic, mapped: mapShopify(topic, req.body) };
    }
    case 'woocommerce': {
      // Saving a webhook in WooCommerce sends an unsigned ping; it is answered and nothing is stored.
      if (isWooPing(req.contentType, req.rawBody)) return 'ping';
      if (!secret || !verifyWooCommerce(secret, req.rawBody, header(h, 'x-wc-webhook-signature')))
        throw badSignature('X-WC-Webhook-Signature');
      const topic = header(h, 'x-wc-webhook-topic');
      return {
        deliveryId: header(h, 'x-wc-webhook-delivery-id'),
        topic,
        mapped: mapWooCommerce(topic, req.body),
      };
    }
    case 'zendesk': {
      const ok =
        secret !== null &&
        verifyZendesk(
          secret,
          req.rawBody,
          header(h, 'x-zendesk-webhook-signature'),
          header(h, 'x-zendesk-webhook-signature-timestamp'),
          now,
        );
      if (!ok)
        throw badSignature('X-Zendesk-Webhook-Signature (or its timestamp is outside the 5-minute window)');
      return {
        deliveryId: header(h, 'x-zendesk-webhook-invocation-id'),
        topic: 'ticket.solved',
        mapped: mapZendesk(req.body),
      };
    }
    case 'json': {
      const settings = c.json;
      if (!settings) throw new Error(`json connector ${c.id} has no mapping`);
      const sig = settings.signature;
      if (sig) {
        let given = header(h, sig.header);
        if (sig.prefix && given?.startsWith(sig.prefix)) given = given.slice(sig.prefix.length);
        else if (sig.prefix) given = undefined;
        if (
          !secret ||
          !verifyHmac(
            secret,
            req.rawBody,
            given,
            sig.algorithm as HmacAlgorithm,
            sig.encoding as DigestEncoding,
          )
        )
          throw badSignature(sig.header);
      }
      const deliveryId = settings.deliveryIdHeader ? header(h, settings.deliveryIdHeader) : undefined;
      return { deliveryId, topic: undefined, mapped: await mappingOf(c).evaluate(req.body) };
    }
  }
}

/** Shopify refunds and fulfillments name the order, not the customer: the contact is the one the order's events had. */
async function contactOfShopifyOrder(
  database: Database,
  workspaceId: string,
  orderId: string,
): Promise<string | null> {
  const ids = ['orders/paid', 'orders/fulfilled', 'orders/cancelled'].map((t) =>
    shopifyEventId(orderId, shopifyTopics[t as keyof typeof shopifyTopics]),
  );
  const [row] = await database.db
    .select({ externalId: contacts.externalId })
    .from(events)
    .innerJoin(contacts, eq(contacts.id, events.contactId))
    .where(and(eq(events.workspaceId, workspaceId), inArray(events.externalId, ids)))
    .orderBy(events.receivedAt)
    .limit(1);
  return row?.externalId ?? null;
}

/** A draft → the event ingest takes, or the reason (naming the field) it cannot be one. */
async function toIncoming(
  database: Database,
  c: Connector,
  mapped: Mapped,
  toEvent: HookOptions['toEvent'],
): Promise<{ event: IncomingEvent } | { reason: string; field: string }> {
  if (mapped.kind !== 'event')
    return mapped.kind === 'rejected' ? mapped : { reason: mapped.reason, field: '' };
  const draft = mapped.event;
  if (draft.contact.id === null) {
    const orderId = String(draft.properties.orderId ?? '');
    const known = await contactOfShopifyOrder(database, c.workspaceId, orderId);
    // The customer the order named keeps their own details; otherwise the payload's email is the contact.
    if (known) draft.contact = { id: known };
    else if (draft.contact.email) draft.contact = { ...draft.contact, id: draft.contact.email };
    else
      return {
        field: 'customer',
        reason: `customer is unknown: no earlier order event for order ${orderId} and no email`,
      };
  }
  try {
    return { event: toEvent(draft) };
  } catch (err) {
    if (!(err instanceof AppError) || !err.details?.length) throw err;
    const [first] = err.details;
    return { field: first?.field ?? '', reason: `${first?.field} ${first?.message}` };
  }
}

/**
 * One webhook request. Unknown or switched-off connector: 404. Bad signature: 401, nothing stored
 * (anyone can reach the URL; only what the platform signed is logged). Otherwise the delivery is
 * recorded once per platform delivery id, and what it maps to goes through the same ingest as POST
 * /v1/events, idempotent on the derived event id — so a re-delivery, even under a new delivery id, is one event.
 */
export async function receiveHook(
  database: Database,
  req: HookRequest,
  opts: HookOptions,
): Promise<HookResult> {
  const [c] = await database.db.select().from(connectors).where(eq(connectors.id, req.connectorId));
  if (!c || c.disabledAt) throw AppError.notFound(`Connector ${req.connectorId}`);
  const secret = c.secretSealed ? unsealToken(c.secretSealed, opts.secretKey) : null;
  // Read again from the exact bytes (they were JSON already, or the parser refused them): big ids stay exact.
  const body = typeof req.body === 'object' && req.body !== null ? parsePayload(req.rawBody) : req.body;
  const verified = await verifyAndMap(c, { ...req, body }, secret, opts.now);
  if (verified === 'ping')
    return { outcome: 'ping', deliveryId: null, eventId: null, reason: null, planned: [] };
  const { mapped, topic } = verified;
  const deliveryId = verified.deliveryId ?? (mapped.kind === 'event' ? mapped.event.id : null);
  if (!deliveryId)
    throw AppError.validation([
      { field: 'headers', message: 'the request carries no delivery id and maps to no event' },
    ]);

  const [seen] = await database.db
    .select()
    .from(connectorDeliveries)
    .where(and(eq(connectorDeliveries.connectorId, c.id), eq(connectorDeliveries.deliveryId, deliveryId)));
  if (seen)
    return {
      outcome: 'duplicate',
      deliveryId,
      eventId: seen.eventId,
      reason: 'this delivery id was received before',
      planned: [],
    };

  const incoming = await toIncoming(database, c, mapped, opts.toEvent);
  let outcome: ConnectorOutcome;
  let eventId: string | null = null;
  let reason: string | null = null;
  const planned: string[] = [];
  if ('event' in incoming) {
    const [stored] = await ingestEvents(database, c.workspaceId, [incoming.event]);
    eventId = incoming.event.id;
    if (stored?.eventId) {
      outcome = 'accepted';
      planned.push(stored.eventId);
    } else {
      outcome = 'duplicate';
      reason = 'the event was already made from an earlier delivery';
    }
  } else {
    outcome = mapped.kind === 'ignored' ? 'ignored' : 'rejected';
    reason = incoming.reason;
  }
  // Two concurrent deliveries with one id: ingest made one event at most, and one row wins here.
  await database.db
    .insert(connectorDeliveries)
    .values({
      workspaceId: c.workspaceId,
      connectorId: c.id,
      deliveryId,
      topic: topic ?? null,
      outcome,
      eventId,
      reason,
      receivedAt: opts.now,
    })
    .onConflictDoNothing();
  if (c.kind === 'zendesk' && mapped.kind === 'event')
    await resolveMirroredCase(database, c, String(mapped.event.properties.ticketId), opts.now);
  return { outcome, deliveryId, eventId, reason, planned };
}

/** A mirrored ticket solved in Zendesk resolves its case here (once; no comment goes back to the ticket). */
async function resolveMirroredCase(database: Database, c: Connector, ticketId: string, now: Date) {
  const [link] = await database.db
    .update(caseTickets)
    .set({ ticketSolvedAt: now })
    .where(and(eq(caseTickets.connectorId, c.id), eq(caseTickets.ticketId, ticketId)))
    .returning({ caseId: caseTickets.caseId });
  if (!link) return;
  const [open] = await database.db
    .select({ status: cases.status })
    .from(cases)
    .where(eq(cases.id, link.caseId));
  if (!open || open.status === 'resolved') return;
  await updateCase(
    database,
    c.workspaceId,
    link.caseId,
    { status: 'resolved', resolution: `Solved in Zendesk (ticket #${ticketId})` },
    'zendesk',
    now,
  );
}

export type ConnectorTestResult =
  | { outcome: 'event'; event: IncomingEvent }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'rejected'; field: string; reason: string };

/** "Test this payload": the event a payload would make (or which field is missing), storing nothing. No signature is checked. */
export async function testConnectorPayload(
  database: Database,
  c: Connector,
  input: { payload: unknown; topic?: string | undefined },
  toEvent: HookOptions['toEvent'],
): Promise<ConnectorTestResult> {
  const mapped: Mapped =
    c.kind === 'shopify'
      ? mapShopify(input.topic ?? 'orders/paid', input.payload)
      : c.kind === 'woocommerce'
        ? mapWooCommerce(input.topic ?? 'order.updated', input.payload)
        : c.kind === 'zendesk'
          ? mapZendesk(input.payload)
          : await mappingOf(c).evaluate(input.payload);
  if (mapped.kind === 'ignored') return { outcome: 'ignored', reason: mapped.reason };
  const out = await toIncoming(database, c, mapped, toEvent);
  return 'event' in out
    ? { outcome: 'event', event: out.event }
    : { outcome: 'rejected', field: out.field, reason: out.reason };
}
