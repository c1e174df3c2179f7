// Data retention on the whole system: three workspaces (6 months, 12 months, forever), data of 14 months, 9 months
// and yesterday; the daily job on the job registry takes exactly the old identifying data, metrics do not move, and
// a second run changes nothing.
import {
  applyWorkspaceRetention,
  type Database,
  findSurveyLink,
  queueNames,
  recordResponse,
} from '@surveyflow/core';
import { anEvent, seedWorkspace, sentInvitation } from '@surveyflow/testkit';
import { describe, expect, vi } from 'vitest';
import { type Shop, test } from './testing.ts';

const DAY = 86_400_000;
const ages = { old: 14 * 30 * DAY, mid: 9 * 30 * DAY, new: DAY } as const;
type Age = keyof typeof ages;

/**
 * One customer's story: event → invitation sent → answer with words → its follow-up (alert, and a case for a
 * detractor). The trigger waits a day, so the running worker's due scanner leaves the invitation to the factory.
 */
async function story(shop: Shop, database: Database, workspaceId: string, who: string, score: number) {
  const { invitationId, token } = await sentInvitation(
    database,
    workspaceId,
    anEvent(`order-${who}`, {
      contact: { id: who, email: `${who}@example.com`, name: who, locale: 'en' },
      properties: { orderId: `order-${who}`, store: 'Warsaw' },
    }),
  );
  const link = await findSurveyLink(database, token);
  if (!link) throw new Error('no link');
  const outcome = await recordResponse(
    database,
    link,
    {
      score,
      comment: `${who} says the parcel was late`,
      answers: { speed: 4, why: `ask ${who}@example.com` },
    },
    new Date(),
    30,
  );
  await shop.system.ctx.queues.add('response.followup', { responseId: outcome.response.id });
  return { invitationId, responseId: outcome.response.id };
}

/** Moves one customer's rows back in time, as if it all happened `ms` ago (token expiry included). */
async function backdate(database: Database, s: { invitationId: string; responseId: string }, ms: number) {
  const at = new Date(Date.now() - ms).toISOString();
  const { sql } = database;
  await sql`update events set received_at = ${at}, occurred_at = ${at}
    where id = (select event_id from invitations where id = ${s.invitationId})`;
  await sql`update event_decisions set created_at = ${at}
    where event_id = (select event_id from invitations where id = ${s.invitationId})`;
  await sql`update invitations set created_at = ${at}, send_at = ${at}, sent_at = ${at},
    token_expires_at = ${at}::timestamptz + interval '30 days' where id = ${s.invitationId}`;
  await sql`update responses set created_at = ${at} where id = ${s.responseId}`;
  await sql`update cases set created_at = ${at} where response_id = ${s.responseId}`;
  await sql`update notifications set created_at = ${at} where dedupe_key like ${`%${s.responseId}%`}`;
}

/** Everything a workspace holds in the tables retention touches, as comparable JSON. */
async function snapshot(database: Database, workspaceId: string) {
  const { sql } = database;
  const table = (name: string) =>
    sql.unsafe(
      `select coalesce(json_agg(t order by t.id), '[]') as rows from ${name} t where workspace_id = $1`,
      [workspaceId],
    );
  const out: Record<string, unknown> = {};
  for (const name of ['events', 'event_decisions', 'invitations', 'responses', 'notifications', 'cases']) {
    out[name] = (await table(name))[0]?.rows;
  }
  out.case_events = (
    await sql`select coalesce(json_agg(e order by e.id), '[]') as rows from case_events e
      join cases c on c.id = e.case_id where c.workspace_id = ${workspaceId}`
  )[0]?.rows;
  return out;
}

