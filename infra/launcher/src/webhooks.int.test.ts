// Outbound webhooks end to end: signed deliveries retried with backoff until a 2xx, a failing endpoint disabled with an email, and the API's answers.
import { emitWebhookEvent, verifyWebhook } from '@surveyflow/core';
import { type ReceivedRequest, startHttpReceiver, waitFor } from '@surveyflow/testkit';
import { describe, expect, onTestFinished } from 'vitest';
import { type startShop, test } from './testing.ts';

/**
 * A webhook endpoint on loopback: answers each request with the next status in `statuses` (the last
 * one repeats; a 3xx points elsewhere), or 401 when the signature does not verify with `secret` (set
 * once the webhook exists).
 */
async function startReceiver(statuses: number[]) {
  const receiver = {
    secret: '',
    url: '',
    requests: [] as (ReceivedRequest & { verified: boolean })[],
    close: () => Promise.resolve(),
  };
  const http = await startHttpReceiver((request, n) => {
    const ok = verifyWebhook(receiver.secret, request.headers, request.body, new Date());
    receiver.requests.push({ ...request, verified: ok });
    const status = ok ? (statuses[n - 1] ?? statuses.at(-1) ?? 200) : 401;
    return status >= 300 && status < 400 ? { status, headers: { location: '/elsewhere' } } : status;
  });
  receiver.url = `${http.url}/surveyflow`;
  receiver.close = http.close;
  return receiver;
}

type Api = Awaited<ReturnType<typeof startShop>>['api'];
type Delivery = {
  id: string;
  status: string;
  attempts: number;
  log: { statusCode: number | null; error: string | null }[];
};

const deliveries = async (api: Api, webhookId: string): Promise<Delivery[]> =>
  (await api('GET', `/v1/webhooks/${webhookId}/deliveries`)).json().data;

