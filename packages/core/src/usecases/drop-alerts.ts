// The daily drop check: a survey's score (or one event property value's) that fell significantly against the 7 days before alerts the team — at most once per survey per week.
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { SurveyKind } from '../domain/kinds.ts';
import type { Histogram } from '../domain/scoring.ts';
import { compareScores, type ScoreChange } from '../domain/statistics/compare.ts';
import { benjaminiHochberg } from '../domain/statistics/multiple.ts';
import { changeLine } from '../domain/templates/digest.ts';
import { noticeEmail } from '../domain/templates/emails.ts';
import type { Database } from '../store/client.ts';
import { enqueueNotifications, type NewNotification, type NotificationToSend } from '../store/outbox.ts';
import { dropAlerts, dropChecks, responses, surveys, workspaces } from '../store/schema.ts';
import { driverGroups } from './digest.ts';

/** The check runs once a day from this local hour. */
export const DROP_CHECK_HOUR = 7;
/** Fewer answers than this in either period and no drop is claimed: a p-value from a handful is not worth waking anyone. */
export const DROP_MIN_ANSWERS = 10;

export type Drop = {
  /** null for the survey's own score; else the event property and value that fell. */
  property: string | null;
  value: string | null;
  change: ScoreChange;
  n: { current: number; previous: number };
};

const histogramOf = (scores: number[]) => {
  const h = new Map<number, number>();
  for (const s of scores) h.set(s, (h.get(s) ?? 0) + 1);
  return h;
};
const total = (h: Histogram) =>
  [...(h instanceof Map ? h.values() : Object.values(h))].reduce((a, b) => a + b, 0);

/**
 * What fell significantly between two periods: the survey's score (p < 0.05), and driver values
 * (each value's score now against its own score before, Benjamini–Hochberg across all values), only
 * drops, only with DROP_MIN_ANSWERS on both sides. Pure.
 */
export function findDrops(
  kind: SurveyKind,
  current: readonly { score: number; channel: string; properties: Record<string, unknown> }[],
  previous: readonly { score: number; channel: string; properties: Record<string, unknown> }[],
): Drop[] {
  const enough = (a: Histogram, b: Histogram) => total(a) >= DROP_MIN_ANSWERS && total(b) >= DROP_MIN_ANSWERS;
  const out: Drop[] = [];
  const now = histogramOf(current.map((a) => a.score));
  const before = histogramOf(previous.map((a) => a.score));
  const overall = compareScores(kind, now, before);
  if (enough(now, before) && overall.significant && (overall.change ?? 0) < 0)
    out.push({
      property: null,
      value: null,
      change: overall,
      n: { current: total(now), previous: total(before) },
    });
  const earlier = new Map(
    driverGroups(previous).flatMap(({ property, groups }) =>
      groups.map((g) => [`${property}\u0000${g.value}`, g.histogram] as const),
    ),
  );
  const candidates = driverGroups(current).flatMap(({ property, groups }) =>
    groups.flatMap((g) => {
      const prior = earlier.get(`${property}\u0000${g.value}`);
      if (!prior || !enough(g.histogram, prior)) return [];
      const change = compareScores(kind, g.histogram, prior);
      return [
        {
          property,
          value: String(g.value),
          change,
          n: { current: total(g.histogram), previous: total(prior) },
        },
      ];
    }),
  );
  const { rejected } = benjaminiHochberg(candidates.map((c) => c.change.p));
  candidates.forEach((c, i) => {
    if (rejected[i] && (c.change.change ?? 0) < 0) out.push(c);
  });
  return out;
}

/** The local day the check covers and the week it counts against, when it is at least DROP_CHECK_HOUR there. */
export function dropCheckDay(now: Date, timezone: string) {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (local.hour < DROP_CHECK_HOUR) return null;
  const end = local.startOf('day');
  return { day: end.toISODate() ?? '', week: local.startOf('week').toISODate() ?? '', end };
}

/** Workspaces whose daily drop check is due (local hour reached, today not yet checked). */
export async function dueDropChecks(
  { db }: Database,
  now: Date,
): Promise<{ workspaceId: string; day: string }[]> {
  const rows = await db.select({ id: workspaces.id, timezone: workspaces.timezone }).from(workspaces);
  const due = rows.flatMap((w) => {
    const d = dropCheckDay(now, w.timezone);
    return d ? [{ workspaceId: w.id, day: d.day }] : [];
  });
  if (due.length === 0) return [];
  const done = await db
    .select({ workspaceId: dropChecks.workspaceId, day: dropChecks.day })
    .from(dropChecks)
    .where(
      sql`(${dropChecks.workspaceId}, ${dropChecks.day}) in (${sql.join(
        due.map((d) => sql`(${d.workspaceId}::uuid, ${d.day})`),
        sql`, `,
      )})`,
    );
  const seen = new Set(done.map((d) => `${d.workspaceId}:${d.day}`));
  return due.filter((d) => !seen.has(`${d.workspaceId}:${d.day}`));
}

