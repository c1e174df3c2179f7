// GET /v1/metrics?groupBy on real Postgres through fastify.inject: UTC periods, channels, event properties, limits.
import {
  closeContext,
  createLocation,
  createSurvey,
  csiRespondents,
  csiSampleLimit,
  defaultReliability,
  findSurveyLink,
  groupedScoreHistograms,
  openContext,
  recordResponse,
  reliability,
  type SurveyKind,
  summarize,
} from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { anEvent, test as base, seedWorkspace, sentInvitation, testConfig } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { dispatcher } from './app.ts';

const test = base.extend<{ api: Awaited<ReturnType<typeof startApi>> }>({
  api: async ({ db, redisUrl, queuePrefix }, use) => {
    const api = await startApi(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix }));
    await use(api);
    await api.close();
  },
});

async function startApi(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config);
  const app = await createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  await app.ready();
  const { workspaceId, apiKey, survey } = await seedWorkspace(ctx.database);
  return {
    ctx,
    workspaceId,
    surveyId: survey.id,
    get: (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${apiKey}` } }),
    patch: (url: string, payload: object) =>
      app.inject({ method: 'PATCH', url, payload, headers: { authorization: `Bearer ${apiKey}` } }),
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

type Api = Awaited<ReturnType<typeof startApi>>;
type Answer = { score: number; at: string; channel?: 'email' | 'sms' | 'qr'; properties?: object };

const aLocation = (api: Api, surveyId: string) =>
  createLocation(api.ctx.database, api.workspaceId, {
    surveyId,
    name: 'Store',
    deviceLimitHours: 24,
    properties: {},
  });

/** An anonymous answer at a location, inserted with the created_at, channel and properties a test needs. */
async function answer(api: Api, a: Answer, surveyId = api.surveyId) {
  const location = await aLocation(api, surveyId);
  await api.ctx.database.sql`
    insert into responses (workspace_id, survey_id, location_id, channel, score, properties, created_at, editable_until)
    values (${api.workspaceId}, ${surveyId}, ${location.id}, ${a.channel ?? 'email'}, ${a.score},
      ${JSON.stringify(a.properties ?? {})}::jsonb, ${a.at}::timestamptz, ${a.at}::timestamptz)`;
}

/** One answer through the real path: event → invitation → response, which copies the event's properties. */
async function answerInvitation(
  api: Api,
  score: number,
  at: string,
  properties: Record<string, unknown>,
  who = 'real',
) {
  const { token } = await sentInvitation(
    api.ctx.database,
    api.workspaceId,
    anEvent(`order-${who}`, { contact: { id: `cust-${who}`, email: `${who}@example.com` }, properties }),
  );
  const link = await findSurveyLink(api.ctx.database, token);
  if (!link) throw new Error('the invitation link does not open');
  await recordResponse(api.ctx.database, link, { score, comment: null }, new Date(at), 60);
}

async function seedAnswers(api: Api) {
  await answer(api, {
    score: 10,
    at: '2026-03-02T10:00:00Z',
    properties: { store: 'A', shipping: { country: 'PL' } },
  });
  await answer(api, {
    score: 6,
    at: '2026-03-02T23:59:59Z',
    properties: { store: 'B', shipping: { country: 'DE' } },
  });
  await answer(api, { score: 9, at: '2026-03-03T00:00:00Z', channel: 'sms', properties: { store: 'A' } });
  await answer(api, {
    score: 8,
    at: '2026-03-08T12:00:00Z',
    channel: 'qr',
    properties: { store: 'A', shipping: { country: null } },
  });
  await answer(api, {
    score: 3,
    at: '2026-03-09T00:00:00Z',
    channel: 'sms',
    properties: { store: 'B', shipping: { country: 'PL' } },
  });
  await answerInvitation(api, 10, '2026-04-01T00:00:00Z', { store: 'C', shipping: { country: 'PL' } });
}

/** What each group must say: exactly summarize() of that group's scores, with its reliability under the defaults. */
function expected(kind: SurveyKind, groups: [string | null, number[]][]) {
  return groups.map(([key, scores]) => ({ key, ...readable(kind, scores) }));
}

function readable(kind: SurveyKind, scores: number[]) {
  const summary = summarize(kind, histogramOf(scores));
  return { ...summary, ...reliability(summary, defaultReliability) };
}

function histogramOf(scores: number[]) {
  const histogram = new Map<number, number>();
  for (const s of scores) histogram.set(s, (histogram.get(s) ?? 0) + 1);
  return histogram;
}

async function grouped(api: Api, groupBy: string, period = '') {
  const res = await api.get(
    `/v1/metrics?surveyId=${api.surveyId}&groupBy=${encodeURIComponent(groupBy)}${period}`,
  );
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('GET /v1/metrics?groupBy', () => {
  test('day, week and month are UTC buckets keyed by their first day, in order', async ({ api }) => {
    await seedAnswers(api);
    expect(await grouped(api, 'day')).toEqual({
      surveyId: api.surveyId,
      from: null,
      to: null,
      groupBy: 'day',
      groups: expected('nps', [
        ['2026-03-02', [10, 6]],
        ['2026-03-03', [9]],
        ['2026-03-08', [8]],
        ['2026-03-09', [3]],
        ['2026-04-01', [10]],
      ]),
    });
    expect((await grouped(api, 'week')).groups).toEqual(
      expected('nps', [
        ['2026-03-02', [10, 6, 9, 8]],
        ['2026-03-09', [3]],
        ['2026-03-30', [10]],
      ]),
    );
    expect((await grouped(api, 'month')).groups).toEqual(
      expected('nps', [
        ['2026-03-01', [10, 6, 9, 8, 3]],
        ['2026-04-01', [10]],
      ]),
    );
  });

  test('from and to bound the groups as they bound the whole score', async ({ api }) => {
    await seedAnswers(api);
    const body = await grouped(api, 'day', '&from=2026-03-02T12:00:00Z&to=2026-03-09T00:00:00Z');
    expect(body).toMatchObject({ from: '2026-03-02T12:00:00.000Z', to: '2026-03-09T00:00:00.000Z' });
    expect(body.groups).toEqual(
      expected('nps', [
        ['2026-03-02', [6]],
        ['2026-03-03', [9]],
        ['2026-03-08', [8]],
      ]),
    );
  });

  test('channel groups email, qr and sms', async ({ api }) => {
    await seedAnswers(api);
    expect((await grouped(api, 'channel')).groups).toEqual(
      expected('nps', [
        ['email', [10, 6, 10]],
        ['qr', [8]],
        ['sms', [9, 3]],
      ]),
    );
  });

  test('a property, nested or not, groups by its copied value; missing and null share the null group, last', async ({
    api,
  }) => {
    await seedAnswers(api);
    expect((await grouped(api, 'properties.store')).groups).toEqual(
      expected('nps', [
        ['A', [10, 9, 8]],
        ['B', [6, 3]],
        ['C', [10]],
      ]),
    );
    expect((await grouped(api, 'properties.shipping.country')).groups).toEqual(
      expected('nps', [
        ['DE', [6]],
        ['PL', [10, 3, 10]],
        [null, [9, 8]],
      ]),
    );
  });

  test('a property the survey rolls up (PATCH rollupProperties) groups as before, and keeps up with new answers', async ({
    api,
  }) => {
    await seedAnswers(api);
    const before = {
      store: await grouped(api, 'properties.store'),
      country: await grouped(api, 'properties.shipping.country'),
      drivers: (await api.get(`/v1/metrics/drivers?surveyId=${api.surveyId}&property=store`)).json(),
    };
    const res = await api.patch(`/v1/surveys/${api.surveyId}`, {
      rollupProperties: ['store', 'shipping.country'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().rollupProperties).toEqual(['store', 'shipping.country']);
    const [rows] = await api.ctx.database.sql<{ n: number }[]>`
      select count(*)::int as n from response_property_rollups where survey_id = ${api.surveyId}`;
    expect(rows?.n).toBeGreaterThan(0);
    expect(await grouped(api, 'properties.store')).toEqual(before.store);
    expect(await grouped(api, 'properties.shipping.country')).toEqual(before.country);
    expect((await api.get(`/v1/metrics/drivers?surveyId=${api.surveyId}&property=store`)).json()).toEqual(
      before.drivers,
    );
    // A new answer through the real path (event → invitation → answer) is counted by the triggers.
    await answerInvitation(
      api,
      2,
      '2026-03-04T10:00:00Z',
      { store: 'C', shipping: { country: 'DE' } },
      'new',
    );
    expect((await grouped(api, 'properties.store')).groups).toEqual(
      expected('nps', [
        ['A', [10, 9, 8]],
        ['B', [6, 3]],
        ['C', [10, 2]],
      ]),
    );
    // Dropping a property deletes its rows; the breakdown is counted from the answers again, with the same result.
    await api.patch(`/v1/surveys/${api.surveyId}`, { rollupProperties: ['store'] });
    const [left] = await api.ctx.database.sql<{ n: number }[]>`
      select count(*)::int as n from response_property_rollups
        where survey_id = ${api.surveyId} and property = 'shipping.country'`;
    expect(left?.n).toBe(0);
    expect((await grouped(api, 'properties.shipping.country')).groups).toEqual(
      expected('nps', [
        ['DE', [6, 2]],
        ['PL', [10, 3, 10]],
        [null, [9, 8]],
      ]),
    );
  });

  test('rollupProperties refuses a bad name, a repeat and more than five, naming the field', async ({
    api,
  }) => {
    const refused = async (rollupProperties: string[]) => {
      const res = await api.patch(`/v1/surveys/${api.surveyId}`, { rollupProperties });
      expect(res.statusCode).toBe(400);
      return res.json().error.details.map((d: { field: string }) => d.field);
    };
    expect(await refused(['store', 'has space'])).toEqual(['rollupProperties[1]']);
    expect(await refused(['store', 'store'])).toEqual(['rollupProperties']);
    expect(await refused(['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['rollupProperties']);
  });

  test('groups of a CSAT survey carry the CSAT summary', async ({ api }) => {
    const csat = await createSurvey(api.ctx.database, api.workspaceId, {
      kind: 'csat',
      name: 'Support',
      question: { en: 'Happy?' },
      followupQuestion: { en: 'Why?' },
      actions: [],
    });
    for (const [score, channel] of [
      [5, 'email'],
      [2, 'email'],
      [4, 'sms'],
    ] as const) {
      await answer(api, { score, channel, at: '2026-03-02T10:00:00Z' }, csat.id);
    }
    const res = await api.get(`/v1/metrics?surveyId=${csat.id}&groupBy=channel`);
    expect(res.json().groups).toEqual(
      expected('csat', [
        ['email', [5, 2]],
        ['sms', [4]],
      ]),
    );
  });

  test('without groupBy the answer is the whole score, as before', async ({ api }) => {
    await seedAnswers(api);
    const res = await api.get(`/v1/metrics?surveyId=${api.surveyId}`);
    expect(res.json()).toEqual({
      surveyId: api.surveyId,
      from: null,
      to: null,
      ...readable('nps', [10, 6, 9, 8, 3, 10]),
      reliable: false,
      reason: '6 answers, fewer than the minimum of 30',
    });
  });

  test('a survey without answers in the period has no groups', async ({ api }) => {
    expect((await grouped(api, 'day')).groups).toEqual([]);
  });
});

describe('groupBy validation', () => {
  test.for([
    'hour',
    'properties',
    'properties.',
    'properties..store',
    'type',
    'contact.email',
    "properties.a'b",
    'properties.a;drop table responses',
    'properties.a}',
  ])('%s answers 400 naming groupBy', async (groupBy, { api }) => {
    const res = await api.get(`/v1/metrics?surveyId=${api.surveyId}&groupBy=${encodeURIComponent(groupBy)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { field: 'groupBy', message: 'must be day, week, month, channel or properties.<name>' },
    ]);
  });

  test('more than 500 groups answers 400 telling to narrow the period or choose a coarser groupBy', async ({
    api,
  }) => {
    const location = await aLocation(api, api.surveyId);
    await api.ctx.database.sql`
      insert into responses (workspace_id, survey_id, location_id, channel, score, properties, created_at, editable_until)
      select ${api.workspaceId}, ${api.surveyId}, ${location.id}, 'qr', 9, jsonb_build_object('orderId', i), now(), now()
        from generate_series(1, 500) i`;
    const atLimit = await grouped(api, 'properties.orderId');
    expect(atLimit.groups).toHaveLength(500);

    await answer(api, { score: 9, at: '2026-03-02T10:00:00Z', properties: { orderId: 501 } });
    const res = await api.get(`/v1/metrics?surveyId=${api.surveyId}&groupBy=properties.orderId`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { field: 'groupBy', message: 'more than 500 groups: narrow the period or choose a coarser groupBy' },
    ]);
  });

  test('a property path reaches SQL only as data: quotes and semicolons are looked up, never run', async ({
    api,
  }) => {
    await answer(api, { score: 10, at: '2026-03-02T10:00:00Z', properties: { "a'b": 'quoted' } });
    const { groups } = await groupedScoreHistograms(api.ctx.database, api.workspaceId, {
      surveyId: api.surveyId,
      groupBy: { by: 'property', path: ["a'b"] },
      maxGroups: 500,
    });
    expect(groups).toEqual([{ key: 'quoted', histogram: new Map([[10, 1]]) }]);

    const hostile = await groupedScoreHistograms(api.ctx.database, api.workspaceId, {
      surveyId: api.surveyId,
      groupBy: { by: 'property', path: ["x'}'::text[]; drop table responses; --"] },
      maxGroups: 500,
    });
    expect(hostile.groups).toEqual([{ key: null, histogram: new Map([[10, 1]]) }]);
    const [row] = await api.ctx.database.sql<{ n: number }[]>`select count(*)::int as n from responses`;
    expect(row?.n).toBe(1);
  });
});

describe('CSI reads a bounded sample', () => {
  test('the newest csiSampleLimit answers with ratings are read; one more says capped', async ({ api }) => {
    const location = await aLocation(api, api.surveyId);
    const insert = (n: number) => api.ctx.database.sql`
      insert into responses (workspace_id, survey_id, location_id, channel, score, answers, created_at, editable_until)
      select ${api.workspaceId}, ${api.surveyId}, ${location.id}, 'qr', 8, '{"delivery": 4}'::jsonb,
        now() - i * interval '1 second', now()
        from generate_series(1, ${n}) i`;
    await insert(csiSampleLimit);
    const full = await csiRespondents(api.ctx.database, api.workspaceId, { surveyId: api.surveyId });
    expect(full.respondents).toHaveLength(csiSampleLimit);
    expect(full.capped).toBe(false);
    await insert(1);
    const over = await csiRespondents(api.ctx.database, api.workspaceId, { surveyId: api.surveyId });
    expect(over.respondents).toHaveLength(csiSampleLimit);
    expect(over.capped).toBe(true);
  });
});
