// The weekly digest: which workspaces are due (Monday 08:00 in their time zone), what the week said, and one email per opted-in member — claimed once per workspace and week.
import { and, asc, eq, gte, isNotNull, lt, lte, ne, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { SurveyKind } from '../domain/kinds.ts';
import { type Histogram, segmentOf, summarize } from '../domain/scoring.ts';
import { compareScores } from '../domain/statistics/compare.ts';
import { drivers } from '../domain/statistics/drivers.ts';
import { commentThemes } from '../domain/statistics/themes.ts';
import { type DigestData, type DigestSurvey, digestEmail } from '../domain/templates/digest.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import { enqueueNotifications, type NotificationToSend } from '../store/outbox.ts';
import {
  cases,
  contacts,
  digests,
  memberships,
  responses,
  surveys,
  users,
  workspaces,
} from '../store/schema.ts';

/** The digest goes out from this local hour on Monday (for the week that ended at Sunday midnight). */
export const DIGEST_HOUR = 8;
const TREND_WEEKS = 8;

/** The local week a digest covers: the Monday before this week's, when it is at least Monday 08:00 there. */
export function digestWeek(
  now: Date,
  timezone: string,
): { week: string; start: DateTime; end: DateTime } | null {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const thisMonday = local.startOf('week');
  if (local < thisMonday.set({ hour: DIGEST_HOUR })) return null;
  const start = thisMonday.minus({ weeks: 1 });
  return { week: start.toISODate() ?? '', start, end: thisMonday };
}

/** Workspaces whose digest for last week is due and not yet claimed, with that week. */
export async function dueDigests(
  { db }: Database,
  now: Date,
): Promise<{ workspaceId: string; week: string }[]> {
  const rows = await db.select({ id: workspaces.id, timezone: workspaces.timezone }).from(workspaces);
  const due = rows.flatMap((w) => {
    const week = digestWeek(now, w.timezone);
    return week ? [{ workspaceId: w.id, week: week.week }] : [];
  });
  if (due.length === 0) return [];
  const sent = await db
    .select({ workspaceId: digests.workspaceId, week: digests.week })
    .from(digests)
    .where(
      sql`(${digests.workspaceId}, ${digests.week}) in (${sql.join(
        due.map((d) => sql`(${d.workspaceId}::uuid, ${d.week})`),
        sql`, `,
      )})`,
    );
  const done = new Set(sent.map((s) => `${s.workspaceId}:${s.week}`));
  return due.filter((d) => !done.has(`${d.workspaceId}:${d.week}`));
}

/** A member turns the weekly digest on or off for one workspace (the team page calls this). */
export async function setDigestOptIn({ db }: Database, workspaceId: string, userId: string, on: boolean) {
  const [row] = await db
    .update(memberships)
    .set({ digest: on })
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .returning({ digest: memberships.digest });
  if (!row) throw AppError.notFound(`Membership of user ${userId}`);
  return row;
}

const histogramOf = (scores: number[]): Map<number, number> => {
  const h = new Map<number, number>();
  for (const s of scores) h.set(s, (h.get(s) ?? 0) + 1);
  return h;
};

type Answer = {
  surveyId: string;
  score: number;
  comment: string | null;
  channel: string;
  properties: Record<string, unknown>;
  locale: string | null;
  id: string;
};

/** Event properties worth comparing: scalar values with 2–20 distinct values among the answers (store, product, agent), and the channel. */
export function driverGroups(answers: readonly Pick<Answer, 'score' | 'channel' | 'properties'>[]) {
  const byKey = new Map<string, Map<string, number[]>>();
  const put = (key: string, value: string, score: number) => {
    const values = byKey.get(key) ?? new Map<string, number[]>();
    byKey.set(key, values);
    values.set(value, [...(values.get(value) ?? []), score]);
  };
  for (const a of answers) {
    put('channel', a.channel, a.score);
    for (const [k, v] of Object.entries(a.properties)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        put(`properties.${k}`, String(v), a.score);
    }
  }
  return [...byKey.entries()]
    .filter(([, values]) => values.size >= 2 && values.size <= 20)
    .map(([property, values]) => ({
      property,
      groups: [...values.entries()].map(([value, scores]) => ({
        value,
        histogram: histogramOf(scores) as Histogram,
      })),
    }));
}

/** What one survey's week said: score, change and its test, trend, drivers, themes. */
export function surveyWeek(
  survey: { id: string; name: string; kind: SurveyKind },
  weeks: { label: string; answers: Answer[] }[],
): DigestSurvey {
  const current = weeks.at(-1)?.answers ?? [];
  const previous = weeks.at(-2)?.answers ?? [];
  const h = (a: Answer[]) => histogramOf(a.map((x) => x.score));
  const sCurrent = summarize(survey.kind, h(current));
  const sPrevious = summarize(survey.kind, h(previous));
  const found = driverGroups(current).flatMap(({ property, groups }) =>
    drivers(survey.kind, groups).map((d) => ({ property, ...d })),
  );
  const comments = (a: Answer[]) =>
    a
      .filter((x) => x.comment)
      .map((x) => ({
        id: x.id,
        text: x.comment ?? '',
        segment: segmentOf(survey.kind, x.score),
        locale: x.locale,
      }));
  const themes = commentThemes(comments(current), comments(previous), { limit: 5 }).themes;
  return {
    id: survey.id,
    name: survey.name,
    kind: survey.kind,
    current: { n: sCurrent.n, score: sCurrent.score, ci: sCurrent.ci },
    previous: { n: sPrevious.n, score: sPrevious.score, ci: sPrevious.ci },
    change: compareScores(survey.kind, h(current), h(previous)),
    trend: weeks.map((w) => {
      const s = summarize(survey.kind, h(w.answers));
      return { label: w.label, score: s.score, low: s.ci?.low ?? null, high: s.ci?.high ?? null };
    }),
    drivers: found
      .filter((d) => d.significant && d.gap !== null)
      .sort((a, b) => Math.abs(b.impact ?? 0) - Math.abs(a.impact ?? 0))
      .slice(0, 3)
      .map((d) => ({
        property: d.property,
        value: String(d.value),
        n: d.n,
        score: d.score,
        gap: d.gap ?? 0,
        significant: d.significant,
      })),
    themes: themes.map((t) => ({
      term: t.term,
      mentions: t.mentions,
      detractorShare: t.detractorShare,
      rising: t.rising,
    })),
  };
}

/** The digest's content for a workspace and week (local Monday `start` to `end`), read from Postgres. */
export async function buildDigest(
  tx: Tx,
  workspaceId: string,
  week: { start: DateTime; end: DateTime },
  now: Date,
  consoleUrl: string,
): Promise<DigestData> {
  const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!workspace) throw AppError.notFound(`Workspace ${workspaceId}`);
  const starts = Array.from({ length: TREND_WEEKS }, (_, i) =>
    week.start.minus({ weeks: TREND_WEEKS - 1 - i }),
  );
  const from = starts[0] ?? week.start;
  const all = await tx
    .select({
      id: responses.id,
      surveyId: responses.surveyId,
      score: responses.score,
      comment: responses.comment,
      channel: responses.channel,
      properties: responses.properties,
      locale: contacts.locale,
      createdAt: responses.createdAt,
    })
    .from(responses)
    .leftJoin(contacts, eq(contacts.id, responses.contactId))
    .where(
      and(
        eq(responses.workspaceId, workspaceId),
        gte(responses.createdAt, from.toJSDate()),
        lt(responses.createdAt, week.end.toJSDate()),
      ),
    );
  const list = await tx
    .select({ id: surveys.id, name: surveys.name, kind: surveys.kind })
    .from(surveys)
    .where(eq(surveys.workspaceId, workspaceId))
    .orderBy(asc(surveys.createdAt));
  const weekOf = (at: Date) => {
    const t = DateTime.fromJSDate(at);
    let index = -1;
    starts.forEach((s, i) => {
      if (t >= s) index = i;
    });
    return index;
  };
  const sections = list
    .map((survey) => {
      const weeks = starts.map((s) => ({ label: s.toFormat('d LLL'), answers: [] as Answer[] }));
      for (const a of all) {
        if (a.surveyId !== survey.id) continue;
        weeks[weekOf(a.createdAt)]?.answers.push(a);
      }
      return { survey, weeks };
    })
    // A survey silent for the whole trend has nothing to report.
    .filter(({ weeks }) => weeks.some((w) => w.answers.length > 0))
    .map(({ survey, weeks }) => surveyWeek(survey, weeks));
  const overdueWhere = and(
    eq(cases.workspaceId, workspaceId),
    ne(cases.status, 'resolved'),
    lte(cases.dueAt, now),
  );
  const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(cases).where(overdueWhere);
  const oldest = await tx
    .select({ surveyName: surveys.name, score: responses.score, owner: cases.owner, dueAt: cases.dueAt })
    .from(cases)
    .innerJoin(surveys, eq(surveys.id, cases.surveyId))
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .where(overdueWhere)
    .orderBy(asc(cases.dueAt))
    .limit(5);
  return {
    workspaceName: workspace.name,
    week: { from: week.start.toISODate() ?? '', to: week.end.minus({ days: 1 }).toISODate() ?? '' },
    surveys: sections,
    overdue: { count: count?.n ?? 0, oldest },
    consoleUrl,
  };
}

