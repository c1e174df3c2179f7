// The referral action: a promoter gets a personal link to pass on, issued once and carried in the answer's one message to them.
import type { SurveyAction } from '../domain/actions.ts';
import { everyLocale } from '../domain/templates/locales.ts';
import type { Tx } from '../store/client.ts';
import type { FollowUpOptions, RoutedResponse } from './follow-up.ts';
import type { MessagePart } from './message-customer.ts';
import { referralFor } from './referrals.ts';

/** The referral's part of the message, or null when there is nothing to refer to. */
export async function offerReferral(
  tx: Tx,
  row: RoutedResponse,
  action: Extract<SurveyAction, { type: 'referral' }>,
  now: Date,
  opts: FollowUpOptions,
): Promise<MessagePart | null> {
  const { response, workspace } = row;
  // Without a page to send friends to there is nothing to refer to.
  if (!workspace.referralUrl || !row.contact) return null;
  const code = await referralFor(
    tx,
    { workspaceId: workspace.id, responseId: response.id, contactId: response.contactId },
    now,
  );
  return referralPart(action, `${opts.publicUrl}/r/${code}`);
}

/** The referral's words and button around a personal link. */
export function referralPart(action: Extract<SurveyAction, { type: 'referral' }>, url: string): MessagePart {
  return {
    kind: 'referral',
    channel: action.channel,
    body: action.body ?? everyLocale((t) => t.referralBody),
    link: { url, button: 'referralButton' },
  };
}
