// The alert action: the team hears about an answer, by email and on Slack, composed here and written to the outbox.
import { and, eq, inArray } from 'drizzle-orm';
import type { Role } from '../domain/access.ts';
import type { SurveyAction } from '../domain/actions.ts';
import type { Segment } from '../domain/scoring.ts';
import { alertEmail } from '../domain/templates/emails.ts';
import type { Tx } from '../store/client.ts';
import { enqueueNotifications, type NewNotification, type NotificationToSend } from '../store/outbox.ts';
import { memberships, users } from '../store/schema.ts';
import type { RoutedResponse } from './follow-up.ts';

/** The members of the workspace with one of these roles, by address (none asked for: none). */
async function memberEmails(tx: Tx, workspaceId: string, wanted: readonly Role[]): Promise<string[]> {
  if (wanted.length === 0) return [];
  const rows = await tx
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), inArray(memberships.role, [...wanted])))
    .orderBy(users.email);
  return rows.map((r) => r.email);
}

/** The Slack message of an alert (Slack's mrkdwn: the subject in bold, then who said what). */
export function slackAlertText(a: {
  subject: string;
  who: string;
  score: number;
  surveyName: string;
  comment: string | null;
}): string {
  return `*${a.subject}*\n${a.who} answered ${a.score} on "${a.surveyName}"${
    a.comment ? `: “${a.comment}”` : ' (no comment yet)'
  }`;
}

/**
 * The team hears about the answer: by email (the action's addresses and the members with its roles,
 * else the workspace's alert address) and on Slack.
 */
export async function alertTeam(
  tx: Tx,
  row: RoutedResponse,
  segment: Segment,
  action: Extract<SurveyAction, { type: 'alert' }>,
  key: string,
): Promise<NotificationToSend[]> {
  const { response, workspace, survey } = row;
  const mail = alertEmail({
    workspaceName: workspace.name,
    surveyName: survey.name,
    kind: survey.kind,
    score: response.score,
    segment,
    comment: response.comment,
    contact: row.contact ?? {
      externalId: `Anonymous, at ${row.locationName ?? 'a location'}`,
      name: null,
      email: null,
      phone: null,
    },
    eventType: row.eventType,
    properties: response.properties,
    answeredAt: response.createdAt,
  });
  const members = await memberEmails(tx, workspace.id, action.roles ?? []);
  const chosen = [...new Set([...action.emails.map((e) => e.toLowerCase()), ...members])];
  const recipients = chosen.length > 0 ? chosen : workspace.alertEmail ? [workspace.alertEmail] : [];
  const rows: NewNotification[] = recipients.map((recipient) => ({
    workspaceId: workspace.id,
    kind: 'alert',
    channel: 'email',
    recipient,
    ...mail,
    dedupeKey: `alert:${key}:${recipient}`,
  }));
  if (action.slackWebhookUrl) {
    const who = row.contact?.name ?? row.contact?.externalId ?? 'An anonymous customer';
    const text = slackAlertText({
      subject: mail.subject,
      who,
      score: response.score,
      surveyName: survey.name,
      comment: response.comment,
    });
    rows.push({
      workspaceId: workspace.id,
      kind: 'alert',
      channel: 'slack',
      recipient: action.slackWebhookUrl,
      subject: mail.subject,
      html: '',
      text,
      dedupeKey: `slack:${key}`,
    });
  }
  return enqueueNotifications(tx, rows);
}