/**
 * Sends a workspace's digest for a week, once: the digests row is the claim, in the same transaction
 * as the emails it writes to the outbox, so racing workers (or a replayed job) write nothing twice.
 * Returns the notifications to enqueue (none when the week was already claimed or is not due).
 */
export async function sendDigest(
  { db }: Database,
  workspaceId: string,
  now: Date,
  opts: { publicUrl: string },
): Promise<NotificationToSend[]> {
  return db.transaction(async (tx) => {
    const [workspace] = await tx
      .select({ timezone: workspaces.timezone })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    const week = workspace ? digestWeek(now, workspace.timezone) : null;
    if (!week) return [];
    const members = await tx
      .select({ email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(
        and(eq(memberships.workspaceId, workspaceId), eq(memberships.digest, true), isNotNull(users.email)),
      );
    const [claimed] = await tx
      .insert(digests)
      .values({ workspaceId, week: week.week, recipients: members.length, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!claimed || members.length === 0) return [];
    const data = await buildDigest(tx, workspaceId, week, now, `${opts.publicUrl}/app`);
    const mail = await digestEmail(data);
    return enqueueNotifications(
      tx,
      members.map((m) => ({
        workspaceId,
        kind: 'digest',
        channel: 'email' as const,
        recipient: m.email,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: mail.attachments,
        dedupeKey: `digest:${workspaceId}:${week.week}:${m.email}`,
      })),
    );
  });
}
