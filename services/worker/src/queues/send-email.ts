// Queue "send.email": invitations and notifications, each sent at most once (claim in Postgres, then send).
import {
  type AppContext,
  claimInvitationForSend,
  claimNotification,
  type EmailChannel,
  invitationEmail,
  jobs,
  PermanentDeliveryError,
  pickLocale,
  renderQuestion,
  type SendOutcome,
  settleInvitation,
  settleNotification,
} from '@surveyflow/core';
import { type Job, UnrecoverableError } from 'bullmq';

export function sendEmailProcessor(ctx: AppContext, email: EmailChannel) {
  return async (job: Job) => {
    switch (job.name) {
      case 'invitation.send':
        return sendInvitation(ctx, email, job);
      case 'notification.send':
        return sendNotification(ctx, email, job);
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on send.email`);
    }
  };
}

async function sendInvitation(ctx: AppContext, email: EmailChannel, job: Job) {
  const { invitationId } = jobs['invitation.send'].payload.parse(job.data);
  const now = ctx.clock.now();
  const claimed = await claimInvitationForSend(ctx.database, invitationId, now, ctx.config.TOKEN_TTL_DAYS);
  if (!claimed) return { sent: false };
  const { contact, survey, workspace, token } = claimed;
  if (!contact.email) {
    await settleInvitation(ctx.database, invitationId, {
      failed: 'no_address: the contact has no email address',
    });
    return { sent: false };
  }
  const locale = pickLocale(contact.locale);
  const mail = invitationEmail({
    locale,
    kind: survey.kind,
    question: renderQuestion(survey.question, locale, workspace.name),
    contactName: contact.name,
    workspaceName: workspace.name,
    surveyUrl: `${ctx.config.PUBLIC_URL}/s/${token}`,
  });
  await deliver(ctx, job, email, { to: contact.email, ...mail }, (outcome) =>
    settleInvitation(ctx.database, invitationId, outcome),
  );
  return { sent: true };
}

async function sendNotification(ctx: AppContext, email: EmailChannel, job: Job) {
  const { notificationId } = jobs['notification.send'].payload.parse(job.data);
  const claimed = await claimNotification(ctx.database, notificationId);
  if (!claimed) return { sent: false };
  await deliver(
    ctx,
    job,
    email,
    { to: claimed.recipient, subject: claimed.subject, html: claimed.html, text: claimed.text },
    (o) => settleNotification(ctx.database, notificationId, o),
  );
  return { sent: true };
}

/**
 * Sends and records the outcome. A permanent refusal fails the row and stops retries; a transient
 * one releases the claim and lets BullMQ retry with backoff, until the last attempt fails the row.
 */
async function deliver(
  ctx: AppContext,
  job: Job,
  email: EmailChannel,
  message: Parameters<EmailChannel['send']>[0],
  settle: (outcome: SendOutcome) => Promise<void>,
) {
  let messageId: string;
  try {
    ({ messageId } = await email.send(message));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof PermanentDeliveryError) {
      await settle({ failed: reason });
      throw new UnrecoverableError(reason);
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await settle(
      lastAttempt ? { failed: `gave up after ${job.attemptsMade + 1} attempts: ${reason}` } : { retry: true },
    );
    throw err;
  }
  await settle({ sent: messageId, at: ctx.clock.now() });
}