describe('data retention', () => {
  test('the daily job drops old events and messages, keeps anonymous scores, and a second run is a no-op', async ({
    shop,
  }) => {
    const { ctx } = shop.system;
    const database = ctx.database;
    const months = { six: 6, twelve: 12, forever: null } as const;
    const spaces = {} as Record<keyof typeof months, Awaited<ReturnType<typeof seedWorkspace>>>;
    for (const name of Object.keys(months) as (keyof typeof months)[]) {
      spaces[name] = await seedWorkspace(database, { delay: 'P1D' });
    }
    const api = (key: string, method: 'GET' | 'PATCH', url: string, payload?: object) =>
      shop.system.app.inject({
        method,
        url,
        ...(payload ? { payload } : {}),
        headers: { authorization: `Bearer ${key}` },
      });

    // A bad setting is a 400 naming the field; null (forever) and 1–120 are taken.
    for (const retentionMonths of [0, 121, 1.5, '6']) {
      const bad = await api(spaces.six.apiKey, 'PATCH', '/v1/workspace', { retentionMonths });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(['retentionMonths']);
    }
    for (const [name, m] of Object.entries(months)) {
      const set = await api(spaces[name as keyof typeof months].apiKey, 'PATCH', '/v1/workspace', {
        retentionMonths: m,
      });
      expect(set.statusCode).toBe(200);
      expect(set.json().retentionMonths).toBe(m);
    }

    // Each workspace: a detractor and a promoter at each age.
    const stories: Record<string, { age: Age; score: number; invitationId: string; responseId: string }[]> =
      {};
    for (const [name, ws] of Object.entries(spaces)) {
      stories[name] = [];
      for (const age of Object.keys(ages) as Age[]) {
        for (const score of [2, 10]) {
          const s = await story(shop, database, ws.workspaceId, `${name}-${age}-${score}`, score);
          stories[name]?.push({ age, score, ...s });
        }
      }
    }
    // The worker follows every answer up and sends its alert through the SMTP sink before the clock is turned back.
    await vi.waitFor(
      async () => {
        const [row] = await database.sql<{ open: number }[]>`
          select (select count(*) from responses where followed_up_at is null)
               + (select count(*) from notifications where status in ('pending', 'sending')) as open`;
        expect(Number(row?.open)).toBe(0);
      },
      { timeout: 20_000, interval: 100 },
    );
    for (const list of Object.values(stories)) for (const s of list) await backdate(database, s, ages[s.age]);

    const metricsOf = async (name: keyof typeof months) => {
      const ws = spaces[name];
      const q = `surveyId=${ws.survey.id}&from=2020-01-01T00:00:00Z`;
      const out = [];
      for (const url of [
        `/v1/metrics?${q}`,
        `/v1/metrics?${q}&groupBy=month`,
        `/v1/metrics?${q}&groupBy=channel`,
      ]) {
        const res = await api(ws.apiKey, 'GET', url);
        expect(res.statusCode).toBe(200);
        out.push(res.json());
      }
      return out;
    };
    const metricsBefore = { six: await metricsOf('six'), twelve: await metricsOf('twelve') };
    expect(metricsBefore.six[0].n).toBe(6);
    const foreverBefore = await snapshot(database, spaces.forever.workspaceId);

    const queue = ctx.queues.queue(queueNames.followups);
    const run = async (id: string) => {
      await queue.add('data.retention', {}, { jobId: id });
      return vi.waitFor(
        async () => {
          const job = await queue.getJob(id);
          expect(await job?.isCompleted()).toBe(true);
          return job?.returnvalue as { workspaces: number; removed: Record<string, number> };
        },
        { timeout: 20_000, interval: 100 },
      );
    };
    const first = await run('retention-first');
    expect(first.workspaces).toBe(2);
    // six: old + mid (2 ages × 2 answers), twelve: old (2 answers).
    expect(first.removed).toMatchObject({
      responses: 6,
      invitations: 6,
      events: 6,
      cases: 3,
      // Only detractors' answers alert the team.
      notifications: 3,
    });

    const { sql } = database;
    for (const [name, list] of Object.entries(stories)) {
      const horizon = name === 'six' ? ages.mid : name === 'twelve' ? ages.old : Number.POSITIVE_INFINITY;
      for (const s of list) {
        const past = ages[s.age] >= horizon;
        const [r] = await sql<
          {
            contact_id: string | null;
            comment: string | null;
            properties: object;
            answers: object;
            score: number;
          }[]
        >`select contact_id, comment, properties, answers, score from responses where id = ${s.responseId}`;
        const [inv] = await sql<
          { token_hash: string | null; provider_message_id: string | null; event_id: string | null }[]
        >`
          select token_hash, provider_message_id, event_id from invitations where id = ${s.invitationId}`;
        const [note] = await sql<{ n: number }[]>`
          select count(*)::int as n from notifications where dedupe_key like ${`%${s.responseId}%`}`;
        const [kase] = await sql<{ contact_id: string | null }[]>`
          select contact_id from cases where response_id = ${s.responseId}`;
        // The anonymous score always stays.
        expect(r?.score).toBeTypeOf('number');
        if (past) {
          expect(r).toMatchObject({ contact_id: null, comment: null, properties: {}, answers: { speed: 4 } });
          expect(inv).toEqual({ token_hash: null, provider_message_id: null, event_id: null });
          expect(note?.n).toBe(0);
          if (kase) expect(kase.contact_id).toBeNull();
        } else {
          expect(r?.contact_id).not.toBeNull();
          expect(r?.comment).toContain('late');
          expect(r?.answers).toEqual({ speed: 4, why: expect.stringContaining('@example.com') });
          expect(inv?.token_hash).not.toBeNull();
          expect(inv?.event_id).not.toBeNull();
          expect(note?.n).toBe(s.score <= 6 ? 1 : 0);
        }
      }
    }
    // The case of an old detractor is still there, without what people wrote in it.
    const [caseRow] = await sql<{ n: number }[]>`
      select count(*)::int as n from cases where workspace_id = ${spaces.six.workspaceId}`;
    expect(caseRow?.n).toBe(3);

    // Metrics did not move; the workspace that keeps everything is untouched.
    expect({ six: await metricsOf('six'), twelve: await metricsOf('twelve') }).toEqual(metricsBefore);
    expect(await snapshot(database, spaces.forever.workspaceId)).toEqual(foreverBefore);

    // The run is audited per workspace with what went, and counted per table.
    const audit = await sql<
      { workspace_id: string; detail: { months: number; removed: { responses: number } } }[]
    >`
      select workspace_id, detail from audit_log where action = 'data.retention' order by created_at`;
    expect(audit.map((a) => [a.workspace_id, a.detail.months, a.detail.removed.responses]).sort()).toEqual(
      [
        [spaces.six.workspaceId, 6, 4],
        [spaces.twelve.workspaceId, 12, 2],
      ].sort(),
    );
    const exposed = await ctx.metrics.registry.getSingleMetricAsString('surveyflow_retention_rows_total');
    expect(exposed).toContain('surveyflow_retention_rows_total{table="responses"} 6');

    // Twice is once.
    const after = {
      six: await snapshot(database, spaces.six.workspaceId),
      twelve: await snapshot(database, spaces.twelve.workspaceId),
    };
    const second = await run('retention-second');
    expect(Object.values(second.removed).every((n) => n === 0)).toBe(true);
    expect({
      six: await snapshot(database, spaces.six.workspaceId),
      twelve: await snapshot(database, spaces.twelve.workspaceId),
    }).toEqual(after);
  });

  test('in small batches, two workers at once split the work and together take each row once', async ({
    shop,
  }) => {
    const database = shop.system.ctx.database;
    const ws = await seedWorkspace(database, { delay: 'P1D' });
    const old: { invitationId: string; responseId: string }[] = [];
    for (let i = 0; i < 7; i++)
      old.push(await story(shop, database, ws.workspaceId, `batch-${i}`, i % 2 ? 2 : 9));
    await vi.waitFor(
      async () => {
        const [row] = await database.sql<{ open: number }[]>`
          select (select count(*) from responses where followed_up_at is null)
               + (select count(*) from notifications where status in ('pending', 'sending')) as open`;
        expect(Number(row?.open)).toBe(0);
      },
      { timeout: 20_000, interval: 100 },
    );
    for (const s of old) await backdate(database, s, ages.old);
    const now = new Date();
    // Batches of 2 over 7 rows: four batches per table, the two runs interleaving under SKIP LOCKED.
    const runs = await Promise.all([
      applyWorkspaceRetention(database, ws.workspaceId, 12, now, 2),
      applyWorkspaceRetention(database, ws.workspaceId, 12, now, 2),
    ]);
    const sum = (k: keyof (typeof runs)[0]) => runs.reduce((n, r) => n + r[k], 0);
    expect([sum('responses'), sum('invitations'), sum('events'), sum('eventDecisions')]).toEqual([
      7, 7, 7, 7,
    ]);
    const [left] = await database.sql<{ named: number; events: number; tokens: number }[]>`
      select (select count(*)::int from responses where workspace_id = ${ws.workspaceId} and contact_id is not null) as named,
             (select count(*)::int from events where workspace_id = ${ws.workspaceId}) as events,
             (select count(*)::int from invitations where workspace_id = ${ws.workspaceId} and token_hash is not null) as tokens`;
    expect(left).toEqual({ named: 0, events: 0, tokens: 0 });
  });
});
