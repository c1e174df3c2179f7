// What happens after an answer: the survey's actions for the answer's segment, each done once, as rows in one transaction.
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { actionsFor, type SurveyAction } from '../domain/actions.ts';
import { customerAddress } from '../domain/addresses.ts';
import { personalize } from '../domain/personalize.ts';
import { type Segment, segmentOf } from '../domain/scoring.ts';
import {
  alertEmail,
  customerMessageEmail,
  noticeEmail,
  type RenderedEmail,
} from '../domain/templates/emails.ts';
import { type Locale, localized, pickLocale, uiText } from '../domain/templates/locales.ts';
import { unsealToken } from '../domain/tokens.ts';
import type { Database, Tx } from '../store/client.ts';
import {
  enqueueNotification,
  enqueueNotifications,
  type NewNotification,
  type NotificationToSend,
} from '../store/outbox.ts';
import { contacts, events, invitations, locations, responses, surveys, workspaces } from '../store/schema.ts';
import { openCase, rerouteCase } from './cases.ts';
import { referralFor } from './referrals.ts';
import { emitWebhookEvent } from './webhooks.ts';

/** Stands for the contact's unsubscribe link in a stored message until the sender fills it in. */
const UNSUBSCRIBE_LINK = 'https://surveyflow.invalid/unsubscribe-link';

/**
 * The message as sent: the unsubscribe link placeholder replaced by the real link, from the
 * invitation's sealed token (or, if that is gone, the headers dropped and the link sent home).
 */
export async function fillUnsubscribeLink(
  { db }: Database,
  message: {
    html: string;
    text: string;
    headers: Record<string, string> | null;
    invitationId: string | null;
  },
  opts: FollowUpOptions,
): Promise<{ html: string; text: string; headers: Record<string, string> }> {
  const [row] = message.invitationId
    ? await db
        .select({ sealed: invitations.tokenSealed })
        .from(invitations)
        .where(eq(invitations.id, message.invitationId))
    : [];
  const url = row?.sealed ? `${opts.publicUrl}/u/${unsealToken(row.sealed, opts.secret)}` : null;
  const withLink = (s: string) => s.replaceAll(UNSUBSCRIBE_LINK, url ?? opts.publicUrl);
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {})
      .filter(([name]) => url !== null || !name.startsWith('List-Unsubscribe'))
      .map(([name, value]) => [name, withLink(value)]),
  );
  return { html: withLink(message.html), text: withLink(message.text), headers };
}

/**
 * A customer's reply reaches the team (Reply-To: the workspace's alert address), and one click
 * unsubscribes (RFC 8058), as on the invitation the message follows.
 */
function customerHeaders(row: Routed, unsubscribeUrl: string | undefined): Record<string, string> {
  return {
    ...(row.workspace.alertEmail ? { 'Reply-To': row.workspace.alertEmail } : {}),
    ...(unsubscribeUrl
      ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {}),
  };
}

/**
 * A text from a customer who has already answered (a reply to "what would make it a 10?", a late
 * thought): it goes to the team's alert address rather than being lost. Null without one.
 */
export async function forwardCustomerReply(
  { db }: Database,
  reply: {
    workspace: typeof workspaces.$inferSelect;
    contact: typeof contacts.$inferSelect;
    /** Twilio's id of the text: a webhook Twilio retries forwards it once. */
    messageSid: string;
    text: string;
    receivedAt: Date;
  },
): Promise<NotificationToSend | null> {
  const to = reply.workspace.alertEmail;
  if (!to) return null;
  const who = reply.contact.name ?? reply.contact.phone ?? reply.contact.externalId;
  const mail = noticeEmail({
    title: `Reply by text from ${who}`,
    facts: [
      ['Message', reply.text],
      ['Customer', `${reply.contact.name ?? ''} (id ${reply.contact.externalId})`.trim()],
      ['Phone', reply.contact.phone],
      ['Received', reply.receivedAt.toISOString()],
    ],
    advice: 'The customer answered our message after their survey. Reply to them directly.',
    workspaceName: reply.workspace.name,
  });
  return enqueueNotification(db, {
    workspaceId: reply.workspace.id,
    kind: 'customer_reply',
    channel: 'email',
    recipient: to,
    ...mail,
    dedupeKey: `reply:${reply.messageSid}`,
  });
}

