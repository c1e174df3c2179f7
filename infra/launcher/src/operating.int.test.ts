// What an operator sees: Prometheus metrics at /metrics and the queue dashboard at /admin/queues, each behind its token.
import { queueNames } from '@surveyflow/core';
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { test } from './testing.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';
const ADMIN_TOKEN = 'admin-token-0123456789ab';

/** Prometheus text format → { 'name{labels}': value }, enough to look series up by name and labels. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

const find = (series: Map<string, number>, name: string, ...labels: string[]) =>
  [...series].filter(([key]) => key.startsWith(`${name}{`) && labels.every((l) => key.includes(l)));

describe('operating it', () => {
  test('/metrics after some traffic: request latency by route pattern, queues, jobs, sends, due backlog; Bearer token required', async ({
    shopWith,
    smtp,
  }) => {
    const { system, api } = await shopWith({ env: { METRICS_TOKEN } });
    for (const id of ['m-1', 'm-2', 'm-3']) {
      const accepted = await api('POST', '/v1/events', {
        id,
        type: 'order.delivered',
        contact: { id: `c-${id}`, email: `${id}@example.com`, name: 'Jane', locale: 'en' },
        properties: { orderId: id },
      });
      expect(accepted.statusCode).toBe(202);
    }
    await waitFor(() => smtp.messages.length >= 3);
    await api('GET', '/v1/events/not-a-uuid');

    expect((await system.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await system.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);

    // Sends are counted when the job's completion reaches the worker's event listener: wait for it.
    const scrape = async () => {
      const res = await system.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      return parseMetrics(res.body);
    };
    const series = await waitFor(async () => {
      const s = await scrape();
      const sent = find(s, 'surveyflow_sends_total', 'channel="email"', 'outcome="sent"')[0]?.[1] ?? 0;
      return sent >= 3 ? s : false;
    });

    // Latency by the route's pattern, never the raw URL (ids would explode the label set).
    const posts = find(
      series,
      'surveyflow_http_request_duration_seconds_count',
      'route="/v1/events"',
      'method="POST"',
      'status="202"',
    );
    expect(posts.map(([, v]) => v)).toEqual([3]);
    expect(find(series, 'surveyflow_http_request_duration_seconds_count', 'not-a-uuid')).toEqual([]);
    expect(
      find(
        series,
        'surveyflow_http_request_duration_seconds_bucket',
        'route="/v1/events"',
        'le="+Inf"',
      )[0]?.[1],
    ).toBe(3);

    for (const queue of Object.values(queueNames)) {
      expect(find(series, 'surveyflow_queue_jobs', `queue="${queue}"`, 'state="waiting"')).toHaveLength(1);
      const [[, age] = ['', -1]] = find(
        series,
        'surveyflow_queue_oldest_waiting_seconds',
        `queue="${queue}"`,
      );
      expect(age).toBeGreaterThanOrEqual(0);
    }
    expect(
      find(series, 'surveyflow_jobs_completed_total', 'queue="events"', 'job="events.plan"')[0]?.[1],
    ).toBeGreaterThanOrEqual(3);
    // Due emails travel in batches (one invitations.send job per batch); one sent on its own is an invitation.send.
    const sendJobs = find(series, 'surveyflow_jobs_completed_total', 'queue="send.email"')
      .filter(([labels]) => /job="invitations?\.send"/.test(labels))
      .reduce((sum, [, v]) => sum + v, 0);
    expect(sendJobs).toBeGreaterThanOrEqual(1);
    expect(series.get('surveyflow_due_invitations')).toBe(0);

    // An invitation due now that the scanner has not claimed yet is backlog.
    await system.worker.scanner.stop();
    await api('POST', '/v1/events', {
      id: 'm-4',
      type: 'order.delivered',
      contact: { id: 'c-m-4', email: 'm-4@example.com', name: 'Jane', locale: 'en' },
      properties: { orderId: 'm-4' },
    });
    await waitFor(async () => (await scrape()).get('surveyflow_due_invitations') === 1);
    expect(system.app.schemaGaps).toEqual([]);
  });

  test('/admin/queues: 401 without the token, the dashboard and its API with it (Bearer, or ?token= once then the cookie)', async ({
    shopWith,
  }) => {
    const { system } = await shopWith({ env: { ADMIN_TOKEN } });
    const get = (url: string, headers: Record<string, string> = {}) =>
      system.app.inject({ method: 'GET', url, headers });

    expect((await get('/admin/queues')).statusCode).toBe(401);
    expect((await get('/admin/queues/api/queues')).statusCode).toBe(401);
    expect((await get('/admin/queues?token=wrong')).statusCode).toBe(401);
    expect((await get('/admin/queues', { cookie: 'sf_admin=forged' })).statusCode).toBe(401);

    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const page = await get('/admin/queues', bearer);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const listed = await get('/admin/queues/api/queues', bearer);
    expect(listed.statusCode).toBe(200);
    const names = (listed.json() as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names.sort()).toEqual(Object.values(queueNames).sort());

    // A browser: the token once in the address, then the cookie carries it (and the address loses it).
    const first = await get(`/admin/queues?token=${ADMIN_TOKEN}`);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/admin/queues');
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).not.toContain(ADMIN_TOKEN);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get('/admin/queues', { cookie })).statusCode).toBe(200);
    expect((await get('/admin/queues/api/queues', { cookie })).statusCode).toBe(200);
    expect(system.app.schemaGaps).toEqual([]);
  });

  test('without ADMIN_TOKEN there is no dashboard at all', async ({ shopWith }) => {
    const { system } = await shopWith();
    const res = await system.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(res.statusCode).toBe(404);
  });
});
