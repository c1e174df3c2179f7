// Telling the team, on the real system: the weekly digest (with its chart as an inline PNG) to members who opted in, once per workspace and week; the daily drop alert, once per survey and week.
import { writeFileSync } from 'node:fs';
import { ManualClock, schema, sendDigest, setDigestOptIn } from '@surveyflow/core';
import { queuesIdle, waitFor } from '@surveyflow/testkit';
import { PNG } from 'pngjs';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

type Answer = { score: number; at: string; store?: string; comment?: string };

/** Answers at a shop's location code, stored as its page stores them, weeks back (the digest reads scores, not people). */
async function store(shop: Shop, answers: Answer[]) {
  const { db } = shop.system.ctx.database;
  const [survey] = await db.select().from(schema.surveys);
  if (!survey) throw new Error('no survey');
  const location = await shop.api('POST', '/v1/locations', { surveyId: survey.id, name: 'Counter' });
  expect(location.statusCode).toBe(201);
  await db.insert(schema.responses).values(
    answers.map((a) => ({
      workspaceId: survey.workspaceId,
      surveyId: survey.id,
      locationId: location.json().id as string,
      channel: 'qr' as const,
      score: a.score,
      comment: a.comment ?? null,
      properties: a.store ? { store: a.store } : {},
      createdAt: new Date(a.at),
      updatedAt: new Date(a.at),
      editableUntil: new Date(a.at),
      followedUpAt: new Date(a.at),
    })),
  );
  return survey;
}

const many = (count: number, answer: Answer): Answer[] => Array.from({ length: count }, () => answer);

/** Pixels within a small distance of the chart's series colour #4f46e5. */
function seriesPixels(png: PNG): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i] ?? 0, png.data[i + 1] ?? 0, png.data[i + 2] ?? 0];
    if (Math.abs(r - 0x4f) < 24 && Math.abs(g - 0x46) < 24 && Math.abs(b - 0xe5) < 24) n++;
  }
  return n;
}

describe('the weekly digest', () => {
  test('Monday 08:00 in the workspace’s zone: one digest to the member who opted in, with the week’s score, interval, significant change, driver, theme, overdue case and a decodable chart — once, however many workers race', async ({
    shopWith,
    smtp,
  }) => {
    // Sunday: nothing is due yet (the worker's first scan runs at start).
    const clock = new ManualClock('2026-11-29T12:00:00Z');
    const shop = await shopWith({ clock });
    const { system } = shop;
    const { db } = system.ctx.database;
    // Last week (Mon 23 – Sun 29 Nov): 30 promoters, 5 passives, 5 detractors → NPS (30 − 5)/40 = 62.5.
    // The week before: 10, 10, 20 → (10 − 20)/40 = −25. Change +87.5 points.
    const survey = await store(shop, [
      ...many(30, { score: 10, at: '2026-11-24T10:00:00Z', store: 'Warsaw' }),
      ...many(5, { score: 8, at: '2026-11-25T10:00:00Z', store: 'Warsaw' }),
      ...many(5, { score: 2, at: '2026-11-26T10:00:00Z', store: 'Krakow', comment: 'Late delivery again' }),
      ...many(10, { score: 9, at: '2026-11-17T10:00:00Z', store: 'Warsaw' }),
      ...many(10, { score: 7, at: '2026-11-18T10:00:00Z', store: 'Warsaw' }),
      ...many(20, { score: 3, at: '2026-11-19T10:00:00Z', store: 'Krakow' }),
      ...many(6, { score: 6, at: '2026-11-03T10:00:00Z' }),
    ]);
    const [detractor] = await db.select().from(schema.responses).limit(1);
    await db.insert(schema.cases).values({
      workspaceId: survey.workspaceId,
      responseId: detractor?.id ?? '',
      surveyId: survey.id,
      owner: 'anna',
      dueAt: new Date('2026-11-28T10:00:00Z'),
      slaHours: 48,
    });
    const [lead, quiet] = await db
      .insert(schema.users)
      .values([{ email: 'lead@shop.test' }, { email: 'quiet@shop.test' }])
      .returning();
    await db.insert(schema.memberships).values([
      { workspaceId: survey.workspaceId, userId: lead?.id ?? '', role: 'admin' },
      { workspaceId: survey.workspaceId, userId: quiet?.id ?? '', role: 'viewer' },
    ]);
    expect(await setDigestOptIn(system.ctx.database, survey.workspaceId, lead?.id ?? '', true)).toEqual({
      digest: true,
    });
    await queuesIdle(system.ctx.queues);
    expect(await db.select().from(schema.digests)).toHaveLength(0);
    // Every worker upserts the one repeating scan (in Redis), so it runs once per interval.
    const schedulers = await system.ctx.queues.queue('reports').getJobSchedulers();
    expect(schedulers.map((j) => [j.key, j.every])).toEqual([['reports.scan', 900000]]);

    // Monday 09:00 UTC: two workers race for the digest, and the scheduled scan runs too.
    clock.set('2026-11-30T09:00:00Z');
    const raced = await Promise.all(
      [1, 2].map(() =>
        sendDigest(system.ctx.database, survey.workspaceId, clock.now(), {
          publicUrl: 'http://localhost:3000',
        }),
      ),
    );
    expect(raced.flat()).toHaveLength(1);
    await system.ctx.queues.addNotificationSends(raced.flat());
    await system.ctx.queues.add('reports.scan', {});
    const mail = await smtp.waitFor((m) => m.to.includes('lead@shop.test'));
    await queuesIdle(system.ctx.queues);
    expect(await db.select().from(schema.digests)).toMatchObject([{ week: '2026-11-23', recipients: 1 }]);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Weekly digest'))).toHaveLength(1);
    expect(smtp.messages.some((m) => m.to.includes('quiet@shop.test'))).toBe(false);

    expect(mail.subject).toBe('Weekly digest 2026-11-23 – 2026-11-29 — Shop');
    const text = mail.text.replace(/\s+/g, ' ');
    expect(text).toMatch(/NPS 62\.5 \(95 % CI \d+\.\d to \d+\.\d\), n = 40/);
    expect(text).toMatch(/The week before: NPS −25\.0 \(95 % CI −\d+\.\d to −?\d+\.\d\), n = 40/);
    expect(text).toMatch(
      /\+87\.5 points against the week before \(95 % CI \d+\.\d to \d+\.\d, p < 0\.001\): significant/,
    );
    expect(text).toContain('properties.store = Krakow');
    expect(text).toContain('“late delivery”');
    expect(text).toContain('1 overdue');
    expect(text).toContain('owner anna');

    // The chart rides along as an inline PNG the HTML shows by its content id.
    expect(mail.attachments).toHaveLength(1);
    const [chart] = mail.attachments;
    expect(chart?.contentType).toBe('image/png');
    expect(chart?.cid).toBe('trend-0@surveyflow');
    const [sent] = await system.ctx.database.sql<
      { html: string }[]
    >`select html from notifications where kind = 'digest'`;
    expect(sent?.html).toContain('<img src="cid:trend-0@surveyflow"');
    // The mail parser resolved that reference to the attached image, as a mail client does.
    expect(mail.html).toContain('<img src="data:image/png;base64,');
    const png = PNG.sync.read(chart?.content ?? Buffer.alloc(0));
    expect([png.width, png.height]).toEqual([1120, 440]);
    expect(seriesPixels(png)).toBeGreaterThan(500);
    if (process.env.DIGEST_PNG_OUT) writeFileSync(process.env.DIGEST_PNG_OUT, chart?.content ?? '');
  });
});

