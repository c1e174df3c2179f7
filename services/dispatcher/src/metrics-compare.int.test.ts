// The change of CSAT and CES between periods through GET /v1/metrics?compare, on real Postgres, against scipy;
// the reliability setting, CSI and themes answering clear 4xx for what they cannot do.
import { closeContext, createLocation, createSurvey, openContext, type SurveyKind } from '@surveyflow/core';
import { createServiceApp } from '@surveyflow/http';
import { test as base, seedWorkspace, testConfig } from '@surveyflow/testkit';
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
  const { workspaceId, apiKey } = await seedWorkspace(ctx.database);
  const headers = { authorization: `Bearer ${apiKey}` };
  return {
    ctx,
    workspaceId,
    get: (url: string) => app.inject({ method: 'GET', url, headers }),
    patch: (url: string, payload: object) => app.inject({ method: 'PATCH', url, headers, payload }),
    /** A survey of this kind with `counts` answers (score → how many) at `at`, anonymous at one location. */
    async survey(
      kind: SurveyKind,
      periods: { at: string; counts: Record<number, number>; comment?: string }[],
    ) {
      const survey = await createSurvey(ctx.database, workspaceId, {
        kind,
        name: kind,
        question: { en: 'How was it?' },
        followupQuestion: { en: 'Why?' },
        actions: [],
      });
      const place = await createLocation(ctx.database, workspaceId, {
        surveyId: survey.id,
        name: 'Store',
        deviceLimitHours: 24,
        properties: {},
      });
      for (const p of periods) {
        for (const [score, n] of Object.entries(p.counts)) {
          await ctx.database.sql`
            insert into responses (workspace_id, survey_id, location_id, channel, score, comment, created_at, editable_until)
            select ${workspaceId}, ${survey.id}, ${place.id}, 'qr', ${Number(score)}, ${p.comment ?? null},
              ${p.at}::timestamptz, ${p.at}::timestamptz
            from generate_series(1, ${n})`;
        }
      }
      return survey.id;
    },
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

const november = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';

describe('GET /v1/metrics?compare', () => {
  test('CSAT: two proportions, p as scipy.stats.chi2_contingency([[80,20],[65,35]], correction=False)', async ({
    api,
  }) => {
    const id = await api.survey('csat', [
      { at: '2026-10-10T12:00:00Z', counts: { 5: 40, 4: 25, 2: 35 } },
      { at: '2026-11-10T12:00:00Z', counts: { 5: 50, 4: 30, 3: 10, 1: 10 } },
    ]);
    const res = await api.get(`/v1/metrics?surveyId=${id}&${november}&compare=previous`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'csat', n: 100, score: 80, reliable: true, reason: null });
    expect(body.comparison).toMatchObject({
      method: 'two-proportions',
      current: 80,
      previous: 65,
      change: 15,
      ci: { low: 2.8, high: 27.2, level: 0.95 },
      significant: true,
      reliable: true,
      summary: { kind: 'csat', n: 100, score: 65, reliable: true },
    });
    expect(body.comparison.p).toBeCloseTo(0.017528861260372782, 9);
  });

  test('CES: Welch’s t-test as scipy.stats.ttest_ind(equal_var=False): p 0.000714, df 39.94, CI [0.64, 2.20]', async ({
    api,
  }) => {
    const id = await api.survey('ces', [
      { at: '2026-10-10T12:00:00Z', counts: { 6: 5, 5: 6, 4: 5, 3: 3, 1: 1 } },
      { at: '2026-11-10T12:00:00Z', counts: { 7: 10, 6: 8, 5: 4, 4: 2, 2: 1 } },
    ]);
    const body = (await api.get(`/v1/metrics?surveyId=${id}&${november}&compare=previous`)).json();
    expect(body).toMatchObject({ kind: 'ces', n: 25, score: 5.92, reliable: false });
    expect(body.reason).toBe('25 answers, fewer than the minimum of 30');
    expect(body.comparison).toMatchObject({
      method: 'welch-t',
      current: 5.92,
      previous: 4.5,
      change: 1.42,
      df: 39.94,
      ci: { low: 0.64, high: 2.2, level: 0.95 },
      significant: true,
      reliable: false,
      reason: 'this period: 25 answers, fewer than the minimum of 30',
    });
    expect(body.comparison.p).toBeCloseTo(0.0007140358306770517, 9);
  });

  test('compare with groupBy, or a period that ends before it starts, is a 400 naming compare', async ({
    api,
  }) => {
    const id = await api.survey('nps', []);
    for (const q of [
      `${november}&compare=previous&groupBy=day`,
      'compare=2026-11-01T00:00:00Z/2026-10-01T00:00:00Z',
      'compare=2026-11-01/2026-12-01',
    ]) {
      const res = await api.get(`/v1/metrics?surveyId=${id}&${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.details.map((d: { field: string }) => d.field)).toEqual(['compare']);
    }
  });
});

describe('the reliability rule, CSI and themes at the edges', () => {
  test('a workspace reliability setting is checked field by field; null goes back to the defaults', async ({
    api,
  }) => {
    const bad = await api.patch('/v1/workspace', {
      reliability: { minAnswers: 0, maxIntervalWidth: { nps: 30 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual([
      'reliability.maxIntervalWidth.ces',
      'reliability.maxIntervalWidth.csat',
      'reliability.minAnswers',
    ]);
    const set = await api.patch('/v1/workspace', {
      reliability: { minAnswers: 5, maxIntervalWidth: { nps: 100, csat: 100, ces: 6 } },
    });
    expect(set.json().reliability).toEqual({
      minAnswers: 5,
      maxIntervalWidth: { nps: 100, csat: 100, ces: 6 },
    });
    const reset = await api.patch('/v1/workspace', { reliability: null });
    expect(reset.json().reliability).toEqual({
      minAnswers: 30,
      maxIntervalWidth: { nps: 40, csat: 20, ces: 1, csi: 10 },
    });
  });

  test('CSI of a survey without rating questions is a 409 saying so; an unknown survey a 404', async ({
    api,
  }) => {
    const id = await api.survey('nps', [{ at: '2026-11-10T12:00:00Z', counts: { 9: 3 } }]);
    const res = await api.get(`/v1/metrics/csi?surveyId=${id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/no rating questions/);
    expect((await api.get('/v1/metrics/csi?surveyId=00000000-0000-4000-8000-000000000000')).statusCode).toBe(
      404,
    );
  });

  test('themes of anonymous Russian and Polish comments are stemmed by their letters', async ({ api }) => {
    const id = await api.survey('nps', [
      { at: '2026-11-10T12:00:00Z', counts: { 2: 2 }, comment: 'Доставка опоздала, курьер грубый' },
      { at: '2026-11-11T12:00:00Z', counts: { 3: 1 }, comment: 'Доставки не было два дня' },
      { at: '2026-11-12T12:00:00Z', counts: { 9: 2 }, comment: 'Szybka dostawa, miła obsługa' },
    ]);
    const body = (await api.get(`/v1/metrics/themes?surveyId=${id}&${november}`)).json();
    expect(body).toMatchObject({ comments: 5, previousComments: 0 });
    const ru = body.themes.find((t: { stem: string }) => t.stem === 'доставк');
    expect(ru).toMatchObject({ language: 'ru', mentions: 3, detractorShare: 1, previousMentions: 0 });
    const pl = body.themes.find((t: { stem: string }) => t.stem === 'dostaw');
    expect(pl).toMatchObject({ language: 'pl', mentions: 2, detractorShare: 0 });
    const bad = await api.get(`/v1/metrics/themes?surveyId=${id}&segment=angry`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('segment');
  });
});