describe('outbound webhooks', () => {
  test('a delivery answered 500, 500, 200 is retried after 1 s and 2 s and delivered on the third try, every attempt the same signed message', async ({
    shop,
  }) => {
    const receiver = await startReceiver([500, 500, 200]);
    const { system, api } = shop;
    onTestFinished(() => receiver.close());
    const created = await api('POST', '/v1/webhooks', {
      url: receiver.url,
      eventTypes: ['contact.unsubscribed'],
    });
    expect(created.statusCode).toBe(201);
    const webhook = created.json();
    expect(webhook).toMatchObject({
      url: receiver.url,
      eventTypes: ['contact.unsubscribed'],
      enabled: true,
    });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secret = webhook.secret;

    const [workspace] = await system.ctx.database.sql`select id from workspaces`;
    const data = { contact: { id: 'c-1', email: 'eve@example.com' }, source: 'email_link' };
    const emitted = await emitWebhookEvent(
      system.ctx.database.db,
      workspace?.id,
      'contact.unsubscribed',
      data,
      new Date(),
    );
    expect(emitted).toBe(1);
    system.worker.scanner.kick();

    const [delivery] = await waitFor(async () => {
      const list = await deliveries(api, webhook.id);
      return list[0]?.status === 'delivered' && list;
    });
    expect(delivery).toMatchObject({ eventType: 'contact.unsubscribed', attempts: 3, nextAttemptAt: null });
    expect(delivery?.log.map((a) => [a.statusCode, a.error])).toEqual([
      [500, null],
      [500, null],
      [200, null],
    ]);

    const [first, second, third] = receiver.requests;
    expect(receiver.requests.map((r) => r.verified)).toEqual([true, true, true]);
    for (const r of receiver.requests) {
      expect(r.headers['webhook-id']).toBe(delivery?.id);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.body).toBe(first?.body);
    }
    expect(JSON.parse(first?.body ?? '')).toMatchObject({ type: 'contact.unsubscribed', data });
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    expect((await api('GET', `/v1/webhooks/${webhook.id}`)).json()).toMatchObject({
      enabled: true,
      consecutiveFailures: 0,
    });
  });

  test('an endpoint that keeps failing is disabled after 3 failures in a row: the workspace is emailed, a pending retry is not sent, new events make no delivery until it is enabled again', async ({
    shopWith,
    smtp,
  }) => {
    const receiver = await startReceiver([503]);
    const { system, api } = await shopWith({
      env: { WEBHOOK_DISABLE_AFTER_FAILURES: '3', WEBHOOK_MAX_ATTEMPTS: '2' },
    });
    onTestFinished(() => receiver.close());
    const webhook = (
      await api('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['contact.unsubscribed'] })
    ).json();
    receiver.secret = webhook.secret;
    const [workspace] = await system.ctx.database.sql`select id from workspaces`;
    const emit = async (contactId: string) => {
      const n = await emitWebhookEvent(
        system.ctx.database.db,
        workspace?.id,
        'contact.unsubscribed',
        { contact: { id: contactId } },
        new Date(),
      );
      system.worker.scanner.kick();
      return n;
    };

    // The first event uses up its two attempts: failures 1 and 2 in a row.
    expect(await emit('c-1')).toBe(1);
    await waitFor(async () => (await deliveries(api, webhook.id))[0]?.status === 'failed');
    // The second event's first attempt is failure 3: the endpoint is switched off.
    expect(await emit('c-2')).toBe(1);
    const disabled = await waitFor(async () => {
      const view = (await api('GET', `/v1/webhooks/${webhook.id}`)).json();
      return view.enabled === false && view;
    });
    expect(disabled).toMatchObject({
      consecutiveFailures: 3,
      disabledReason: '3 failed attempts in a row; the last: HTTP 503',
    });
    expect(disabled.disabledAt).toEqual(expect.any(String));

    const mail = await smtp.waitFor((m) => m.subject.startsWith('Webhook disabled'));
    expect(mail.to).toEqual(['a@shop.test']);
    expect(mail.subject).toBe(`Webhook disabled: ${receiver.url} — Shop`);
    expect(mail.text).toContain('failed 3 attempts in a row; the last one: HTTP 503');
    expect(mail.text).toContain(`/v1/webhooks/${webhook.id}/enable`);
    const notices = await system.ctx.database.sql`select kind, recipient from notifications`;
    expect([...notices]).toEqual([{ kind: 'webhook_disabled', recipient: 'a@shop.test' }]);

    // The second event's retry came due after the endpoint was disabled: failed without a request.
    const [second, first] = await waitFor(async () => {
      const list = await deliveries(api, webhook.id);
      return list.every((d) => d.status === 'failed') && list;
    });
    expect(first?.log.map((a) => a.statusCode)).toEqual([503, 503]);
    expect(second?.log[0]?.statusCode).toBe(503);
    expect(second?.log[1]).toMatchObject({
      statusCode: null,
      error: 'not sent: the endpoint is disabled (3 failed attempts in a row; the last: HTTP 503)',
    });
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);

    expect(await emit('c-3')).toBe(0);
    expect(await deliveries(api, webhook.id)).toHaveLength(2);

    const enabled = await api('POST', `/v1/webhooks/${webhook.id}/enable`);
    expect(enabled.json()).toMatchObject({
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
    });
    expect(await emit('c-4')).toBe(1);
    expect(smtp.messages).toHaveLength(1);
  });

  test('a redirect is not followed: the 302 is a failed attempt, and the retry goes to the configured URL again', async ({
    shop,
  }) => {
    const receiver = await startReceiver([302, 204]);
    const { system, api } = shop;
    onTestFinished(() => receiver.close());
    const webhook = (
      await api('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['contact.unsubscribed'] })
    ).json();
    receiver.secret = webhook.secret;
    const [workspace] = await system.ctx.database.sql`select id from workspaces`;
    await emitWebhookEvent(system.ctx.database.db, workspace?.id, 'contact.unsubscribed', {}, new Date());
    system.worker.scanner.kick();
    const [delivery] = await waitFor(async () => {
      const list = await deliveries(api, webhook.id);
      return list[0]?.status === 'delivered' && list;
    });
    expect(delivery?.log.map((a) => a.statusCode)).toEqual([302, 204]);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks/surveyflow', '/hooks/surveyflow']);
  });

  test('the API names bad fields, hides the secret after creation, answers 404 for unknown ids and deletes', async ({
    shop,
  }) => {
    const { api } = shop;
    const fields = (body: { error: { details: { field: string }[] } }) =>
      body.error.details.map((d) => d.field).sort();
    const bad = await api('POST', '/v1/webhooks', { url: 'ftp://example.com/hook', eventTypes: [] });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad.json())).toEqual(['eventTypes', 'url']);
    const unknownType = await api('POST', '/v1/webhooks', {
      url: 'https://example.com/hook',
      eventTypes: ['response.created', 'order.created'],
    });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.details).toEqual([
      { field: 'eventTypes[1]', message: expect.stringContaining('must be one of response.created') },
    ]);
    expect(fields((await api('POST', '/v1/webhooks', {})).json())).toEqual(['eventTypes', 'url']);

    const created = await api('POST', '/v1/webhooks', {
      url: 'https://example.com/hook',
      eventTypes: ['case.created', 'case.resolved', 'case.created'],
    });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(created.json().eventTypes).toEqual(['case.created', 'case.resolved']);
    expect(secret).toMatch(/^whsec_/);

    const list = (await api('GET', '/v1/webhooks')).json().data;
    expect(list).toEqual([
      {
        id,
        url: 'https://example.com/hook',
        eventTypes: ['case.created', 'case.resolved'],
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        consecutiveFailures: 0,
        createdAt: expect.any(String),
      },
    ]);
    expect((await api('GET', `/v1/webhooks/${id}`)).json()).toEqual(list[0]);
    expect((await api('GET', `/v1/webhooks/${id}/deliveries`)).json()).toEqual({ data: [], next: null });

    const notUuid = await api('GET', '/v1/webhooks/not-a-uuid');
    expect(notUuid.statusCode).toBe(400);
    expect(fields(notUuid.json())).toEqual(['id']);
    const badLimit = await api('GET', `/v1/webhooks/${id}/deliveries?limit=0`);
    expect(fields(badLimit.json())).toEqual(['limit']);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${unknown}`],
      ['GET', `/v1/webhooks/${unknown}/deliveries`],
      ['POST', `/v1/webhooks/${unknown}/enable`],
      ['DELETE', `/v1/webhooks/${unknown}`],
    ] as const) {
      expect((await api(method, path)).statusCode).toBe(404);
    }

    const deleted = await api('DELETE', `/v1/webhooks/${id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await api('GET', `/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await api('GET', '/v1/webhooks')).json()).toEqual({ data: [] });
  });

  test('in production, webhook and Slack URLs must be public https hosts: no reaching into our own network', async ({
    shopWith,
  }) => {
    const { api } = await shopWith({ env: { OUTBOUND_ALLOW_PRIVATE: 'false' } });
    for (const url of [
      'http://hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest',
    ]) {
      const res = await api('POST', '/v1/webhooks', { url, eventTypes: ['case.created'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0].field).toBe('url');
    }
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const slack = await api('PATCH', `/v1/surveys/${survey.id}`, {
      actions: [{ type: 'alert', slackWebhookUrl: 'https://10.0.0.7/services/x' }],
    });
    expect(slack.statusCode).toBe(400);
    expect(slack.json().error.details[0]).toMatchObject({ field: 'actions[0].slackWebhookUrl' });
  });
});
