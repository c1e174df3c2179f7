// Scores worth trusting, end to end: answers through real survey links in two periods → the change with its
// p-value, drivers, comment themes, and attribute ratings given on the page → CSI.
import { ManualClock } from '@surveyflow/core';
import type { SmtpSink } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

/** One answer: who, the score, the store the order came from, a comment, and the extra ratings on the page. */
type Answer = { score: number; store: string; comment?: string; delivery?: number; product?: number };

/** Period A (October): 10 promoters, 5 passives, 5 detractors — NPS 25. */
const october: Answer[] = [
  ...[10, 10, 9, 9, 10, 9, 10, 9, 10, 9].map((score, i) => ({
    score,
    store: i % 2 ? 'Warsaw' : 'Kraków',
    ...(i < 3 ? { comment: 'Great product, friendly support' } : {}),
  })),
  ...[7, 8, 7, 8, 7].map((score, i) => ({ score, store: i % 2 ? 'Warsaw' : 'Kraków' })),
  { score: 3, store: 'Warsaw', comment: 'Support was slow to answer' },
  { score: 5, store: 'Kraków', comment: 'The price went up' },
  { score: 6, store: 'Warsaw' },
  { score: 2, store: 'Kraków', comment: 'Delivery was late' },
  { score: 4, store: 'Warsaw' },
];

/** Period B (November): 4 promoters, 6 passives, 10 detractors — NPS −30; late deliveries from Kraków. */
const scoresB = [10, 9, 10, 9, 7, 8, 7, 8, 7, 8, 2, 3, 1, 4, 5, 6, 0, 3, 2, 4];
const deliveryB = [5, 4, 5, 5, 3, 4, 3, 4, 3, 4, 1, 1, 2, 1, 2, 3, 1, 2, 1, 2];
const productB = [4, 5, 4, 4, 4, 4, 5, 3, 4, 4, 4, 3, 4, 5, 3, 4, 4, 3, 4, 4];
const lateComments = [
  'Late delivery again',
  'The delivery was late and the food cold',
  'Late delivery, rude courier',
  'Why is every delivery late?',
  'Delivery two hours late',
  'Late delivery',
];
const november: Answer[] = scoresB.map((score, i) => ({
  score,
  store: i >= 10 && i < 17 ? 'Kraków' : 'Warsaw',
  delivery: deliveryB[i] as number,
  product: productB[i] as number,
  ...(i >= 10 && i - 10 < lateComments.length ? { comment: lateComments[i - 10] } : {}),
}));