type Routed = {
  response: typeof responses.$inferSelect;
  survey: typeof surveys.$inferSelect;
  workspace: typeof workspaces.$inferSelect;
  contact: typeof contacts.$inferSelect | null;
  eventType: string | null;
  eventId: string | null;
  locationName: string | null;
};

export type FollowUpOptions = { publicUrl: string; secret: string };

/**
 * Routes one response: runs its survey's actions for its segment. Each version of an answer is routed
 * once (routed_at is the compare-and-set, under the row lock), and every artifact has a unique key
 * (the response, the segment, the action's place), so a replayed job creates nothing. An answer
 * edited after its follow-up is routed again: response.updated always, the actions only when the
 * segment changed, and a case it had records the change.
 */
export async function followUpResponse(
  { db }: Database,
  responseId: string,
  now: Date,
  opts: FollowUpOptions,
): Promise<NotificationToSend[]> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        response: responses,
        survey: surveys,
        workspace: workspaces,
        contact: contacts,
        eventType: events.type,
        eventId: events.externalId,
        locationName: locations.name,
      })
      .from(responses)
      .innerJoin(surveys, eq(surveys.id, responses.surveyId))
      .innerJoin(workspaces, eq(workspaces.id, responses.workspaceId))
      .leftJoin(contacts, eq(contacts.id, responses.contactId))
      .leftJoin(events, eq(events.id, responses.eventId))
      .leftJoin(locations, eq(locations.id, responses.locationId))
      .where(eq(responses.id, responseId))
      .for('update', { of: responses });
    if (!row) return [];
    const { response, survey } = row;
    if (response.routedAt?.getTime() === response.updatedAt.getTime()) return [];
    const segment = segmentOf(survey.kind, response.score);
    const previous = response.routedSegment as Segment | null;
    await tx
      .update(responses)
      .set({
        followedUpAt: response.followedUpAt ?? now,
        routedAt: response.updatedAt,
        routedSegment: segment,
      })
      .where(eq(responses.id, responseId));
    await emitWebhookEvent(
      tx,
      response.workspaceId,
      response.followedUpAt ? 'response.updated' : 'response.created',
      { response: responseView(row, segment), previousSegment: previous },
      now,
    );
    if (previous === segment) return [];
    const applicable = actionsFor(survey.actions, segment);
    if (previous) {
      const keepsCase = applicable.some((a) => a.action.type === 'case');
      await rerouteCase(
        tx,
        responseId,
        { from: previous, to: segment, score: response.score, keepsCase },
        now,
      );
    }
    const out: NotificationToSend[] = [];
    for (const { index, action } of applicable) {
      out.push(
        ...(await runAction(tx, row, segment, action, `${responseId}:${segment}:${index}`, now, opts)),
      );
    }
    return out;
  });
}

function responseView(row: Routed, segment: Segment) {
  const { response, contact } = row;
  return {
    id: response.id,
    surveyId: response.surveyId,
    kind: row.survey.kind,
    score: response.score,
    segment,
    comment: response.comment,
    channel: response.channel,
    eventId: row.eventId,
    location: row.locationName,
    contact: contact
      ? { id: contact.externalId, email: contact.email, phone: contact.phone, name: contact.name }
      : null,
    properties: response.properties,
    createdAt: response.createdAt,
    updatedAt: response.updatedAt,
  };
}

async function runAction(
  tx: Tx,
  row: Routed,
  segment: Segment,
  action: SurveyAction,
  key: string,
  now: Date,
  opts: FollowUpOptions,
): Promise<NotificationToSend[]> {
  const { response, workspace } = row;
  switch (action.type) {
    case 'alert':
      return alert(tx, row, segment, action, key);
    case 'case':
      await openCase(
        tx,
        {
          workspaceId: workspace.id,
          responseId: response.id,
          surveyId: response.surveyId,
          contactId: response.contactId,
          slaHours: action.slaHours,
          owner: action.owner ?? null,
          escalateTo: action.escalateTo ?? null,
          detail: { score: response.score, segment, comment: response.comment },
        },
        now,
      );
      return [];
    case 'message':
      return messageCustomer(tx, row, action, key, {
        kind: 'message',
        body: action.body,
        subject: action.subject,
      });
    case 'review':
      return messageCustomer(tx, row, action, key, {
        kind: 'review',
        body: action.body,
        link: { url: action.url, button: 'reviewButton', defaultBody: 'reviewBody' },
      });
    case 'referral': {
      // Without a page to send friends to there is nothing to refer to.
      if (!workspace.referralUrl || !row.contact) return [];
      const code = await referralFor(
        tx,
        { workspaceId: workspace.id, responseId: response.id, contactId: response.contactId },
        now,
      );
      return messageCustomer(tx, row, action, `${response.id}:referral`, {
        kind: 'referral',
        body: action.body,
        link: { url: `${opts.publicUrl}/r/${code}`, button: 'referralButton', defaultBody: 'referralBody' },
      });
    }
  }
}

