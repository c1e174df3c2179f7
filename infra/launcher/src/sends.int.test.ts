// List sends through the whole system: a CSV of contacts → the planner's rules → invitations in the SMTP sink,
// with progress seen moving in the API; dry runs, pause/resume/cancel, and a worker killed mid-send.

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  closeContext,
  createSend,
  ingestEvents,
  type JobPayload,
  openContext,
  planChunkJob,
  schema,
} from '@surveyflow/core';
import { freePort } from '@surveyflow/local-servers';
import { anEvent, seedWorkspace, TEST_SECRET, testConfig, uniquePrefix, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { ServiceProcess } from './chaos/servers.ts';
import { type Shop, test } from './testing.ts';

type Progress = {
  read: number;
  planned: number;
  invited: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  bad: number;
  sent: number;
  answered: number;
};
type SendBody = {
  id: string;
  state: string;
  progress: Progress;
  firstBad: { line: number; reason: string }[];
};

/** A CSV of n contacts (line = index + 2: the header is line 1), with the lines `bad` broken in the ways a file breaks. */
function contactsCsv(prefix: string, n: number, bad: ReadonlyMap<number, string> = new Map()) {
  const lines = ['id,email,name,timezone,plan'];
  for (let i = 0; i < n; i++) {
    const line = i + 2;
    const id = `${prefix}-${i}`;
    switch (bad.get(line)) {
      case 'no id':
        lines.push(`,${id}@example.com,Kim,Europe/Warsaw,gold`);
        break;
      case 'invalid email':
        lines.push(`${id},not-an-address,Kim,Europe/Warsaw,gold`);
        break;
      case 'unknown time zone':
        lines.push(`${id},${id}@example.com,Kim,Mars/Olympus,gold`);
        break;
      default:
        lines.push(`${id},${id}@example.com,Kim ${i},Europe/Warsaw,gold`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function postCsv(shop: Shop, csv: string, query: string): Promise<SendBody> {
  const res = await shop.system.app.inject({
    method: 'POST',
    url: `/v1/sends?${query}`,
    payload: csv,
    headers: { authorization: `Bearer sf_live_system_test_key_0123456789abcdef`, 'content-type': 'text/csv' },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
}

const surveyOf = async (shop: Shop) => (await shop.api('GET', '/v1/surveys')).json().data[0].id as string;

describe('list sends', () => {
  // Mailing 9,750 invitations is most of this file's time: a wider SMTP pool than the default 5 shortens it.
  test.override('shopOptions', {
    env: { EMAIL_RATE_PER_SECOND: '5000', WORKER_CONCURRENCY: '64', SMTP_POOL_SIZE: '12' },
  });

  test('10,000 rows, 50 bad and 200 opted out: the counts add up, bad rows are named by line, every invitation is mailed once, progress moves', {
    timeout: 600_000,
  }, async ({ shop, smtp }) => {
    const prefix = uniquePrefix('c');
    const bad = new Map<number, string>();
    const kinds = ['no id', 'invalid email', 'unknown time zone'];
    for (let k = 0; k < 50; k++) bad.set(100 + k * 197, kinds[k % 3] as string);
    const workspaceId: string = (await shop.api('GET', '/v1/workspace')).json().id;
    // 200 contacts who opted out before the send (by the unsubscribe link, say), none of them on a bad line.
    const optedOut = Array.from({ length: 260 }, (_, k) => 5 + k * 37)
      .filter((i) => !bad.has(i + 2))
      .slice(0, 200);
    expect(optedOut).toHaveLength(200);
    await shop.system.ctx.database.db.insert(schema.contacts).values(
      optedOut.map((i) => ({
        workspaceId,
        externalId: `${prefix}-${i}`,
        email: `${prefix}-${i}@example.com`,
        optedOutAt: new Date(),
        optedOutVia: 'link',
      })),
    );

    const surveyId = await surveyOf(shop);
    const created = await postCsv(
      shop,
      contactsCsv(prefix, 10_000, bad),
      `surveyId=${surveyId}&channel=email`,
    );
    expect(created.progress).toMatchObject({ read: 10_000, bad: 50 });

    // Watch it move: several distinct planned counts between the start and the end.
    const seen = new Set<number>();
    const done = await waitFor(
      async () => {
        const s: SendBody = (await shop.api('GET', `/v1/sends/${created.id}`)).json();
        seen.add(s.progress.planned);
        return s.state === 'done' ? s : null;
      },
      { timeoutMs: 180_000, intervalMs: 100 },
    );
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(done.progress).toMatchObject({
      read: 10_000,
      planned: 10_000,
      bad: 50,
      invited: 9_750,
      skipped: 200,
      skippedByReason: { opted_out: 200 },
    });
    const p = done.progress;
    expect(p.invited + p.skipped + p.bad).toBe(p.read);
    // Each bad row by its line, with its reason.
    expect(done.firstBad[0]).toEqual({ line: 100, contactId: null, reason: 'no id' });
    expect(done.firstBad[1]).toMatchObject({ line: 297, reason: 'invalid email: not-an-address' });
    const badRows: { line: number; reason: string }[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { data: { line: number; reason: string }[]; next: string | null } = (
        await shop.api(
          'GET',
          `/v1/sends/${created.id}/rows?outcome=bad&limit=20${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json();
      badRows.push(...page.data);
      cursor = page.next;
    }
    expect(badRows.map((r) => r.line)).toEqual([...bad.keys()]);
    for (const r of badRows) expect(r.reason).toContain(bad.get(r.line));
    // The list counts the bad rows but lists none (an empty list would read as "none bad").
    const listed = (await shop.api('GET', '/v1/sends'))
      .json()
      .data.find((s: { id: string }) => s.id === created.id);
    expect(listed.progress.bad).toBe(50);
    expect(listed).not.toHaveProperty('firstBad');

    // Every invited contact gets one email; no opted-out contact gets any.
    // Mailing them is the slow part on a shared machine (tens per second): generous bounds.
    await waitFor(() => smtp.messages.length >= 9_750, { timeoutMs: 1_200_000, intervalMs: 1000 });
    const recipients = smtp.messages.flatMap((m) => m.to);
    expect(new Set(recipients).size).toBe(9_750);
    expect(recipients).toHaveLength(9_750);
    for (const i of optedOut) expect(recipients).not.toContain(`${prefix}-${i}@example.com`);
    await waitFor(
      async () => (await shop.api('GET', `/v1/sends/${created.id}`)).json().progress.sent === 9_750,
      { timeoutMs: 60_000 },
    );
  });

  test('a dry run counts what a send would do and sends nothing', { timeout: 120_000 }, async ({
    shop,
    smtp,
  }) => {
    const prefix = uniquePrefix('d');
    const surveyId = await surveyOf(shop);
    const csv = contactsCsv(prefix, 300, new Map([[10, 'invalid email']]));
    const created = await postCsv(shop, csv, `surveyId=${surveyId}&channel=sms&channel=email&dryRun=true`);
    const done: SendBody = await waitFor(
      async () => {
        const s = (await shop.api('GET', `/v1/sends/${created.id}`)).json();
        return s.state === 'done' ? s : null;
      },
      { timeoutMs: 60_000 },
    );
    expect(done.progress).toMatchObject({ read: 300, planned: 300, invited: 299, bad: 1, sent: 0 });
    const { sql: q } = shop.system.ctx.database;
    expect(await q`select count(*)::int as n from invitations where send_id = ${created.id}`).toEqual([
      { n: 0 },
    ]);
    expect(await q`select count(*)::int as n from contacts where external_id like ${`${prefix}-%`}`).toEqual([
      { n: 0 },
    ]);
    expect(smtp.messages).toHaveLength(0);
  });

  test("a CSV column beyond the contact is the answer's property: metrics break down by it and the responses list shows it", {
    timeout: 120_000,
  }, async ({ shop, smtp }) => {
    const prefix = uniquePrefix('r');
    const surveyId = await surveyOf(shop);
    const csv = `id,email,plan,store\n${prefix}-1,${prefix}-1@example.com,gold,Warsaw\n${prefix}-2,${prefix}-2@example.com,basic,Warsaw\n`;
    await postCsv(shop, csv, `surveyId=${surveyId}&channel=email`);
    for (const [who, score] of [
      ['1', 10],
      ['2', 3],
    ] as const) {
      const mail = await smtp.waitFor((m) => m.to.includes(`${prefix}-${who}@example.com`), 60_000);
      const path = /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(mail.html ?? '')?.[1] ?? '';
      expect(path).not.toBe('');
      const answered = await shop.system.app.inject({
        method: 'POST',
        url: path,
        payload: { score },
        headers: { accept: 'application/json' },
      });
      expect(answered.statusCode, answered.body).toBe(201);
    }
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const groups = await waitFor(async () => {
      const g = (
        await shop.api(
          'GET',
          `/v1/metrics?surveyId=${surveyId}&from=${from}&to=${to}&groupBy=properties.plan`,
        )
      ).json().groups as { key: string; n: number }[];
      return g?.reduce((n, x) => n + x.n, 0) === 2 ? g : null;
    });
    expect(groups.map((g) => [g.key, g.n]).sort()).toEqual([
      ['basic', 1],
      ['gold', 1],
    ]);
    const listed = (await shop.api('GET', '/v1/responses')).json().data as {
      score: number;
      properties: Record<string, unknown>;
    }[];
    expect(listed.map((r) => [r.score, r.properties]).sort()).toEqual([
      [10, { plan: 'gold', store: 'Warsaw' }],
      [3, { plan: 'basic', store: 'Warsaw' }],
    ]);
  });

  test('a bad request names its field: no survey, no channel, no id column', async ({ shop }) => {
    const surveyId = await surveyOf(shop);
    const post = (query: string, csv: string) =>
      shop.system.app.inject({
        method: 'POST',
        url: `/v1/sends?${query}`,
        payload: csv,
        headers: {
          authorization: `Bearer sf_live_system_test_key_0123456789abcdef`,
          'content-type': 'text/csv',
        },
      });
    const noChannel = await post(`surveyId=${surveyId}`, 'id\nx\n');
    expect(noChannel.statusCode).toBe(400);
    expect(noChannel.json().error.details[0].field).toBe('channel');
    const noId = await post(`surveyId=${surveyId}&channel=email`, 'email\na@example.com\n');
    expect(noId.statusCode).toBe(400);
    expect(noId.json().error.details[0]).toMatchObject({ field: 'file' });
    const unknownSurvey = await post(
      'surveyId=00000000-0000-4000-8000-000000000000&channel=email',
      'id\nx\n',
    );
    expect(unknownSurvey.json().error.details[0].field).toBe('surveyId');
    expect((await shop.api('GET', '/v1/sends')).json().data).toHaveLength(0);
  });

  test('pause stops at the next chunk and resume finishes it, each row invited once; cancel leaves the rest unplanned', {
    timeout: 400_000,
  }, async ({ shop }) => {
    const surveyId = await surveyOf(shop);
    const sends = shop.system.ctx.queues.queue('sends');
    const idle = () => waitFor(async () => (await sends.getActiveCount()) === 0, { timeoutMs: 60_000 });

    const first = await postCsv(
      shop,
      contactsCsv(uniquePrefix('p'), 10_000),
      `surveyId=${surveyId}&channel=email&at=2030-01-01T10:00:00Z`,
    );
    const paused = await shop.api('POST', `/v1/sends/${first.id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    await idle();
    const stopped: SendBody = (await shop.api('GET', `/v1/sends/${first.id}`)).json();
    expect(stopped.state).toBe('paused');
    expect(stopped.progress.planned).toBeLessThan(10_000);
    expect((await shop.api('POST', `/v1/sends/${first.id}/pause`)).statusCode).toBe(409);

    expect((await shop.api('POST', `/v1/sends/${first.id}/resume`)).statusCode).toBe(200);
    const finished: SendBody = await waitFor(
      async () => {
        const s = (await shop.api('GET', `/v1/sends/${first.id}`)).json();
        return s.state === 'done' ? s : null;
      },
      { timeoutMs: 180_000 },
    );
    expect(finished.progress).toMatchObject({ planned: 10_000, invited: 10_000 });
    const counts = await shop.system.ctx.database.sql`
      select count(*)::int as n, count(distinct contact_id)::int as contacts from invitations where send_id = ${first.id}`;
    expect(counts).toEqual([{ n: 10_000, contacts: 10_000 }]);

    const second = await postCsv(
      shop,
      contactsCsv(uniquePrefix('x'), 10_000),
      `surveyId=${surveyId}&channel=email&at=2030-01-01T10:00:00Z`,
    );
    expect((await shop.api('POST', `/v1/sends/${second.id}/cancel`)).statusCode).toBe(200);
    await idle();
    const cancelled: SendBody = (await shop.api('GET', `/v1/sends/${second.id}`)).json();
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.progress.planned).toBeLessThan(10_000);
    expect((await shop.api('POST', `/v1/sends/${second.id}/resume`)).statusCode).toBe(409);
  });
});

describe('a worker killed mid-send', () => {
  test('a worker SIGKILLed mid-send is replaced and the send finishes from the first unplanned line, no row invited twice', {
    timeout: 300_000,
  }, async ({ db, redisUrl }) => {
    const prefix = uniquePrefix('q');
    const config = testConfig({ databaseUrl: db.url, redisUrl, queuePrefix: prefix });
    const ctx = openContext(config);
    const seeded = await seedWorkspace(ctx.database);
    const rows = 20_000;
    const send = await createSend(
      ctx.database,
      seeded.workspaceId,
      {
        surveyId: seeded.survey.id,
        channels: ['email'],
        sendAt: new Date('2030-01-01T10:00:00Z'),
        dryRun: false,
      },
      Readable.from([contactsCsv(uniquePrefix('k'), rows)]),
    );
    await ctx.queues.add('send.plan', { sendId: send.id });
    const env = async () => ({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SECRET_KEY: TEST_SECRET,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      // The dead worker's job is handed on once its lock expires: 5 s here rather than the default 30 s.
      JOB_LOCK_MS: '5000',
    });
    const progress = async () => {
      const [row] = await ctx.database.sql<{ planned: number; invited: number; state: string }[]>`
        select planned, invited, state from sends where id = ${send.id}`;
      return row;
    };
    const firstEnv = await env();
    const first = new ServiceProcess('worker', 'worker-1', () => firstEnv);
    first.start();
    try {
      await waitFor(async () => ((await progress())?.planned ?? 0) > 0, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      await first.kill9();
    } finally {
      if (first.running) await first.kill9();
    }
    const atKill = (await progress())?.planned ?? 0;
    expect(atKill).toBeLessThan(rows);

    const secondEnv = await env();
    const second = new ServiceProcess('worker', 'worker-2', () => secondEnv);
    second.start();
    try {
      // BullMQ hands the dead worker's job on once its lock has expired (JOB_LOCK_MS).
      const done = await waitFor(async () => ((await progress())?.state === 'done' ? progress() : null), {
        timeoutMs: 120_000,
        intervalMs: 500,
      });
      expect(done).toMatchObject({ planned: rows, invited: rows });
    } finally {
      await second.stop();
    }
    const counts = await ctx.database.sql`
      select count(*)::int as invitations, count(distinct contact_id)::int as contacts,
        (select count(*)::int from send_rows where send_id = ${send.id} and outcome = 'invited'
           and invitation_id is not null) as rows
      from invitations where send_id = ${send.id}`;
    expect(counts).toEqual([{ invitations: rows, contacts: rows, rows }]);
    await closeContext(ctx);
  });

  test('a worker SIGKILLed while planning events is replaced, and every event is planned exactly once', {
    timeout: 300_000,
  }, async ({ db, redisUrl }) => {
    const prefix = uniquePrefix('q');
    const ctx = openContext(testConfig({ databaseUrl: db.url, redisUrl, queuePrefix: prefix }));
    const seeded = await seedWorkspace(ctx.database);
    const n = 6000;
    // Enqueued as the dispatcher does: one events.plan job per ingest statement of 1,000.
    const chunks: JobPayload<'events.plan'>[] = [];
    for (let i = 0; i < n; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) =>
        anEvent(`ev-${i + k}`, { contact: { id: `p-${i + k}`, email: `p${i + k}@example.com` } }),
      );
      const planJob = randomUUID();
      chunks.push(
        ...planChunkJob(planJob, await ingestEvents(ctx.database, seeded.workspaceId, batch, planJob)),
      );
    }
    await ctx.queues.addMany('events.plan', chunks);
    const env = async () => ({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SECRET_KEY: TEST_SECRET,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      // The dead worker's job is handed on once its lock expires: 5 s here rather than the default 30 s.
      JOB_LOCK_MS: '5000',
    });
    const planned = async () =>
      (
        await ctx.database.sql<
          { n: number }[]
        >`select count(*)::int as n from events where planned_at is not null`
      )[0]?.n ?? 0;
    const firstEnv = await env();
    const first = new ServiceProcess('worker', 'planner-1', () => firstEnv);
    first.start();
    try {
      await waitFor(async () => (await planned()) > 0, { timeoutMs: 60_000, intervalMs: 20 });
    } finally {
      await first.kill9();
    }
    expect(await planned()).toBeLessThan(n);
    const secondEnv = await env();
    const second = new ServiceProcess('worker', 'planner-2', () => secondEnv);
    second.start();
    try {
      await waitFor(async () => (await planned()) === n, { timeoutMs: 200_000, intervalMs: 500 });
    } finally {
      await second.stop();
    }
    const counts = await ctx.database.sql`
      select (select count(*)::int from event_decisions) as decisions,
        (select count(distinct event_id)::int from event_decisions) as events,
        (select count(*)::int from invitations) as invitations`;
    expect(counts).toEqual([{ decisions: n, events: n, invitations: n }]);
    await closeContext(ctx);
  });
});