/**
 * Runs a workspace's check for today, once (the drop_checks row is the claim): the last 7 local days
 * against the 7 before, per survey. A survey with drops gets one alert (a drop_alerts row per survey and
 * week proves it), to its alert actions' addresses (or the workspace's alert address) and Slack.
 */
export async function checkDrops(
  { db }: Database,
  workspaceId: string,
  now: Date,
): Promise<NotificationToSend[]> {
  return db.transaction(async (tx) => {
    const [workspace] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    const when = workspace ? dropCheckDay(now, workspace.timezone) : null;
    if (!workspace || !when) return [];
    const [claimed] = await tx
      .insert(dropChecks)
      .values({ workspaceId, day: when.day, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!claimed) return [];
    const split = when.end.minus({ days: 7 });
    const from = when.end.minus({ days: 14 });
    const answers = await tx
      .select({
        surveyId: responses.surveyId,
        score: responses.score,
        channel: responses.channel,
        properties: responses.properties,
        createdAt: responses.createdAt,
      })
      .from(responses)
      .where(
        and(
          eq(responses.workspaceId, workspaceId),
          gte(responses.createdAt, from.toJSDate()),
          lt(responses.createdAt, when.end.toJSDate()),
        ),
      );
    const list = await tx.select().from(surveys).where(eq(surveys.workspaceId, workspaceId));
    const out: NotificationToSend[] = [];
    for (const survey of list) {
      const mine = answers.filter((a) => a.surveyId === survey.id);
      const current = mine.filter((a) => a.createdAt >= split.toJSDate());
      const previous = mine.filter((a) => a.createdAt < split.toJSDate());
      const drops = findDrops(survey.kind, current, previous);
      if (drops.length === 0) continue;
      const detail = {
        period: { from: split.toISODate(), to: when.end.minus({ days: 1 }).toISODate() },
        drops: drops.map((d) => ({ property: d.property, value: d.value, ...d.change, n: d.n })),
      };
      const [proof] = await tx
        .insert(dropAlerts)
        .values({ surveyId: survey.id, workspaceId, week: when.week, detail, createdAt: now })
        .onConflictDoNothing()
        .returning();
      if (!proof) continue;
      const alerts = survey.actions.flatMap((a) => (a.type === 'alert' ? [a] : []));
      const emails = new Set(
        alerts.length
          ? alerts.flatMap((a) =>
              a.emails.length ? a.emails : workspace.alertEmail ? [workspace.alertEmail] : [],
            )
          : workspace.alertEmail
            ? [workspace.alertEmail]
            : [],
      );
      const what = (d: Drop) => (d.property ? `${d.property} = ${d.value}` : 'the survey as a whole');
      const mail = noticeEmail({
        title: `Score drop: ${survey.name}`,
        facts: [
          ['Period', `${detail.period.from} – ${detail.period.to}, against the 7 days before`],
          ...drops.map((d): [string, string] => [
            what(d),
            `${changeLine(survey.kind, d.change)}; n = ${d.n.current} vs ${d.n.previous}`,
          ]),
        ],
        advice:
          'The fall is larger than chance would explain (two-sided p < 0.05; property values corrected for how many were compared). Read this week’s detractor comments and cases for the cause.',
        workspaceName: workspace.name,
      });
      const rows: NewNotification[] = [...emails].map((recipient) => ({
        workspaceId,
        kind: 'drop_alert',
        channel: 'email',
        recipient,
        ...mail,
        dedupeKey: `drop:${survey.id}:${when.week}:${recipient}`,
      }));
      for (const url of new Set(alerts.flatMap((a) => (a.slackWebhookUrl ? [a.slackWebhookUrl] : [])))) {
        rows.push({
          workspaceId,
          kind: 'drop_alert',
          channel: 'slack',
          recipient: url,
          subject: mail.subject,
          html: '',
          text: `*${mail.subject}*\n${drops.map((d) => `${what(d)}: ${changeLine(survey.kind, d.change)}`).join('\n')}`,
          dedupeKey: `drop-slack:${survey.id}:${when.week}:${url}`,
        });
      }
      out.push(...(await enqueueNotifications(tx, rows)));
    }
    return out;
  });
}
