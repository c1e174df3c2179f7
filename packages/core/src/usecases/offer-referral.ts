// The referral action: a promoter gets a personal link to pass on, issued once and sent as a message to them.
import type { SurveyAction } from '../domain/actions.ts';
import type { Tx } from '../store/client.ts';
import type { NotificationToSend } from '../store/outbox.ts';
import type { FollowUpOptions, RoutedResponse } from './follow-up.ts';
import { messageCustomer } from './message-customer.ts';
import { referralFor } from './referrals.ts';

export async function offerReferral(
  tx: Tx,
  row: RoutedResponse,
  action: Extract<SurveyAction, { type: 'referral' }>,
  now: Date,
  opts: FollowUpOptions,
): Promise<NotificationToSend[]> {
  const { response, workspace } = row;
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
