// Queue "send.email": invitations, reminders and email notifications, each sent at most once (claim in Postgres, then send).
import {
  type AppContext,
  brandOf,
  type ClaimedReminder,
  claimInvitationForSend,
  claimNotification,
  claimReminder,
  type EmailChannel,
  fillSignInLink,
  fillUnsubscribeLink,
  handOverInvitation,
  handOverNotification,
  handOverReminder,
  invitationEmail,
  invitationRateLimit,
  markEmailBounced,
  type PermanentDeliveryError,
  pickLocale,
  renderQuestion,
  settleInvitation,
  settleNotification,
  settleReminder,
} from '@surveyflow/core';
import type { Job } from 'bullmq';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import { holdIfOverWorkspaceLimit } from '../rate-limit.ts';
import { deliver } from './deliver.ts';

const DAY_MS = 86_400_000;

export function sendEmailJobs(ctx: AppContext, email: EmailChannel): QueueJobs<'send.email'> {
  return {
    'invitation.send': defineJob('invitation.send', ({ invitationId }, job, token) =>
      sendInvitation(ctx, email, invitationId, job, token),
    ),
    'reminder.send': defineJob('reminder.send', ({ invitationId, reminder }, job, token) =>
      sendReminder(ctx, email, invitationId, reminder, job, token),
    ),
    'notification.send': defineJob('notification.send', ({ notificationId }, job, token) =>
      sendNotification(ctx, email, notificationId, job, token),
    ),
  };
}

async function sendInvitation(
  ctx: AppContext,
  email: EmailChannel,
  invitationId: string,
  job: Job,
  token: string | undefined,
) {
  await holdIfOverWorkspaceLimit(ctx, job, token, await invitationRateLimit(ctx.database, invitationId));
  const now = ctx.clock.now();
  const claimed = await claimInvitationForSend(ctx.database, invitationId, now, {
    tokenTtlDays: ctx.config.TOKEN_TTL_DAYS,
    secret: ctx.config.SECRET_KEY,
  });
  if (!claimed) return { sent: false };
  const { contact, reminders, invitation } = claimed;
  if (!contact.email) {
    await settleInvitation(ctx.database, invitationId, {
      failed: 'no_address: the contact has no email address',
    });
    return { sent: false };
  }
  const to = contact.email;
  const nextReminderAt = reminders ? new Date(now.getTime() + reminders.afterDays * DAY_MS) : null;
  const claimedAt = invitation.claimedAt ?? now;
  const message = { to, ...surveyEmail(ctx, claimed, false) };
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverInvitation(ctx.database, invitationId, claimedAt, ctx.clock.now()),
    send: (handOver) => email.send(message, handOver),
    settle: (outcome) =>
      settleInvitation(
        ctx.database,
        invitationId,
        'sent' in outcome ? { ...outcome, nextReminderAt } : outcome,
      ),
    onPermanent: (err) => suppressOnHardBounce(ctx, err, contact.id),
    since: invitation.queuedAt,
    validUntil: invitation.tokenExpiresAt,
  });
  return { sent: sent !== null };
}

/** A reminder: the same link, sent once per reminder number, never after an answer, an opt-out or expiry. */
async function sendReminder(
  ctx: AppContext,
  email: EmailChannel,
  invitationId: string,
  reminder: number,
  job: Job,
  token: string | undefined,
) {
  await holdIfOverWorkspaceLimit(ctx, job, token, await invitationRateLimit(ctx.database, invitationId));
  const claimed = await claimReminder(
    ctx.database,
    invitationId,
    reminder,
    ctx.clock.now(),
    ctx.config.SECRET_KEY,
  );
  if (!claimed || 'skipped' in claimed) return { sent: false, skipped: claimed?.skipped ?? 'already_sent' };
  const { contact } = claimed;
  const to = contact.email;
  if (!to) {
    await settleReminder(ctx.database, invitationId, reminder, { failed: 'no_address' });
    return { sent: false, skipped: 'no_address' };
  }
  const claimedAt = claimed.invitation.reminderClaimedAt ?? ctx.clock.now();
  const message = { to, ...surveyEmail(ctx, claimed, true) };
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverReminder(ctx.database, invitationId, reminder, claimedAt, ctx.clock.now()),
    send: (handOver) => email.send(message, handOver),
    settle: (outcome) => settleReminder(ctx.database, invitationId, reminder, outcome),
    onPermanent: (err) => suppressOnHardBounce(ctx, err, contact.id),
    validUntil: claimed.invitation.tokenExpiresAt,
  });
  return { sent: sent !== null };
}

/**
 * The survey email with its one-click unsubscribe (RFC 8058): a List-Unsubscribe https URL that
 * mail clients POST to, and the same link in the footer for people. With UNSUBSCRIBE_MAILTO, also a
 * mailto: whose subject carries the token, for clients that only send mail.
 */
function surveyEmail(
  ctx: AppContext,
  { contact, survey, workspace, token }: ClaimedReminder,
  reminder: boolean,
) {
  const locale = pickLocale(contact.locale);
  const unsubscribeUrl = `${ctx.config.PUBLIC_URL}/u/${token}`;
  const mail = invitationEmail({
    locale,
    kind: survey.kind,
    question: renderQuestion(survey.question, locale, workspace.name),
    contactName: contact.name,
    workspaceName: workspace.name,
    surveyUrl: `${ctx.config.PUBLIC_URL}/s/${token}`,
    reminder,
    unsubscribeUrl,
    brand: brandOf(workspace, ctx.config.PUBLIC_URL),
  });
  return {
    ...mail,
    headers: {
      'List-Unsubscribe': [
        `<${unsubscribeUrl}>`,
        ...(ctx.config.UNSUBSCRIBE_MAILTO
          ? [
              `<mailto:${ctx.config.UNSUBSCRIBE_MAILTO}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`,
            ]
          : []),
      ].join(', '),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

async function sendNotification(
  ctx: AppContext,
  email: EmailChannel,
  notificationId: string,
  job: Job,
  token: string | undefined,
) {
  const claimed = await claimNotification(ctx.database, notificationId, ctx.clock.now());
  if (!claimed?.claimedAt) return { sent: false };
  const claimedAt = claimed.claimedAt;
  if (claimed.channel === 'slack') {
    // Enqueued here before Slack had its own queue: release the claim and hand it over.
    await settleNotification(ctx.database, notificationId, { retry: true });
    await ctx.queues.add('notification.slack', { notificationId });
    return { sent: false, handedOver: 'send.slack' };
  }
  const filled = await fillUnsubscribeLink(ctx.database, claimed, {
    publicUrl: ctx.config.PUBLIC_URL,
    secret: ctx.config.SECRET_KEY,
  });
  const message = {
    to: claimed.recipient,
    subject: claimed.subject,
    ...fillSignInLink(filled, claimed.dedupeKey, ctx.config.SECRET_KEY),
    ...(claimed.attachments ? { attachments: claimed.attachments } : {}),
  };
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverNotification(ctx.database, notificationId, claimedAt, ctx.clock.now()),
    send: (handOver) => email.send(message, handOver),
    settle: (o) => settleNotification(ctx.database, notificationId, o),
    since: claimed.createdAt,
  });
  return { sent: sent !== null };
}

/** A hard bounce means the address does not exist: no more mail to it until the contact's address changes. */
async function suppressOnHardBounce(ctx: AppContext, err: PermanentDeliveryError, contactId: string) {
  if (err.kind === 'hard_bounce') await markEmailBounced(ctx.database, contactId, ctx.clock.now());
}
