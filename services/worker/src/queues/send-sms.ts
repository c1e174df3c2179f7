// Queue "send.sms": survey invitations by text, each sent at most once, paced per sender by the queue's limiter.
import {
  type AppContext,
  claimInvitationForSend,
  invitationSms,
  jobs,
  optOutContact,
  type PermanentDeliveryError,
  pickLocale,
  renderQuestion,
  type SmsChannel,
  settleInvitation,
} from '@surveyflow/core';
import { type Job, UnrecoverableError } from 'bullmq';
import { deliver } from './deliver.ts';

export function sendSmsProcessor(ctx: AppContext, sms: SmsChannel) {
  return async (job: Job) => {
    if (job.name !== 'sms.send') throw new UnrecoverableError(`unknown job ${job.name} on send.sms`);
    const { invitationId } = jobs['sms.send'].payload.parse(job.data);
    const claimed = await claimInvitationForSend(ctx.database, invitationId, ctx.clock.now(), {
      tokenTtlDays: ctx.config.TOKEN_TTL_DAYS,
      secret: ctx.config.SECRET_KEY,
    });
    if (!claimed) return { sent: false };
    const { contact, survey, workspace, token } = claimed;
    const to = contact.phone;
    if (!to) {
      await settleInvitation(ctx.database, invitationId, {
        failed: 'no_address: the contact has no phone number',
      });
      return { sent: false };
    }
    const locale = pickLocale(contact.locale);
    const { body } = invitationSms({
      locale,
      kind: survey.kind,
      question: renderQuestion(survey.question, locale, workspace.name),
      workspaceName: workspace.name,
      surveyUrl: `${ctx.config.PUBLIC_URL}/s/${token}`,
    });
    await deliver(
      ctx,
      job,
      () => sms.send({ to, body, statusCallbackUrl: `${ctx.config.PUBLIC_URL}/sms/status` }),
      // SMS gets no reminders: a second unprompted text is the pestering we promise not to do.
      (outcome) => settleInvitation(ctx.database, invitationId, outcome),
      (err) => optOutIfRecipientStopped(ctx, err, contact.id),
    );
    return { sent: true };
  };
}

/** Twilio 21610: the recipient sent STOP to our number at some point; honour it as our own opt-out. */
async function optOutIfRecipientStopped(ctx: AppContext, err: PermanentDeliveryError, contactId: string) {
  if (err.kind === 'recipient_opted_out') await optOutContact(ctx.database, contactId, ctx.clock.now());
}