/** Every answer of a period through its own invitation email and survey link, as a browser posts the form. */
async function answerAll(shop: Shop, smtp: SmtpSink, period: string, answers: Answer[]) {
  const contacts = answers.map((_, i) => ({
    id: `${period}-${i}`,
    email: `${period}-${i}@example.com`,
    locale: 'en',
  }));
  const batch = await shop.api('POST', '/v1/events/batch', {
    events: answers.map((a, i) => ({
      id: `${period}-order-${i}`,
      type: 'order.delivered',
      contact: contacts[i],
      properties: { store: a.store },
    })),
  });
  expect(batch.statusCode).toBe(202);
  for (const [i, a] of answers.entries()) {
    const mail = await smtp.waitFor((m) => m.to.includes(contacts[i]?.email ?? ''), 30_000);
    const link = /href="https?:\/\/[^/"]+(\/s\/[^"?]+)\?score=/.exec(mail.html ?? '')?.[1];
    if (!link) throw new Error(`no survey link for ${contacts[i]?.email}`);
    if (i === 0 && a.delivery !== undefined) {
      // The page shows the extra questions after the score, labelled from the survey definition.
      const page = await shop.system.app.inject({ method: 'GET', url: `${link}?score=${a.score}` });
      expect(page.body).toContain('A few more questions (optional)');
      expect(page.body).toContain('name="answers.delivery"');
      expect(page.body).toContain('<legend>Delivery');
    }
    const form = new URLSearchParams({ score: String(a.score), comment: a.comment ?? '' });
    if (a.comment === undefined) form.set('skip', '1');
    if (a.delivery !== undefined) form.set('answers.delivery', String(a.delivery));
    if (a.product !== undefined) form.set('answers.product', String(a.product));
    const posted = await shop.system.app.inject({
      method: 'POST',
      url: link,
      payload: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.statusCode).toBe(200);
  }
}

describe('metrics you can trust', () => {
  test('two periods of answers through survey links: compare answers the NPS change with the p-value computed by hand; drivers, themes, CSI from the page', async ({
    shopWith,
    smtp,
  }) => {
    const clock = new ManualClock('2026-10-05T09:00:00Z');
    const shop = await shopWith({
      clock,
      env: { PUBLIC_URL: 'http://surveys.test', FOLLOWUP_COMMENT_WAIT_MS: '0' },
    });
    const { api } = shop;
    const [survey] = (await api('GET', '/v1/surveys')).json().data;

    // A bad question list is a 400 naming the field.
    const bad = await api('PATCH', `/v1/surveys/${survey.id}`, {
      questions: [{ id: 'Delivery!', type: 'rating', label: { en: 'Delivery' } }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('questions[0].id');

    const patched = await api('PATCH', `/v1/surveys/${survey.id}`, {
      actions: [],
      questions: [
        {
          id: 'delivery',
          type: 'rating',
          scale: '1-5',
          label: { en: 'Delivery', pl: 'Dostawa', ru: 'Доставка' },
        },
        {
          id: 'product',
          type: 'rating',
          scale: '1-5',
          label: { en: 'Product quality', pl: 'Jakość produktu', ru: 'Качество товара' },
        },
        { id: 'more', type: 'text', label: { en: 'Anything else?' } },
      ],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().questions).toHaveLength(3);

    await answerAll(shop, smtp, 'oct', october);
    clock.set('2026-11-05T09:00:00Z');
    await answerAll(shop, smtp, 'nov', november);
    clock.set('2026-12-01T00:00:00Z');

    const q = `surveyId=${survey.id}&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`;
    const metrics = await api('GET', `/v1/metrics?${q}&compare=previous`);
    expect(metrics.statusCode).toBe(200);
    const m = metrics.json();
    expect(m).toMatchObject({ kind: 'nps', n: 20, score: -30, reliable: false });
    expect(m.reason).toBe('20 answers, fewer than the minimum of 30');
    // By hand (Python 3 + scipy.stats.norm.sf): NPS −30 (4 P, 10 D of 20) against 25 (10 P, 5 D of 20):
    // variances (.2 + .5 − .09)/20 = .0305 and (.5 + .25 − .0625)/20 = .034375; se = √.064875 = 25.4706;
    // z = −55/25.4706 = −2.1594; p = 0.030822652612270757; 95 % CI −55 ± 1.96·25.4706 = [−104.9, −5.1].
    expect(m.comparison).toMatchObject({
      from: '2026-10-02T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      method: 'nps-difference',
      current: -30,
      previous: 25,
      change: -55,
      ci: { low: -104.9, high: -5.1, level: 0.95 },
      significant: true,
      reliable: false,
      summary: { kind: 'nps', n: 20, score: 25 },
    });
    expect(m.comparison.p).toBeCloseTo(0.030822652612270757, 9);

    // An explicit period compares the same way; a mangled one is a 400 naming compare.
    const explicit = (
      await api('GET', `/v1/metrics?${q}&compare=2026-10-01T00:00:00Z/2026-11-01T00:00:00Z`)
    ).json();
    expect(explicit.comparison.p).toBeCloseTo(0.030822652612270757, 9);
    const mangled = await api('GET', `/v1/metrics?${q}&compare=last-month`);
    expect(mangled.statusCode).toBe(400);
    expect(mangled.json().error.details[0].field).toBe('compare');
    const noFrom = await api('GET', `/v1/metrics?surveyId=${survey.id}&compare=previous`);
    expect(noFrom.statusCode).toBe(400);
    expect(noFrom.json().error.details[0].field).toBe('compare');

    // The workspace may read smaller samples: with a minimum of 10 and wider intervals allowed, it is reliable.
    const settings = await api('PATCH', '/v1/workspace', {
      reliability: { minAnswers: 10, maxIntervalWidth: { nps: 90, csat: 40, ces: 2 } },
    });
    expect(settings.statusCode).toBe(200);
    expect((await api('GET', `/v1/metrics?${q}`)).json()).toMatchObject({ reliable: true, reason: null });

    // Drivers: Kraków (7 answers, all detractors) pulls November down, significant after BH. With two
    // values the gaps mirror each other and the larger store's |gap × share| is the larger: Warsaw first.
    const drivers = await api('GET', `/v1/metrics/drivers?${q}&property=store`);
    expect(drivers.statusCode).toBe(200);
    const d = drivers.json();
    expect(d).toMatchObject({
      property: 'store',
      correction: 'benjamini-hochberg',
      overall: { n: 20, score: -30 },
    });
    expect(d.data.map((r: { value: string }) => r.value)).toEqual(['Warsaw', 'Kraków']);
    expect(d.data[1]).toMatchObject({ n: 7, share: 0.35, score: -100, gap: -107.7, significant: true });
    expect(d.data[1].impact).toBeLessThan(0);
    expect(
      (await api('GET', `/v1/metrics/drivers?${q}&property=st%20ore`)).json().error.details[0].field,
    ).toBe('property');

    // Themes: "late" and "delivery" rose sharply against October, written by detractors.
    const themes = await api('GET', `/v1/metrics/themes?${q}&segment=detractor`);
    expect(themes.statusCode).toBe(200);
    const t = themes.json();
    expect(t).toMatchObject({
      comments: 6,
      previousComments: 3,
      previous: { from: '2026-10-02T00:00:00.000Z' },
    });
    const late = t.themes.find((x: { term: string }) => x.term === 'late');
    // 6 of 6 against 1 of 3: pooled z = 2.268, p = 0.023 (two proportions, by hand) → rising.
    expect(late).toMatchObject({
      kind: 'word',
      mentions: 6,
      detractorShare: 1,
      previousMentions: 1,
      rising: true,
    });
    const phrase = t.themes.find((x: { term: string }) => x.term === 'late delivery');
    expect(phrase).toMatchObject({ kind: 'phrase', mentions: 3 });
    expect(late.examples).toHaveLength(3);

    // CSI from the ratings given on the page, importance derived (numpy.corrcoef with the NPS score):
    // r(delivery) = 0.92916, r(product) = 0.18670 → weights 0.83269 and 0.16731; satisfaction 45 and
    // 73.75 → CSI 49.81.
    const csi = await api('GET', `/v1/metrics/csi?${q}`);
    expect(csi.statusCode).toBe(200);
    const c = csi.json();
    expect(c).toMatchObject({ method: 'derived', n: 20, score: 49.8, capped: false });
    expect(c.interval).toEqual({ method: 'bootstrap-percentile', resamples: 1000, seed: 13 });
    expect(c.ci.low).toBeLessThanOrEqual(49.8);
    expect(c.ci.high).toBeGreaterThanOrEqual(49.8);
    expect(c.attributes[0]).toMatchObject({ key: 'delivery', satisfaction: 45, importance: 0.833 });

    // The ratings are in the responses, the CSV and the filters.
    const low = (await api('GET', `/v1/responses?surveyId=${survey.id}&answer=delivery:1`)).json().data;
    expect(low).toHaveLength(5);
    expect(low.every((r: { answers: { delivery: number } }) => r.answers.delivery === 1)).toBe(true);
    const csv = await api(
      'GET',
      `/v1/responses.csv?surveyId=${survey.id}&columns=answers.delivery,properties.store`,
    );
    expect(csv.statusCode).toBe(200);
    const header = csv.body.split('\r\n')[0];
    expect(header?.endsWith('answers.delivery,properties.store')).toBe(true);
    expect(csv.body.split('\r\n').filter((l) => l.endsWith(',1,Kraków')).length).toBeGreaterThan(0);
  }, 240_000);
});
