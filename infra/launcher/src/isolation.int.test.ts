// Workspace isolation through the API (invariant 8): another workspace's key tries every resource of the Shop by
// id, every write on them, and every list — and reads nothing, changes nothing. Then the Shop's own case
// resolution and erasure land in its audit log, and nothing the other key tried does.
import { createWorkspace } from '@surveyflow/core';
import { startHttpReceiver, waitFor } from '@surveyflow/testkit';
import { describe, expect, onTestFinished } from 'vitest';
import { test } from './testing.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

test.override('shopOptions', { env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });

describe('workspace isolation', () => {
  test("another workspace's key reads and writes nothing of the Shop: every resource by id, every list", async ({
    shop,
    smtp,
  }) => {
    const { api, system } = shop;
    const hooks = await startHttpReceiver();
    onTestFinished(() => hooks.close());

    // The Shop has one of everything.
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    const webhook = (
      await api('POST', '/v1/webhooks', { url: hooks.url, eventTypes: ['case.created'] })
    ).json();
    const location = (
      await api('POST', '/v1/locations', { surveyId: survey.id, name: 'Warsaw desk' })
    ).json();
    expect(
      (
        await api('POST', '/v1/events', {
          id: 'order-secret',
          type: 'order.delivered',
          contact: { id: 'cust-secret', email: 'secret@example.com', name: 'Secret' },
          properties: { orderId: 'secret-1' },
        })
      ).statusCode,
    ).toBe(202);
    const mail = await smtp.waitFor((m) => m.to.includes('secret@example.com'));
    const path = /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(mail.html ?? '')?.[1] ?? '';
    const answered = await system.app.inject({
      method: 'POST',
      url: path,
      payload: { score: 1, comment: 'secret complaint' },
      headers: { accept: 'application/json' },
    });
    expect(answered.statusCode).toBe(201);
    const caseRow = await waitFor(async () => (await api('GET', '/v1/cases')).json().data[0] ?? null);
    const [invitation] = (await api('GET', '/v1/invitations')).json().data;
    const qr = (
      await api('POST', '/v1/invitations', { channel: 'qr', surveyId: survey.id, eventId: 'order-secret' })
    ).json();
    const [shopKey] = (await api('GET', '/v1/api-keys')).json().data;
    const secrets = [
      survey.id,
      trigger.id,
      webhook.id,
      location.id,
      location.code,
      'order-secret',
      'cust-secret',
      'secret@example.com',
      'secret complaint',
      caseRow.id,
      invitation.id,
      qr.id,
      shopKey.id,
      shopKey.prefix,
    ];
    for (const s of secrets) expect(s, 'every secret is a value').toBeTruthy();

    const snapshotPaths = [
      `/v1/surveys/${survey.id}`,
      `/v1/triggers/${trigger.id}`,
      `/v1/webhooks/${webhook.id}`,
      `/v1/locations/${location.id}`,
      '/v1/events/order-secret',
      '/v1/contacts/cust-secret',
      `/v1/cases/${caseRow.id}`,
      `/v1/invitations/${invitation.id}`,
      '/v1/workspace',
      '/v1/responses',
    ];
    const snapshot = async () =>
      Promise.all(snapshotPaths.map(async (p) => `${p} ${(await api('GET', p)).body}`));
    const auditCount = async () => (await api('GET', '/v1/audit?limit=500')).json().data.length;
    const before = await snapshot();
    const auditBefore = await auditCount();

    const other = await createWorkspace(system.ctx.database, { name: 'Other shop' });
    const asOther = (method: Method, url: string, payload?: unknown) =>
      system.app.inject({
        method,
        url,
        payload: payload as object,
        headers: { authorization: `Bearer ${other.apiKey}` },
      });

    const byId: [Method, string, unknown?][] = [
      ['GET', `/v1/surveys/${survey.id}`],
      ['GET', `/v1/triggers/${trigger.id}`],
      ['GET', `/v1/webhooks/${webhook.id}`],
      ['GET', `/v1/webhooks/${webhook.id}/deliveries`],
      ['GET', `/v1/locations/${location.id}`],
      ['GET', `/v1/locations/${location.id}/qr.svg`],
      ['GET', `/v1/locations/${location.id}/qr.png`],
      ['GET', '/v1/events/order-secret'],
      ['GET', '/v1/contacts/cust-secret'],
      ['GET', `/v1/cases/${caseRow.id}`],
      ['GET', `/v1/invitations/${invitation.id}`],
      ['GET', `/v1/invitations/${qr.id}/qr.svg`],
      ['GET', `/v1/invitations/${qr.id}/qr.png`],
      ['GET', `/v1/invitations/qr-sheet?ids=${qr.id}`],
      ['GET', `/v1/metrics?surveyId=${survey.id}`],
      ['PATCH', `/v1/surveys/${survey.id}`, { name: 'taken over' }],
      ['PATCH', `/v1/triggers/${trigger.id}`, { enabled: false }],
      ['POST', `/v1/triggers/${trigger.id}/test`, { id: 'p', type: 'order.delivered', contact: { id: 'x' } }],
      ['DELETE', `/v1/triggers/${trigger.id}`],
      ['POST', '/v1/triggers', { surveyId: survey.id, eventTypes: ['order.delivered'] }],
      ['POST', '/v1/locations', { surveyId: survey.id, name: 'planted' }],
      ['PATCH', '/v1/contacts/cust-secret', { name: 'changed' }],
      ['POST', '/v1/contacts/cust-secret/unsubscribe'],
      ['POST', '/v1/contacts/cust-secret/resubscribe'],
      ['DELETE', '/v1/contacts/cust-secret'],
      ['POST', '/v1/invitations', { channel: 'qr', surveyId: survey.id, eventId: 'order-secret' }],
      ['POST', `/v1/invitations/${invitation.id}/resend`],
      ['PATCH', `/v1/cases/${caseRow.id}`, { status: 'resolved', resolution: 'closed by a stranger' }],
      ['DELETE', `/v1/webhooks/${webhook.id}`],
      ['POST', `/v1/webhooks/${webhook.id}/enable`],
      ['DELETE', `/v1/api-keys/${shopKey.id}`],
    ];
    const lists = [
      '/v1/surveys',
      '/v1/triggers',
      '/v1/webhooks',
      '/v1/locations',
      '/v1/events',
      '/v1/events?type=order.delivered',
      '/v1/events?contact=cust-secret',
      '/v1/contacts',
      '/v1/contacts?q=cust',
      '/v1/invitations',
      `/v1/invitations?surveyId=${survey.id}`,
      '/v1/invitations?status=sent',
      '/v1/responses',
      `/v1/responses?surveyId=${survey.id}`,
      '/v1/responses.csv',
      `/v1/responses.csv?surveyId=${survey.id}`,
      '/v1/cases',
      '/v1/cases?status=open',
      '/v1/stats/skips',
      '/v1/metrics/referrals',
      '/v1/workspace',
      '/v1/api-keys',
      '/v1/audit',
      '/v1/audit?action=case.*',
    ];

    // An id the stranger sent itself may come back (an error naming it, its own audit entry of its own
    // export): an echo, not a crossing. Anything else of the Shop's in an answer is one.
    const sent = new Set<string>();
    const crossings: string[] = [];
    const probe = async (method: Method, url: string, payload?: unknown) => {
      const asked = `${url} ${JSON.stringify(payload ?? null)}`;
      for (const s of secrets) if (asked.includes(s)) sent.add(s);
      const res = await asOther(method, url, payload);
      for (const s of secrets)
        if (res.body.includes(s) && !sent.has(s)) crossings.push(`${method} ${url} shows ${s}`);
      return res;
    };
    for (const [method, url, payload] of byId) {
      const res = await probe(method, url, payload);
      if (res.statusCode < 400 || res.statusCode >= 500)
        crossings.push(`${method} ${url} → ${res.statusCode}`);
    }
    for (const url of lists) {
      const res = await probe('GET', url);
      if (res.statusCode !== 200) crossings.push(`GET ${url} → ${res.statusCode}`);
    }
    const checks = byId.length + lists.length;
    console.log(`isolation: ${checks} checks by another workspace's key, ${crossings.length} crossings`);
    expect(checks).toBeGreaterThanOrEqual(54);
    expect(crossings).toEqual([]);

    // Nothing changed, and nothing the stranger tried is in the Shop's audit log.
    expect(await snapshot()).toEqual(before);
    expect(await auditCount()).toBe(auditBefore);

    // The Shop's own case resolution and erasure are recorded, with the key that made them.
    expect(
      (await api('PATCH', `/v1/cases/${caseRow.id}`, { status: 'resolved', resolution: 'Refunded' }))
        .statusCode,
    ).toBe(200);
    expect((await api('DELETE', '/v1/contacts/cust-secret')).statusCode).toBe(204);
    const audit = (await api('GET', '/v1/audit?limit=10')).json().data;
    expect(audit.slice(0, 2)).toMatchObject([
      {
        action: 'contact.erase',
        target: { kind: 'contact', id: 'cust-secret' },
        actor: { kind: 'api_key', id: shopKey.id },
      },
      {
        action: 'case.resolve',
        target: { kind: 'case', id: caseRow.id },
        detail: { resolution: 'Refunded' },
      },
    ]);
    expect(JSON.stringify(audit[0])).not.toContain('secret@example.com');
  });
});
