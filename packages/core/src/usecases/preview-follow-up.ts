// What a survey's actions would send after an answer, per segment, for a sample contact: composed by the very
// functions the follow-up sends with (the alert email, the Slack text, the one customer message). Stores nothing.
import { actionsFor, type SurveyAction, segments } from '../domain/actions.ts';
import { customerAddress } from '../domain/addresses.ts';
import type { SurveyKind } from '../domain/kinds.ts';
import { type Segment, scoreRange, segmentOf } from '../domain/scoring.ts';
import { alertEmail } from '../domain/templates/emails.ts';
import { pickLocale } from '../domain/templates/locales.ts';
import { slackAlertText } from './alert-team.ts';
import { caseAckPart, messagePart, reviewPart } from './follow-up.ts';
import { composeCustomerMessage, type MessagePart } from './message-customer.ts';
import { referralPart } from './offer-referral.ts';

export type SampleContact = {
  externalId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
};

/** One message the follow-up would send: to the team (email, Slack) or to the customer (email, SMS). */
export type MessagePreview = {
  audience: 'team' | 'customer';
  channel: 'email' | 'sms' | 'slack';
  /** Addresses, or a description of them ("members with role admin", "the workspace's alert address"). */
  to: string[];
  subject: string;
  text: string;
  /** What the message carries, in order (alert; message, case_ack, referral, review). */
  kinds: string[];
};

/** An action of the segment that sends nothing as things stand, and why (the referral needs the workspace's page). */
export type UnsentAction = { index: number; type: SurveyAction['type']; reason: 'no_referral_page' };

export type SegmentPreview = {
  segment: Segment;
  score: number;
  messages: MessagePreview[];
  unsent: UnsentAction[];
};

/** A score in the middle of the segment on this scale (NPS detractor: 3, passive: 8, promoter: 10). */
export function sampleScore(kind: SurveyKind, segment: Segment): number {
  const { min, max } = scoreRange[kind];
  const inSegment = Array.from({ length: max - min + 1 }, (_, i) => min + i).filter(
    (s) => segmentOf(kind, s) === segment,
  );
  return inSegment[Math.floor(inSegment.length / 2)] ?? min;
}

/**
 * Every message the actions send, per segment, for a sample answer by `contact` by email. The referral link
 * and the comment are samples; the wording, the locale choice and the layout are the real ones.
 */
export function previewFollowUps(input: {
  survey: { kind: SurveyKind; name: string; actions: readonly SurveyAction[] };
  workspace: { name: string; alertEmail: string | null; referralUrl: string | null };
  contact: SampleContact;
  comment: string;
  publicUrl: string;
  /** When the sample answer was given (the alert shows it). */
  answeredAt: Date;
}): SegmentPreview[] {
  const { survey, workspace, contact } = input;
  const locale = pickLocale(contact.locale);
  return segments.map((segment) => {
    const score = sampleScore(survey.kind, segment);
    const messages: MessagePreview[] = [];
    const unsent: UnsentAction[] = [];
    const parts: MessagePart[] = [];
    let review: Extract<SurveyAction, { type: 'review' }> | null = null;
    for (const { index, action } of actionsFor(survey.actions, segment)) {
      switch (action.type) {
        case 'alert': {
          const mail = alertEmail({
            workspaceName: workspace.name,
            surveyName: survey.name,
            kind: survey.kind,
            score,
            segment,
            comment: input.comment,
            contact,
            eventType: 'order.delivered',
            properties: { orderId: '1001', total: 129.9 },
            answeredAt: input.answeredAt,
          });
          const to = [
            ...action.emails,
            ...(action.roles ?? []).map((r) => `role:${r}`),
            ...(action.emails.length === 0 && !action.roles?.length
              ? [workspace.alertEmail ?? 'alert:none']
              : []),
          ];
          messages.push({
            audience: 'team',
            channel: 'email',
            to,
            subject: mail.subject,
            text: mail.text,
            kinds: ['alert'],
          });
          if (action.slackWebhookUrl) {
            messages.push({
              audience: 'team',
              channel: 'slack',
              to: [new URL(action.slackWebhookUrl).host],
              subject: mail.subject,
              text: slackAlertText({
                subject: mail.subject,
                who: contact.name ?? contact.externalId,
                score,
                surveyName: survey.name,
                comment: input.comment,
              }),
              kinds: ['alert'],
            });
          }
          break;
        }
        case 'case': {
          const part = caseAckPart(action);
          if (part) parts.push(part);
          break;
        }
        case 'message':
          parts.push(messagePart(action));
          break;
        case 'referral':
          // As the follow-up: without a page to send friends to there is nothing to refer to.
          if (workspace.referralUrl) parts.push(referralPart(action, `${input.publicUrl}/r/SAMPLE1`));
          else unsent.push({ index, type: 'referral', reason: 'no_referral_page' });
          break;
        case 'review':
          review ??= action;
          break;
      }
    }
    if (review) parts.push(reviewPart(review, parts.length === 0));
    const [first] = parts;
    const address = first
      ? customerAddress({ ...contact, optedOutAt: null, emailBouncedAt: null }, 'email', first.channel)
      : null;
    if (first && address) {
      const rendered = composeCustomerMessage({
        parts,
        locale,
        channel: address.channel,
        facts: { name: contact.name, company: workspace.name, score },
        workspaceName: workspace.name,
        unsubscribeUrl: `${input.publicUrl}/u/SAMPLE`,
      });
      messages.push({
        audience: 'customer',
        channel: address.channel,
        to: [address.to],
        subject: rendered.subject,
        text: rendered.text,
        kinds: parts.map((p) => p.kind),
      });
    }
    return { segment, score, messages, unsent };
  });
}