/** The team hears about the answer: by email (the action's list, or the workspace's alert address) and on Slack. */
async function alert(
  tx: Tx,
  row: Routed,
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
  const recipients =
    action.emails.length > 0 ? action.emails : workspace.alertEmail ? [workspace.alertEmail] : [];
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
    const text = `*${mail.subject}*\n${who} answered ${response.score} on "${survey.name}"${
      response.comment ? `: “${response.comment}”` : ' (no comment yet)'
    }`;
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

const personalFacts = (row: Routed) => ({
  name: row.contact?.name ?? null,
  company: row.workspace.name,
  score: row.response.score,
});

async function messageCustomer(
  tx: Tx,
  row: Routed,
  action: { channel: 'auto' | 'email' | 'sms' },
  key: string,
  content: {
    kind: 'message' | 'review' | 'referral';
    body: Record<string, string> | undefined;
    subject?: Record<string, string> | undefined;
    link?: {
      url: string;
      button: 'reviewButton' | 'referralButton';
      defaultBody: 'reviewBody' | 'referralBody';
    };
  },
): Promise<NotificationToSend[]> {
  const address = customerAddress(row.contact, row.response.channel, action.channel);
  if (!address) return [];
  const locale: Locale = pickLocale(row.contact?.locale);
  const { link } = content;
  let template = content.body
    ? localized(content.body, locale)
    : link
      ? uiText(locale, link.defaultBody)
      : '';
  if (link && !template.includes('{link}')) template = `${template} {link}`;
  const text = personalize(template, personalFacts(row), link?.url ?? null);
  const subject = content.subject
    ? personalize(localized(content.subject, locale), personalFacts(row), null)
    : uiText(locale, 'thanksSubject', { company: row.workspace.name });
  // Every email to a customer can be unsubscribed from in one click, like the invitation it follows.
  // The link carries the survey token, which is never stored: the sender puts it in (fillUnsubscribeLink).
  const unsubscribeUrl = row.response.invitationId ? UNSUBSCRIBE_LINK : undefined;
  const rendered: RenderedEmail =
    address.channel === 'email'
      ? customerMessageEmail({
          locale,
          subject,
          body: text,
          workspaceName: row.workspace.name,
          button: link ? { label: uiText(locale, link.button), url: link.url } : undefined,
          unsubscribeUrl,
        })
      : { subject: '', html: '', text };
  return enqueueNotifications(tx, [
    {
      workspaceId: row.workspace.id,
      contactId: row.contact?.id ?? null,
      kind: content.kind,
      channel: address.channel,
      recipient: address.to,
      ...rendered,
      headers: address.channel === 'email' ? customerHeaders(row, unsubscribeUrl) : null,
      invitationId: row.response.invitationId,
      dedupeKey: `${content.kind}:${key}`,
    },
  ]);
}

/** Responses whose follow-up never ran (job lost, or still waiting for a comment past its time). */
export async function unfollowedResponseIds(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: responses.id })
    .from(responses)
    .where(and(isNull(responses.followedUpAt), lt(responses.createdAt, olderThan)))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Answers edited after their follow-up whose re-routing job was lost: each with the version to route. */
export async function unroutedEdits(
  { db }: Database,
  olderThan: Date,
  limit: number,
): Promise<{ responseId: string; version: number }[]> {
  const rows = await db
    .select({ id: responses.id, updatedAt: responses.updatedAt })
    .from(responses)
    .where(
      and(
        isNotNull(responses.followedUpAt),
        sql`${responses.routedAt} is distinct from ${responses.updatedAt}`,
        lt(responses.updatedAt, olderThan),
      ),
    )
    .limit(limit);
  return rows.map((r) => ({ responseId: r.id, version: r.updatedAt.getTime() }));
}
