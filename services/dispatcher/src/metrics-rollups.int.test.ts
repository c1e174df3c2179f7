// The rollups (response_rollups, kept by migration 0025's triggers) against counting the answers, on real Postgres: for
// random answers — inserted, edited and erased — periods, zones and groupings, every read that uses them equals the raw scan.
import { randomUUID } from 'node:crypto';
import {
  type Database,
  groupedScoreHistograms,
  groupedScoreHistogramsRaw,
  promoterMin,
  referralMetrics,
  scoreHistogram,
  updateSurvey,
  zonedScoreCounts,
} from '@surveyflow/core';
import { test as base, seedWorkspace } from '@surveyflow/testkit';
import fc from 'fast-check';
import { describe, expect } from 'vitest';

const test = base;
const DAY = 86_400_000;
/** Answers fall in the 70 days after this instant (a Monday, so weeks and months are cut in many ways). */
const start = Date.parse('2026-03-02T00:00:00Z');
const channels = ['email', 'sms', 'qr', 'widget'] as const;
const zones = [
  'UTC',
  'Europe/Warsaw',
  'Asia/Kolkata',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'America/New_York',
];

const HOUR = 3_600_000;
/** Often near the quarter hours where zoned days start (Kolkata :30, Kathmandu :45, St John's :30), else anywhere. */
const moment = fc.oneof(
  fc.integer({ min: 0, max: 70 * DAY - 1 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 69 }),
      // The UTC hours holding those starts: 18 (Kolkata, Kathmandu), 3 (St John's), 13 (Lord Howe).
      fc.oneof(fc.constantFrom(18, 3, 13), fc.integer({ min: 0, max: 23 })),
      fc.constantFrom(0, 14, 15, 16, 29, 30, 31, 44, 45, 46, 59),
      fc.integer({ min: 0, max: 59_999 }),
    )
    .map(([d, h, m, ms]) => d * DAY + h * HOUR + m * 60_000 + ms),
);
/** Event properties copied onto answers: a store (sometimes missing, a number, or outside ASCII), a nested city. */
const properties = fc.record(
  {
    store: fc.oneof(
      fc.constantFrom('Kraków', 'Warsaw', 'warsaw', 'Zürich', 'Ünye', '😀 Emoji', 'ﬀ'),
      fc.integer(),
    ),
    address: fc.record({ city: fc.constantFrom('Gdańsk', 'Łódź', 'Oslo') }, { requiredKeys: [] }),
    product: fc.constantFrom('Shoes', 'Hats'),
  },
  { requiredKeys: [] },
);
const answer = fc.record({
  at: moment,
  score: fc.integer({ min: 0, max: 10 }),
  channel: fc.constantFrom(...channels),
  properties,
  /** What happens to it after it is recorded: nothing, a new score, or erasure. */
  after: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 10 }), fc.constant('delete' as const)),
  /** Later still, after a property is added to the survey's rollups: its properties forgotten (as erasure and retention do). */
  forget: fc.boolean(),
});
const instant = fc
  .oneof(fc.integer({ min: -5 * DAY, max: 75 * DAY }), moment)
  .map((t) => new Date(start + t));
const ordered = fc
  .tuple(instant, instant)
  .map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a }));
const period: fc.Arbitrary<{ from?: Date; to?: Date }> = fc.oneof(
  ordered,
  ordered,
  ordered,
  fc.record({ from: instant, to: instant }),
  fc.record({ from: instant }),
  fc.record({ to: instant }),
  fc.constant({}),
);

/** A workspace and survey, with a location its answers are given at (an answer at a location needs no invitation). */
async function answeringSurvey(database: Database, code: string) {
  const { workspaceId, survey } = await seedWorkspace(database);
  const [location] = await database.sql<{ id: string }[]>`
    insert into locations (workspace_id, survey_id, name, code)
    values (${workspaceId}, ${survey.id}, 'Shop', ${code}) returning id`;
  return { workspaceId, survey, locationId: location?.id ?? '' };
}

const sorted = (h: Map<number, number>) => [...h].sort(([a], [b]) => a - b);

