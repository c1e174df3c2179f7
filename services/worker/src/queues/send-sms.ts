// Queue "send.sms": survey invitations by text, each sent at most once, paced per sender by the queue's limiter.
import {
  type AppContext,
  claimNotification,
  handOverNotification,
  invitationSms,
  optOutContact,
  type PermanentDeliveryError,
  pickLocale,
  renderQuestion,
  type SmsChannel,
  type SmsMessage,
  settleNotification,
} from '@surveyflow/core';
import type { Job } from 'bullmq';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import { deliver } from './deliver.ts';
import { type InvitationChannel, sendInvitation } from './invitation-delivery.ts';

export function sendSmsJobs(ctx: AppContext, sms: SmsChannel): QueueJobs<'send.sms'> {
  const channel = smsInvitations(ctx, sms);
  return {
    'sms.send': defineJob('sms.send', ({ invitationId }, job, token) =>
      sendInvitation(ctx, channel, invitationId, job, token),
    ),
    'notification.sms': defineJob('notification.sms', ({ notificationId }, job, token) =>
      sendNotification(ctx, sms, notificationId, job, token),
    ),
  };
}

/** A message after the answer (thank-you, referral link, "what would make it a 10?"), once. */
async function sendNotification(
  ctx: AppContext,
  sms: SmsChannel,
  notificationId: string,
  job: Job,
  token: string | undefined,
) {
  const claimed = await claimNotification(ctx.database, notificationId, ctx.clock.now());
  if (!claimed?.claimedAt) return { sent: false };
  const claimedAt = claimed.claimedAt;
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverNotification(ctx.database, notificationId, claimedAt, ctx.clock.now()),
    send: (handOver) =>
      sms.send(
        {
          to: claimed.recipient,
          body: claimed.text,
          statusCallbackUrl: `${ctx.config.PUBLIC_URL}/sms/status`,
        },
        handOver,
      ),
    settle: (o) => settleNotification(ctx.database, notificationId, o),
    onPermanent: (err) =>
      claimed.contactId ? optOutIfRecipientStopped(ctx, err, claimed.contactId) : Promise.resolve(),
    since: claimed.createdAt,
  });
  return { sent: sent !== null };
}

/** The survey invitation by text: no reminders (a second unprompted text is the pestering we promise not to do). */
const smsInvitations = (ctx: AppContext, sms: SmsChannel): InvitationChannel<SmsMessage> => ({
  address: ({ contact }) => contact.phone,
  noAddress: 'no_address: the contact has no phone number',
  compose: ({ contact, survey, workspace, token }, to) => {
    const locale = pickLocale(contact.locale);
    const { body } = invitationSms({
      locale,
      kind: survey.kind,
      question: renderQuestion(survey.question, locale, workspace.name),
      workspaceName: workspace.name,
      surveyUrl: `${ctx.config.PUBLIC_URL}/s/${token}`,
    });
    return { to, body, statusCallbackUrl: `${ctx.config.PUBLIC_URL}/sms/status` };
  },
  send: (message, handOver) => sms.send(message, handOver),
  onPermanent: (err, { contact }) => optOutIfRecipientStopped(ctx, err, contact.id),
  reminders: false,
});

/** Twilio 21610: the recipient sent STOP to our number at some point; honour it as our own opt-out. */
async function optOutIfRecipientStopped(ctx: AppContext, err: PermanentDeliveryError, contactId: string) {
  if (err.kind === 'recipient_opted_out')
    await optOutContact(ctx.database, contactId, ctx.clock.now(), 'carrier');
}
