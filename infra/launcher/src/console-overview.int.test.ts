// The console's overview and responses feed on the whole system: answers arrive through real survey links; the figures on /app
// equal the API's for the same data; the feed filters like GET /v1/responses and pages by its cursors; the CSV is exactly the
// filtered rows, audited as the member; a viewer cannot export.
import { ManualClock } from '@surveyflow/core';
import type { SmtpSink } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Agent, signedInOwner, signIn } from './console-agent.ts';
import { type Shop, test } from './testing.ts';

type Answer = { score: number; store: string; comment?: string };

/** October: NPS 40 on 10 answers. */
const october: Answer[] = [10, 9, 10, 9, 10, 8, 7, 9, 3, 5].map((score, i) => ({
  score,
  store: i % 2 ? 'Warsaw' : 'Kraków',
}));
/** November: 12 answers, detractors from Kraków complaining about late deliveries. */
const november: Answer[] = [
  { score: 10, store: 'Warsaw', comment: 'Great support' },
  { score: 9, store: 'Warsaw' },
  { score: 8, store: 'Warsaw' },
  { score: 7, store: 'Kraków' },
  { score: 2, store: 'Kraków', comment: 'Delivery was late' },
  { score: 3, store: 'Kraków', comment: 'Late again' },
  { score: 5, store: 'Warsaw', comment: 'The parcel was LATE and wet' },
  { score: 6, store: 'Kraków' },
  { score: 9, store: 'Kraków', comment: 'Fine' },
  { score: 1, store: 'Warsaw', comment: 'Never again' },
  { score: 4, store: 'Kraków' },
  { score: 10, store: 'Warsaw' },
];

