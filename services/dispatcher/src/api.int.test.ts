// The /v1 API on real Postgres and Redis through fastify.inject: idempotent events, validation, auth, isolation.
import {
  closeContext,
  createSurvey,
  createWorkspace,
  defaultFollowupQuestion,
  openContext,
} from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { test as base, testConfig } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { dispatcher } from './app.ts';

const test = base.extend<{ api: Awaited<ReturnType<typeof startApi>> }>({
  api: async ({ db, redisUrl, queuePrefix }, use) => {
    const api = await startApi(
      testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { BODY_LIMIT_BYTES: '524288' } }),
    );
    await use(api);
    await api.close();
  },
});

async function startApi(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config);
  const app = await createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  await app.ready();
  const a = await createWorkspace(ctx.database, { name: 'Shop A' });
  const b = await createWorkspace(ctx.database, { name: 'Shop B' });
  const call =
    (key: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${key}` } });
  return {
    ctx,
    app,
    asA: call(a.apiKey),
    asB: call(b.apiKey),
    keyA: a.apiKey,
    workspaceA: a.workspaceId,
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

const event = (id: string, contact: Record<string, unknown> = {}) => ({
  id,
  type: 'order.delivered',
  occurredAt: '2026-11-20T10:00:00Z',
  contact: { id: 'cust-1', email: 'jane@example.com', name: 'Jane', ...contact },
  properties: { orderId: id },
});

describe('POST /v1/events', () => {
  test('the same id twice is acknowledged as a duplicate and changes nothing, not even the contact', async ({
    api,
  }) => {
    const first = await api.asA('POST', '/v1/events', event('e-1'));
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ id: 'e-1', duplicate: false });

    const again = await api.asA('POST', '/v1/events', {
      ...event('e-1', { email: 'changed@example.com' }),
      type: 'order.refunded',
    });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ id: 'e-1', duplicate: true });

    const rows = await api.ctx.database.sql`select type from events`;
    expect(rows).toEqual([{ type: 'order.delivered' }]);
    const [contact] = await api.ctx.database.sql`select email from contacts where external_id = 'cust-1'`;
    expect(contact?.email).toBe('jane@example.com');
  });

  test('a new event updates the contact it names', async ({ api }) => {
    await api.asA('POST', '/v1/events', event('e-1'));
    await api.asA('POST', '/v1/events', event('e-2', { email: 'new@example.com', locale: 'pl' }));
    const [contact] = await api.ctx.database.sql`select email, name, locale from contacts`;
    expect(contact).toEqual({ email: 'new@example.com', name: 'Jane', locale: 'pl' });
  });

  test('an accepted event is on the events queue for the planner, in the job its row names', async ({
    api,
  }) => {
    await api.asA('POST', '/v1/events', event('e-1'));
    const [row] = await api.ctx.database.sql<
      { id: string; plan_job: string }[]
    >`select id, plan_job from events`;
    const job = await api.ctx.queues.queue('events').getJob(`events.plan-${row?.plan_job}`);
    expect(job?.data).toEqual({ chunkId: row?.plan_job, eventIds: [row?.id] });
  });

  test('a batch is one planning job carrying its new events, not one job per event', async ({ api }) => {
    await api.asA('POST', '/v1/events', event('e-0'));
    await api.asA('POST', '/v1/events/batch', {
      events: ['e-0', 'e-1', 'e-2', 'e-3'].map((id) => event(id)),
    });
    const rows = await api.ctx.database.sql<{ id: string; plan_job: string }[]>`
      select id, plan_job from events where external_id <> 'e-0' order by external_id`;
    expect(new Set(rows.map((r) => r.plan_job)).size).toBe(1);
    const job = await api.ctx.queues.queue('events').getJob(`events.plan-${rows[0]?.plan_job}`);
    expect(job?.data.eventIds).toEqual(rows.map((r) => r.id));
    expect(await api.ctx.queues.queue('events').getJobCounts('waiting')).toEqual({ waiting: 2 });
  });

  test('missing and invalid fields answer 400 naming each field', async ({ api }) => {
    const res = await api.asA('POST', '/v1/events', {
      type: 'order delivered',
      occurredAt: 'yesterday',
      contact: { email: 'not-an-email', phone: '600100200', timezone: 'Mars/Olympus' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['contact.email', 'contact.id', 'contact.phone', 'contact.timezone', 'id', 'occurredAt', 'type'].sort(),
    );
  });

  test('an occurredAt far in the future is refused, naming the field', async ({ api }) => {
    const res = await api.asA('POST', '/v1/events', { ...event('e-1'), occurredAt: '2999-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('occurredAt');
  });

  test('broken JSON is a 400, not a 500', async ({ api }) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: '{"id": ',
      headers: { authorization: `Bearer ${api.keyA}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  test('a body that is not JSON (text, XML) is a 415, nothing stored', async ({ api }) => {
    for (const type of ['text/plain', 'application/xml']) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/events',
        payload: 'id=e-1',
        headers: { authorization: `Bearer ${api.keyA}`, 'content-type': type },
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    }
    expect(await api.ctx.database.sql`select 1 from events`).toHaveLength(0);
  });

  test('no key or a wrong key is 401', async ({ api }) => {
    const none = await api.app.inject({ method: 'POST', url: '/v1/events', payload: event('e-1') });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await api.app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: event('e-1'),
      headers: { authorization: 'Bearer sf_live_nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(await api.ctx.database.sql`select 1 from events`).toHaveLength(0);
  });

  test('a body over the limit is 413', async ({ api }) => {
    const res = await api.asA('POST', '/v1/events', {
      ...event('e-1'),
      properties: { blob: 'x'.repeat(600_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });
});

describe('POST /v1/events/batch', () => {
  test('answers per item: accepted, duplicate (also within the batch) and rejected with the field', async ({
    api,
  }) => {
    await api.asA('POST', '/v1/events', event('old'));
    const res = await api.asA('POST', '/v1/events/batch', {
      events: [
        event('b-1'),
        event('old'),
        { ...event('b-2'), contact: {} },
        event('b-1'),
        event('b-3', { id: 'cust-2' }),
      ],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 2, rejected: 1 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'duplicate',
      'rejected',
      'duplicate',
      'accepted',
    ]);
    expect(body.results[2].error.details[0].field).toBe('events[2].contact.id');
    const ids = await api.ctx.database.sql`select external_id from events order by external_id`;
    expect(ids.map((r) => r.external_id)).toEqual(['b-1', 'b-3', 'old']);
  });

  test('more than 1,000 events is refused as a whole', async ({ api }) => {
    const events = Array.from({ length: 1001 }, (_, i) => event(`e-${i}`));
    const res = await api.asA('POST', '/v1/events/batch', { events });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('events');
  });
});

describe('GET /v1/events/:id', () => {
  test('shows a pending event before the planner ran, and 404 for an unknown id', async ({ api }) => {
    await api.asA('POST', '/v1/events', event('e-1'));
    const res = await api.asA('GET', '/v1/events/e-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: 'e-1',
      type: 'order.delivered',
      status: 'pending',
      contact: { id: 'cust-1' },
      properties: { orderId: 'e-1' },
      decisions: [],
    });
    expect((await api.asA('GET', '/v1/events/nope')).statusCode).toBe(404);
  });
});

describe('surveys and triggers', () => {
  test('a trigger is validated field by field and must point at a survey of the same workspace', async ({
    api,
  }) => {
    const bad = await api.asA('POST', '/v1/triggers', {
      surveyId: 'x',
      eventTypes: [],
      delay: 'three days',
      throttleDays: -1,
      channels: ['pigeon'],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['channels[0]', 'delay', 'eventTypes', 'surveyId', 'throttleDays'].sort());

    const survey = (
      await api.asB('POST', '/v1/surveys', { kind: 'csat', name: 'B', question: { en: 'How was it?' } })
    ).json();
    const foreign = await api.asA('POST', '/v1/triggers', {
      surveyId: survey.id,
      eventTypes: ['ticket.solved'],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details[0].field).toBe('surveyId');

    const own = (
      await api.asA('POST', '/v1/surveys', { kind: 'nps', name: 'A', question: { en: 'Recommend us?' } })
    ).json();
    const created = await api.asA('POST', '/v1/triggers', {
      surveyId: own.id,
      eventTypes: ['order.delivered'],
      delay: 'P2D',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      delay: 'P2D',
      throttleDays: 30,
      channels: ['email'],
      enabled: true,
    });
    expect((await api.asA('GET', `/v1/triggers/${created.json().id}`)).statusCode).toBe(200);
  });

  test('a survey without a follow-up question gets the default "why?"', async ({ api }) => {
    const res = await api.asA('POST', '/v1/surveys', {
      kind: 'ces',
      name: 'Ease',
      question: { en: 'Was it easy?' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().followupQuestion).toEqual(defaultFollowupQuestion);
  });
});

describe('workspace isolation', () => {
  test('a key of one workspace reads nothing of another', async ({ api }) => {
    await api.asA('POST', '/v1/events', event('secret-order'));
    const survey = await createSurvey(api.ctx.database, api.workspaceA, {
      kind: 'nps',
      name: 'A only',
      question: { en: 'Q' },
      followupQuestion: { en: 'Why?' },
      actions: [],
    });
    expect((await api.asB('GET', '/v1/events/secret-order')).statusCode).toBe(404);
    expect((await api.asB('GET', `/v1/surveys/${survey.id}`)).statusCode).toBe(404);
    expect((await api.asB('GET', '/v1/surveys')).json().data).toEqual([]);
    expect((await api.asB('GET', `/v1/metrics?surveyId=${survey.id}`)).statusCode).toBe(404);
    expect((await api.asB('GET', '/v1/responses')).json().data).toEqual([]);
    // The same producer id in another workspace is a different event, not a duplicate.
    expect((await api.asB('POST', '/v1/events', event('secret-order'))).json().duplicate).toBe(false);
  });
});

describe('trigger rules', () => {
  const createSurvey = async (api: Awaited<ReturnType<typeof startApi>>) =>
    (
      await api.asA('POST', '/v1/surveys', { kind: 'nps', name: 'NPS', question: { en: 'Recommend us?' } })
    ).json().id;

  test('unknown operator, bad duration, bad window and bad dedupe key answer 400 naming each field', async ({
    api,
  }) => {
    const surveyId = await createSurvey(api);
    const res = await api.asA('POST', '/v1/triggers', {
      surveyId,
      eventTypes: ['order.delivered'],
      delay: 'P-1D',
      filter: {
        all: [
          { field: 'properties.total', op: 'gte', value: 50 },
          { field: 'properties.channel', op: 'like', value: 'web' },
        ],
      },
      sendWindow: { days: [8], start: '20:00', end: '08:00' },
      sampleRate: 1.5,
      dedupeKey: 'orderId',
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(
      ['dedupeKey', 'delay', 'filter.all[1].op', 'sampleRate', 'sendWindow.days[0]', 'sendWindow.end'].sort(),
    );
  });

  test('a bad workspace time zone is refused naming the field; the global rule is a workspace setting', async ({
    api,
  }) => {
    const bad = await api.asA('PATCH', '/v1/workspace', { timezone: 'Europe/Atlantis' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('timezone');
    const ok = await api.asA('PATCH', '/v1/workspace', {
      globalContactDays: 90,
      timezone: 'Europe/Warsaw',
    });
    expect(ok.json()).toMatchObject({
      globalContactDays: 90,
      timezone: 'Europe/Warsaw',
      quietHoursChannels: ['sms'],
    });
    const badQuiet = await api.asA('PATCH', '/v1/workspace', {
      quietHours: { start: '9pm', end: '08:00' },
      quietHoursChannels: ['fax'],
    });
    expect(
      badQuiet
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['quietHours.start', 'quietHoursChannels[0]'].sort());
    const quiet = await api.asA('PATCH', '/v1/workspace', { quietHours: { start: '21:00', end: '08:00' } });
    expect(quiet.json().quietHours).toEqual({ start: '21:00', end: '08:00' });
  });

  test('audit retention is a workspace setting: 1 to 3650 whole days, shown by GET; anything else is refused naming the field', async ({
    api,
  }) => {
    expect((await api.asA('GET', '/v1/workspace')).json().auditRetentionDays).toBe(365);
    const set = await api.asA('PATCH', '/v1/workspace', { auditRetentionDays: 30 });
    expect(set.statusCode).toBe(200);
    expect(set.json().auditRetentionDays).toBe(30);
    expect((await api.asA('GET', '/v1/workspace')).json().auditRetentionDays).toBe(30);
    for (const auditRetentionDays of [0, 3651, 1.5, '30', null]) {
      const bad = await api.asA('PATCH', '/v1/workspace', { auditRetentionDays });
      expect(bad.statusCode, String(auditRetentionDays)).toBe(400);
      expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(['auditRetentionDays']);
    }
    expect(
      (await api.asA('PATCH', '/v1/workspace', { auditRetentionDays: 3650 })).json().auditRetentionDays,
    ).toBe(3650);
    expect(
      (await api.asA('PATCH', '/v1/workspace', { auditRetentionDays: 1 })).json().auditRetentionDays,
    ).toBe(1);
    // Another workspace keeps its own.
    expect((await api.asB('GET', '/v1/workspace')).json().auditRetentionDays).toBe(365);
  });

  test('PATCH changes a trigger, DELETE removes it, and another workspace can do neither', async ({
    api,
  }) => {
    const surveyId = await createSurvey(api);
    const { id } = (
      await api.asA('POST', '/v1/triggers', { surveyId, eventTypes: ['order.delivered'] })
    ).json();
    expect((await api.asB('PATCH', `/v1/triggers/${id}`, { enabled: false })).statusCode).toBe(404);
    const patched = await api.asA('PATCH', `/v1/triggers/${id}`, {
      sampleRate: 0.5,
      throttleDays: 7,
    });
    expect(patched.json()).toMatchObject({
      sampleRate: 0.5,
      throttleDays: 7,
      eventTypes: ['order.delivered'],
    });
    expect((await api.asA('PATCH', `/v1/triggers/${id}`, { bogus: 1 })).statusCode).toBe(400);
    expect((await api.asB('DELETE', `/v1/triggers/${id}`)).statusCode).toBe(404);
    expect((await api.asA('DELETE', `/v1/triggers/${id}`)).statusCode).toBe(204);
    expect((await api.asA('GET', `/v1/triggers/${id}`)).statusCode).toBe(404);
  });

  test('a dry run answers the decision and send time, or the skip reason, and stores nothing', async ({
    api,
  }) => {
    const surveyId = await createSurvey(api);
    const { id } = (
      await api.asA('POST', '/v1/triggers', {
        surveyId,
        eventTypes: ['order.delivered'],
        delay: 'PT2H',
        sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
        filter: { field: 'properties.total', op: 'gte', value: 50 },
        expireAfter: null, // the probe below is dated; without this it would expire as the calendar moves on
      })
    ).json();
    const probe = (total: number) =>
      api.asA('POST', `/v1/triggers/${id}/test`, {
        ...event('dry-1', { timezone: 'Europe/Warsaw' }),
        occurredAt: '2026-11-20T16:30:00Z', // Friday 17:30 in Warsaw; +2 h is after hours
        properties: { total },
      });
    expect((await probe(80)).json()).toEqual({
      decision: 'invite',
      channel: 'email',
      sendAt: '2026-11-23T08:00:00.000Z', // Monday 09:00 Warsaw
      surveyId,
    });
    expect((await probe(20)).json()).toMatchObject({
      decision: 'skip',
      reason: 'filtered_out',
      detail: { failed: 'properties.total gte 50 (was 20)' },
    });
    expect(
      await api.ctx.database
        .sql`select 1 from events union all select 1 from contacts union all select 1 from invitations`,
    ).toHaveLength(0);
  });
});
