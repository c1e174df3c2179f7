// Known-good inputs for operations whose OpenAPI entry has no request schema yet: the base the mutations start from.
// Once a route declares its schemas, the generator takes over and its entry here stops mattering.

/**
 * Real ids by the path segment that names them: `surveys` for /v1/surveys/{id}, `s` for /s/{token}. When a list has
 * more than one, the last is the one DELETE routes get, so that deleting it leaves the others to the other routes.
 */
export type KnownIds = Record<string, string[]>;

export type Example = { body?: unknown; query?: Record<string, string> };

/** The environment a fuzzed system runs with, so that every route is reachable (inbound mail, loopback hooks). */
export const fuzzEnv = {
  INBOUND_EMAIL_TOKEN: 'fuzz_inbound_token_0123456789',
  UNSUBSCRIBE_MAILTO: 'unsubscribe@shop.test',
  OUTBOUND_ALLOW_PRIVATE: 'true',
  FOLLOWUP_COMMENT_WAIT_MS: '0',
  // Invitation mail kept where the API can read it (GET /dev/outbox.json): its links give real /s/ and /u/ tokens.
  DEV_OUTBOX: 'true',
} as const;

export const first = (ids: KnownIds, resource: string) =>
  ids[resource]?.[0] ?? '00000000-0000-4000-8000-000000000000';

export function examples(ids: KnownIds): Record<string, Example> {
  const surveyId = first(ids, 'surveys');
  const event = {
    id: 'fuzz-order-2',
    type: 'order.delivered',
    occurredAt: '2026-01-15T10:00:00Z',
    contact: { id: 'fuzz-c-2', email: 'fuzz-c-2@example.test', name: 'Fuzz', locale: 'en', timezone: 'UTC' },
    properties: { orderId: 'A-2', total: 12.5, store: 'Main St' },
  };
  const period = { from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z' };
  return {
    'POST /v1/events': { body: event },
    'POST /v1/events/batch': { body: { events: [event, { ...event, id: 'fuzz-order-3' }] } },
    'POST /v1/surveys': { body: { kind: 'nps', name: 'Fuzz survey', question: { en: 'How likely?' } } },
    'PATCH /v1/surveys/{id}': { body: { name: 'Renamed', question: { en: 'How likely now?' } } },
    'GET /v1/surveys': { query: { limit: '10' } },
    'POST /v1/triggers': {
      body: { surveyId, eventTypes: ['order.shipped'], channels: ['email'], delay: 'PT0S', throttleDays: 1 },
    },
    'PATCH /v1/triggers/{id}': { body: { name: 'Renamed', enabled: true, sampleRate: 0.5 } },
    'POST /v1/triggers/{id}/test': { body: event },
    'GET /v1/responses': { query: { surveyId, limit: '10', ...period } },
    'GET /v1/metrics': { query: { surveyId, groupBy: 'week', ...period } },
    'GET /v1/metrics/referrals': { query: { period: 'week', ...period } },
    'GET /v1/stats/skips': { query: { surveyId, ...period } },
    'PATCH /v1/workspace': { body: { name: 'Shop', timezone: 'UTC', globalContactDays: 0 } },
    'GET /v1/contacts/{id}': { query: period },
    'PATCH /v1/contacts/{id}': { body: { name: 'Renamed', locale: 'pl-PL' } },
    'POST /v1/invitations': { body: { channel: 'qr', surveyId, eventId: first(ids, 'events') } },
    'GET /v1/invitations/qr-sheet': { query: { ids: first(ids, 'invitations') } },
    'GET /v1/invitations/{id}/qr.svg': { query: { size: '128', margin: '2', ecl: 'M' } },
    'GET /v1/invitations/{id}/qr.png': { query: { size: '128', margin: '2', ecl: 'M' } },
    'GET /v1/locations/{id}/qr.svg': { query: { size: '128' } },
    'GET /v1/locations/{id}/qr.png': { query: { size: '128' } },
    'POST /v1/locations': {
      body: { surveyId, name: 'Desk 2', deviceLimitHours: 1, properties: { desk: 2 } },
    },
    'GET /v1/cases': { query: { status: 'open', owner: 'anna', overdue: 'false', limit: '10' } },
    'PATCH /v1/cases/{id}': { body: { owner: 'anna', note: 'Called the customer' } },
    'POST /v1/webhooks': { body: { url: 'http://127.0.0.1:9/fuzz-hook', eventTypes: ['case.created'] } },
    'GET /v1/webhooks/{id}/deliveries': { query: { limit: '10' } },
    'GET /s/{token}': { query: { score: '9' } },
    'POST /s/{token}': { body: { score: 9, comment: 'Fine' } },
    'GET /l/{code}': { query: { score: '8' } },
    'POST /l/{code}': { body: { score: 8, comment: 'Nice shop' } },
    'POST /email/inbound/{secret}': { body: { subject: 'unsubscribe 0123456789abcdef0123456789abcdef' } },
    'POST /sms/status': { body: { MessageSid: 'SM0123', MessageStatus: 'delivered' } },
    'POST /sms/inbound': { body: { MessageSid: 'SM0124', From: '+48600100200', Body: '9' } },
    'POST /dev/sms/reply': { body: { from: '+48600100200', body: '9' } },
  };
}