async function answerAll(shop: Shop, smtp: SmtpSink, period: string, answers: Answer[]) {
  const batch = await shop.api('POST', '/v1/events/batch', {
    events: answers.map((a, i) => ({
      id: `${period}-order-${i}`,
      type: 'order.delivered',
      contact: { id: `${period}-${i}`, email: `${period}-${i}@example.com`, name: `Customer ${period} ${i}` },
      properties: { store: a.store },
    })),
  });
  expect(batch.statusCode).toBe(202);
  for (const [i, a] of answers.entries()) {
    const mail = await smtp.waitFor((m) => m.to.includes(`${period}-${i}@example.com`), 30_000);
    const link = /href="https?:\/\/[^/"]+(\/s\/[^"?]+)\?score=/.exec(mail.html ?? '')?.[1];
    if (!link) throw new Error(`no survey link for ${period}-${i}`);
    const form = new URLSearchParams({ score: String(a.score), comment: a.comment ?? '' });
    if (a.comment === undefined) form.set('skip', '1');
    const posted = await shop.system.app.inject({
      method: 'POST',
      url: link,
      payload: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.statusCode).toBe(200);
  }
}

const en = (x: number, digits = 1) =>
  new Intl.NumberFormat('en', { maximumFractionDigits: digits }).format(x);
const signedEn = (x: number) =>
  new Intl.NumberFormat('en', { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(x);
const testId = (body: string, id: string) =>
  new RegExp(`data-testid="${id}">([^<]*)<`).exec(body)?.[1]?.replace(/&amp;/g, '&');
/** The response ids a feed page shows, in order (each row's contact link carries its contact's id). */
const contactIds = (body: string) => [...body.matchAll(/href="\/app\/contacts\/([^"]+)"/g)].map((m) => m[1]);
const csvIds = (csv: string) =>
  csv
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(',')[0]);

async function apiAll(shop: Shop, query: string) {
  const res = await shop.api('GET', `/v1/responses?limit=500&${query}`);
  expect(res.statusCode).toBe(200);
  return res.json().data as { id: string; contact: { id: string } | null }[];
}

describe('the console overview and responses', () => {
  test('the overview shows the API’s figures; the feed filters and pages like the API; the CSV is the filtered rows, audited; a viewer cannot export', {
    timeout: 240_000,
  }, async ({ shopWith, smtp }) => {
    const clock = new ManualClock('2026-10-05T09:00:00Z');
    const shop = await shopWith({ clock, env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { api } = shop;
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const first = await signedInOwner(shop, smtp);

    // Nothing yet: the overview says what to do next.
    const empty = await first.get('/app');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No answers yet in this period');
    expect(empty.body).toContain('/v1/events');
    expect((await first.get('/app/responses')).body).toContain('Send a test event');

    await answerAll(shop, smtp, 'oct', october);
    clock.set('2026-11-05T09:00:00Z');
    await answerAll(shop, smtp, 'nov', november);
    clock.set('2026-12-01T10:00:00Z');
    // Two months on, that session is long over: sign in again.
    const owner = await signedInOwner(shop, smtp);

    // The overview of November against October equals GET /v1/metrics?compare=previous.
    const page = await owner.get(
      `/app?survey=${survey.id}&range=custom&from=2026-11-01&to=2026-11-30&granularity=week&property=store`,
    );
    expect(page.statusCode).toBe(200);
    const metrics = (
      await api(
        'GET',
        `/v1/metrics?surveyId=${survey.id}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&compare=previous`,
      )
    ).json();
    expect(metrics.n).toBe(12);
    expect(testId(page.body, 'score')).toBe(en(metrics.score));
    expect(testId(page.body, 'n')).toBe('n = 12');
    expect(testId(page.body, 'interval')).toBe(
      `95 % interval ${en(metrics.ci.low)} to ${en(metrics.ci.high)}`,
    );
    expect(metrics.reliable).toBe(false);
    expect(page.body).toContain('Too few answers to read');
    expect(page.body).toContain('Answers: 12, fewer than the 30 your workspace asks for.');
    const c = metrics.comparison;
    expect(testId(page.body, 'change')).toContain(
      `${signedEn(c.change)} points (95 % interval ${en(c.ci.low)} to ${en(c.ci.high)}, p = ${en(c.p, 3)})`,
    );
    expect(page.body).toContain(c.significant ? '>significant<' : '>not significant<');
    expect(testId(page.body, 'segment-detractor')).toBe(String(metrics.detractors));
    expect(testId(page.body, 'segment-promoter')).toBe(String(metrics.promoters));
    // The trend: echarts' SVG, with no inline style left for the CSP to block, and its figures in a table.
    expect(page.body).toContain('<svg');
    expect(page.body).not.toMatch(/<svg[\s\S]*style="/);
    const weeks = (
      await api(
        'GET',
        `/v1/metrics?surveyId=${survey.id}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=week`,
      )
    ).json().groups as { key: string; n: number; score: number }[];
    for (const w of weeks)
      expect(page.body).toContain(`<td class="num"><span class="label">Answers: </span>${w.n}</td>`);
    // The breakdown by store equals groupBy=properties.store.
    const stores = (
      await api(
        'GET',
        `/v1/metrics?surveyId=${survey.id}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&groupBy=properties.store`,
      )
    ).json().groups as { key: string; n: number; score: number }[];
    expect(stores.map((s) => s.key)).toEqual(['Kraków', 'Warsaw']);
    for (const s of stores) {
      expect(page.body).toMatch(
        new RegExp(
          `${s.key}</td><td class="num"><span class="label">Score: </span>${en(s.score).replace('-', '\\-')}</td>`,
        ),
      );
    }
    // Overdue cases: the detractors' cases were due 48 hours after their answers.
    const overdue = (await api('GET', '/v1/cases?overdue=true&limit=500')).json().data as { id: string }[];
    expect(overdue.length).toBeGreaterThan(0);
    expect(testId(page.body, 'overdue-count')).toBe(`${overdue.length} unresolved past due.`);
    expect(page.body).toContain(`href="/app/cases/${overdue[0]?.id}"`);
    expect(page.body).toContain('href="/app/cases?view=overdue"');
    // The referral funnel equals GET /v1/metrics/referrals.
    const referrals = (
      await api('GET', '/v1/metrics/referrals?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&period=week')
    ).json().totals;
    expect(testId(page.body, 'funnel-promoters')).toBe(String(referrals.promoters));
    expect(testId(page.body, 'funnel-links')).toBe(String(referrals.links));

    // Bad input is a 400 naming the field, never a 500.
    const bad = await owner.get('/app?range=custom&from=2026-11-31&to=2026-11-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('from');
    expect((await owner.get('/app?granularity=hour')).statusCode).toBe(400);
    expect(
      (await owner.get('/app?range=custom&from=2020-01-01&to=2026-11-30&granularity=day')).statusCode,
    ).toBe(400);

    // The feed's filters select what the API selects.
    const filters: [string, string][] = [
      [`survey=${survey.id}&segment=detractor`, `surveyId=${survey.id}&segment=detractor`],
      ['property=store:Warsaw&hasComment=1', 'property=store:Warsaw&hasComment=true'],
      ['q=late', 'q=late'],
      [
        'from=2026-11-01&to=2026-11-30&channel=email',
        'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&channel=email',
      ],
    ];
    for (const [mine, theirs] of filters) {
      const feed = await owner.get(`/app/responses?${mine}`);
      expect(feed.statusCode, mine).toBe(200);
      const expected = await apiAll(shop, theirs);
      expect(expected.length, theirs).toBeGreaterThan(0);
      expect(contactIds(feed.body), mine).toEqual(expected.map((r) => r.contact?.id));
    }
    expect((await apiAll(shop, 'q=late')).length).toBe(3);
    // q is also a contact's id, exactly.
    expect(contactIds((await owner.get('/app/responses?q=nov-3')).body)).toEqual(['nov-3']);
    const none = await owner.get('/app/responses?q=nothing-like-this');
    expect(none.body).toContain('No answer matches these filters');
    expect((await owner.get('/app/responses?property=store')).statusCode).toBe(400);
    expect((await owner.get('/app/responses?cursor=nonsense')).statusCode).toBe(400);

    // Paging follows the API's cursors: every answer once, newest first.
    const seen: (string | undefined)[] = [];
    let next: string | undefined = '/app/responses?limit=5';
    while (next) {
      const res = await owner.get(next);
      seen.push(...contactIds(res.body));
      next = /<a href="([^"]+)" rel="next">/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    }
    expect(seen).toEqual((await apiAll(shop, '')).map((r) => r.contact?.id));
    expect(seen).toHaveLength(22);

    // The CSV is exactly what is filtered, like GET /v1/responses.csv, and the export is audited as the member.
    const csv = await owner.get('/app/responses.csv?property=store:Kraków&segment=detractor');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const apiCsv = await api(
      'GET',
      `/v1/responses.csv?property=${encodeURIComponent('store:Kraków')}&segment=detractor&columns=properties.store`,
    );
    expect(csv.body).toBe(apiCsv.body);
    const rows = await apiAll(shop, `property=${encodeURIComponent('store:Kraków')}&segment=detractor`);
    expect(csvIds(csv.body)).toEqual(rows.map((r) => r.id));
    expect(csv.body.split('\r\n')[0]).toContain('properties.store');
    const audit = await shop.system.ctx.database.sql<{ actor_kind: string; actor_label: string }[]>`
      select actor_kind, actor_label from audit_log where action = 'responses.export' order by created_at`;
    expect(audit[0]).toEqual({ actor_kind: 'user', actor_label: 'owner@shop.test' });
    expect((await owner.get('/app/responses')).body).toContain('href="/app/responses.csv"');

    // In the operator's language: Polish and Russian, the same figures.
    await shop.system.ctx.database.sql`update users set locale = 'pl' where email = 'owner@shop.test'`;
    const polish = await owner.get(`/app?survey=${survey.id}&range=custom&from=2026-11-01&to=2026-11-30`);
    expect(polish.body).toContain('<html lang="pl"');
    expect(polish.body).toContain('Za mało odpowiedzi, by wyciągać wnioski');
    expect(polish.body).toContain('Odpowiedzi: 12, mniej niż 30 wymagane w Twojej przestrzeni.');
    await shop.system.ctx.database.sql`update users set locale = 'ru' where email = 'owner@shop.test'`;
    expect((await owner.get('/app/responses')).body).toContain('Выгрузить в CSV');
    await shop.system.ctx.database.sql`update users set locale = 'en' where email = 'owner@shop.test'`;

    // A viewer reads the feed but cannot export; an agent can.
    const viewer = await invited(shop, smtp, owner, 'vera@shop.test', 'viewer');
    const viewerFeed = await viewer.get('/app/responses');
    expect(viewerFeed.statusCode).toBe(200);
    expect(viewerFeed.body).not.toContain('/app/responses.csv');
    expect((await viewer.get('/app/responses.csv')).statusCode).toBe(403);
    const agent = await invited(shop, smtp, owner, 'ann@shop.test', 'agent');
    expect((await agent.get('/app/responses.csv?segment=promoter')).statusCode).toBe(200);
    const exports = await shop.system.ctx.database.sql<{ actor_label: string }[]>`
      select actor_label from audit_log where action = 'responses.export' order by created_at`;
    // The owner's, the API key's, the agent's: the viewer's refusal exported nothing.
    expect(exports.map((e) => e.actor_label)).toEqual([
      'owner@shop.test',
      expect.stringContaining('sf_live'),
      'ann@shop.test',
    ]);
  });
});

async function invited(shop: Shop, smtp: SmtpSink, owner: Agent, email: string, role: string) {
  const sent = await owner.submit('/app/team', '/app/team/invite', { email, role });
  expect(sent.statusCode).toBe(303);
  return signIn(shop, smtp, email);
}