describe('the drop alert', () => {
  test('a significant fall against the 7 days before alerts the team once; the next day’s check, in the same week, sends nothing more', async ({
    shopWith,
    smtp,
  }) => {
    // Before 07:00: the worker's first scan finds no check due.
    const clock = new ManualClock('2026-12-02T05:00:00Z');
    const shop = await shopWith({ clock });
    const { system } = shop;
    const { db } = system.ctx.database;
    await store(shop, [
      // 25 Nov – 1 Dec: 5 promoters, 25 detractors → −66.7; the 7 days before: 25 promoters, 5 detractors → 66.7.
      ...many(5, { score: 10, at: '2026-11-28T10:00:00Z' }),
      ...many(25, { score: 1, at: '2026-11-30T10:00:00Z' }),
      ...many(25, { score: 10, at: '2026-11-20T10:00:00Z' }),
      ...many(5, { score: 1, at: '2026-11-21T10:00:00Z' }),
    ]);
    await queuesIdle(system.ctx.queues);

    clock.set('2026-12-02T08:00:00Z');
    await system.ctx.queues.add('reports.scan', {});
    const alert = await smtp.waitFor((m) => m.subject.startsWith('Score drop'));
    expect(alert.to).toEqual(['a@shop.test']);
    expect(alert.subject).toBe('Score drop: Post-delivery NPS — Shop');
    const text = alert.text.replace(/\s+/g, ' ');
    expect(text).toContain('2026-11-25 – 2026-12-01, against the 7 days before');
    expect(text).toMatch(
      /the survey as a whole −133\.3 points against the week before \(95 % CI .*p < 0\.001\): significant; n = 30 vs 30/,
    );
    const proof = await db.select().from(schema.dropAlerts);
    expect(proof).toMatchObject([{ week: '2026-11-30' }]);

    // Thursday: checked again, still a drop, but this survey already had its alert this week.
    clock.set('2026-12-03T08:00:00Z');
    await (await system.ctx.queues.queue('reports').getJob('reports.scan'))?.remove();
    await system.ctx.queues.add('reports.scan', {});
    await waitFor(async () => (await db.select().from(schema.dropChecks)).length === 2);
    await queuesIdle(system.ctx.queues);
    expect(smtp.messages.filter((m) => m.subject.startsWith('Score drop'))).toHaveLength(1);
    expect(await db.select().from(schema.dropAlerts)).toHaveLength(1);
  });
});

describe('the reports schedule', () => {
  test('a Redis that lost the repeating scan gets it back from the workers within one interval', async ({
    shopWith,
  }) => {
    const shop = await shopWith({ env: { REPORTS_SCAN_INTERVAL_MS: '500' } });
    const queue = shop.system.ctx.queues.queue('reports');
    await waitFor(async () => (await queue.getJobSchedulers()).length === 1);
    expect(await queue.removeJobScheduler('reports.scan')).toBe(true);
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    const back = await waitFor(async () => {
      const list = await queue.getJobSchedulers();
      return list.length === 1 ? list : null;
    });
    expect(back.map((j) => [j.key, j.every])).toEqual([['reports.scan', 500]]);
  });
});