/** What the overview counted before the rollups: the answers per zoned bucket, channel and score. */
async function rawZonedCounts(
  { sql }: Database,
  workspaceId: string,
  f: { surveyId: string; from: Date; to: Date; granularity: string; timeZone: string },
) {
  return sql<{ key: string; channel: string; score: number; n: number }[]>`
    select to_char(date_trunc(${f.granularity}, created_at at time zone ${f.timeZone}), 'YYYY-MM-DD') as key,
        channel, score, count(*)::int as n
      from responses
      where workspace_id = ${workspaceId} and survey_id = ${f.surveyId}
        and created_at >= ${f.from.toISOString()}::timestamptz and created_at < ${f.to.toISOString()}::timestamptz
      group by 1, 2, 3`;
}

const byKey = (rows: { key: string; channel: string; score: number; n: number }[]) =>
  rows.map((r) => `${r.key} ${r.channel} ${r.score} ${r.n}`).sort();

describe('rollups', () => {
  test('an answer at 00:15 in Kolkata (18:45 UTC) counts for the Kolkata day it was given on, though its UTC hour began the day before', async ({
    db,
  }) => {
    const { sql } = db.database;
    const { workspaceId, survey } = await seedWorkspace(db.database);
    await sql`insert into responses (workspace_id, survey_id, channel, score, created_at, editable_until)
      values (${workspaceId}, ${survey.id}, 'widget', 9, '2026-03-02T18:45:00Z', now()),
             (${workspaceId}, ${survey.id}, 'widget', 3, '2026-03-02T18:15:00Z', now())`;
    const counts = await zonedScoreCounts(db.database, workspaceId, {
      surveyId: survey.id,
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-05T00:00:00Z'),
      granularity: 'day',
      timeZone: 'Asia/Kolkata',
    });
    expect(byKey(counts)).toEqual(['2026-03-02 widget 3 1', '2026-03-03 widget 9 1']);
  });

  test('an answer commits while another to the same survey and hour holds its rollup rows: it adds to second rows, not waiting', async ({
    db,
  }) => {
    const database = db.database;
    const { sql } = database;
    const { workspaceId, survey, locationId } = await answeringSurvey(database, 'rollup-shards');
    await updateSurvey(database, workspaceId, survey.id, { rollupProperties: ['store'] });
    const at = '2026-03-02T10:15:00Z';
    const insert = (tx: typeof sql, score: number) => tx`
      insert into responses (workspace_id, survey_id, location_id, channel, score, properties, created_at, editable_until)
      values (${workspaceId}, ${survey.id}, ${locationId}, 'qr', ${score}, '{"store":"Oslo"}'::jsonb, ${at}, now())`;
    // The hour's rows exist (the first answer of an hour creates them; one created at the same moment waits for it).
    await insert(sql, 5);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const holding = new Promise<void>((r) => {
      locked = r;
    });
    const first = sql.begin(async (tx) => {
      await insert(tx as unknown as typeof sql, 9);
      await tx`set constraints all immediate`; // its rollup triggers run now: it holds its rows until it commits
      locked();
      await held;
    });
    try {
      await holding;
      const second = sql.begin((tx) => insert(tx as unknown as typeof sql, 3));
      const waited = await Promise.race([
        second.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), 5000)),
      ]);
      expect(waited).toBe(false);
    } finally {
      release();
      await first;
    }
    const rows = await sql<{ table: string; shard: number; n3: number; n5: number; n9: number }[]>`
      select 'scores' as table, shard, n3, n5, n9 from response_rollups where survey_id = ${survey.id}
      union all
      select 'store', shard, n3, n5, n9 from response_property_rollups where survey_id = ${survey.id}
      order by 1, 2`;
    expect(rows).toEqual([
      { table: 'scores', shard: 0, n3: 0, n5: 1, n9: 1 },
      { table: 'scores', shard: 1, n3: 1, n5: 0, n9: 0 },
      { table: 'store', shard: 0, n3: 0, n5: 1, n9: 1 },
      { table: 'store', shard: 1, n3: 1, n5: 0, n9: 0 },
    ]);
    // Readers add the rows up: one hour, one store, all three answers.
    expect(sorted(await scoreHistogram(database, workspaceId, { surveyId: survey.id }))).toEqual([
      [3, 1],
      [5, 1],
      [9, 1],
    ]);
    const byStore = await groupedScoreHistograms(database, workspaceId, {
      surveyId: survey.id,
      groupBy: { by: 'property', path: ['store'] },
      maxGroups: 5,
    });
    expect(byStore.groups.map((g) => [g.key, sorted(g.histogram)])).toEqual([
      [
        'Oslo',
        [
          [3, 1],
          [5, 1],
          [9, 1],
        ],
      ],
    ]);
  });

  test('a property added to the rollups while answers keep arriving counts each of them once', async ({
    db,
  }) => {
    const database = db.database;
    const { sql } = database;
    const { workspaceId, survey, locationId } = await answeringSurvey(database, 'rollup-race');
    const writers = 6;
    /** Five properties, each added to the rollups at its own moment while the writers write: five chances to race. */
    const names = ['store', 'city', 'product', 'brand', 'size'];
    let stop = false;
    let written = 0;
    // Each writer records an answer in a transaction that stays open a moment after its insert, as record-answer's does.
    const writing = Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        await sql.begin(async (tx) => {
          const props = Object.fromEntries(names.map((p, k) => [p, `${p} ${(w * 7 + i + k) % 4}`]));
          await tx`insert into responses (workspace_id, survey_id, location_id, channel, score, properties, editable_until)
            values (${workspaceId}, ${survey.id}, ${locationId}, 'qr', ${(w + i) % 11},
              ${JSON.stringify(props)}::jsonb, now())`;
          await tx`select pg_sleep(0.005)`;
        });
        written++;
      }
    });
    const pause = () => new Promise((r) => setTimeout(r, 150));
    for (let k = 1; k <= names.length; k++) {
      await pause();
      await updateSurvey(database, workspaceId, survey.id, { rollupProperties: names.slice(0, k) });
    }
    await pause();
    stop = true;
    await Promise.all(writing);
    expect(written).toBeGreaterThan(100);
    // The rollup rows themselves, against counting the answers.
    const counts = (rows: { property: string; value: string; n: number }[]) =>
      rows.map((r) => `${r.property} ${r.value} ${r.n}`);
    expect(
      counts(
        await sql<{ property: string; value: string; n: number }[]>`
        select property, value, sum(n0 + n1 + n2 + n3 + n4 + n5 + n6 + n7 + n8 + n9 + n10)::int as n
          from response_property_rollups where survey_id = ${survey.id} group by 1, 2 order by 1, 2`,
      ),
    ).toEqual(
      counts(
        await sql<{ property: string; value: string; n: number }[]>`
        select p as property, properties ->> p as value, count(*)::int as n
          from responses, unnest(${`{${names.join(',')}}`}::text[]) as p
          where survey_id = ${survey.id} group by 1, 2 order by 1, 2`,
      ),
    );
  });

  test('every rolled-up read equals counting the answers, for random answers, edits, erasures, periods, zones and groupings', async ({
    db,
  }) => {
    const database = db.database;
    const { sql } = database;
    const { workspaceId, survey, locationId } = await answeringSurvey(database, 'rollup-test');
    await fc.assert(
      fc.asyncProperty(
        fc.array(answer, { minLength: 30, maxLength: 150, size: 'max' }),
        fc.array(fc.record({ period, zone: fc.constantFrom(...zones) }), { minLength: 3, maxLength: 3 }),
        fc.constantFrom('day', 'week', 'month' as const),
        async (answers, questions, granularity) => {
          await sql`delete from responses where survey_id = ${survey.id}`;
          // store is rolled up as the answers arrive; address.city is added once they are there (recounted).
          await updateSurvey(database, workspaceId, survey.id, { rollupProperties: ['store'] });
          // Recorded in one statement (the triggers run at its commit), then edited and erased in one transaction.
          const ids = answers.map(() => randomUUID());
          const rows = answers.map((a, i) => ({
            id: ids[i],
            workspace_id: workspaceId,
            survey_id: survey.id,
            location_id: locationId,
            channel: a.channel,
            score: a.score,
            properties: JSON.stringify(a.properties),
            created_at: new Date(start + a.at).toISOString(),
            editable_until: new Date().toISOString(),
          }));
          if (rows.length) await sql`insert into responses ${sql(rows)}`;
          const edits = answers.flatMap((a, i) =>
            typeof a.after === 'number' ? [[ids[i], a.after] as const] : [],
          );
          const erased = ids.filter((_, i) => answers[i]?.after === 'delete');
          await sql.begin(async (tx) => {
            await tx`update responses set score = e.score
              from unnest(${`{${edits.map(([id]) => id).join(',')}}`}::uuid[], ${`{${edits.map(([, s]) => s).join(',')}}`}::int[]) as e(id, score)
              where responses.id = e.id`;
            await tx`delete from responses where id = any(${`{${erased.join(',')}}`}::uuid[])`;
          });
          await updateSurvey(database, workspaceId, survey.id, {
            rollupProperties: ['store', 'address.city'],
          });
          const forgotten = ids.filter((_, i) => answers[i]?.forget);
          await sql`update responses set properties = '{}'::jsonb where id = any(${`{${forgotten.join(',')}}`}::uuid[])`;
          for (const { period: p, zone } of questions) {
            const f = { surveyId: survey.id, ...p };
            const [whole] = (
              await groupedScoreHistogramsRaw(database, workspaceId, {
                ...f,
                groupBy: { by: 'channel' },
                maxGroups: 100,
              })
            ).groups.reduce(
              (all, g) => {
                for (const [s, n] of g.histogram) all[0].set(s, (all[0].get(s) ?? 0) + n);
                return all;
              },
              [new Map<number, number>()],
            );
            expect(sorted(await scoreHistogram(database, workspaceId, f))).toEqual(sorted(whole));
            const groupings = [
              ...(['day', 'week', 'month', 'channel'] as const).map((by) => ({ by })),
              ...['store', 'address.city', 'product'].map((p) => ({
                by: 'property' as const,
                path: p.split('.'),
              })),
            ];
            for (const groupBy of groupings) {
              const q = { ...f, groupBy, maxGroups: groupBy.by === 'property' ? 5 : 40 };
              const rolled = await groupedScoreHistograms(database, workspaceId, q);
              const counted = await groupedScoreHistogramsRaw(database, workspaceId, q);
              expect(rolled.hasMore).toBe(counted.hasMore);
              expect(rolled.groups.map((g) => [g.key, sorted(g.histogram)])).toEqual(
                counted.groups.map((g) => [g.key, sorted(g.histogram)]),
              );
            }
            if (p.from && p.to && p.from < p.to) {
              const z = { ...f, from: p.from, to: p.to, granularity, timeZone: zone };
              expect(byKey(await zonedScoreCounts(database, workspaceId, z))).toEqual(
                byKey(await rawZonedCounts(database, workspaceId, z)),
              );
              const promoters = await sql<{ period: string; n: number }[]>`
                select to_char(date_trunc(${granularity}, created_at at time zone 'UTC'), 'YYYY-MM-DD') as period, count(*)::int as n
                  from responses where survey_id = ${survey.id} and score >= ${promoterMin(survey.kind)}
                    and created_at >= ${p.from.toISOString()}::timestamptz and created_at < ${p.to.toISOString()}::timestamptz
                  group by 1 order by 1`;
              const funnel = await referralMetrics(database, workspaceId, {
                from: p.from,
                to: p.to,
                period: granularity,
              });
              expect(funnel.map((r) => [r.period, r.promoters])).toEqual(
                promoters.map((r) => [r.period, r.n]),
              );
            }
          }
        },
      ),
      { numRuns: 12 },
    );
    // Erasing the survey takes its rollups with it, and deleting its answers in the same transaction is no error.
    await sql.begin(async (tx) => {
      await tx`delete from responses where survey_id = ${survey.id}`;
      await tx`delete from surveys where id = ${survey.id}`;
    });
    const [left] = await sql<
      { n: number }[]
    >`select count(*)::int as n from response_rollups where survey_id = ${survey.id}`;
    expect(left?.n).toBe(0);
  }, 120_000);
});
