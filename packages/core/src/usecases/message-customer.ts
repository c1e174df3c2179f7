// Messages to the customer after an answer (thank-you, review request, referral offer): address, wording, unsubscribe link.
import { eq } from 'drizzle-orm';
import { customerAddress } from '../domain/addresses.ts';
import { personalize } from '../domain/personalize.ts';
import { customerMessageEmail, type RenderedEmail } from '../domain/templates/emails.ts';
import { type Locale, localized, pickLocale, uiText } from '../domain/templates/locales.ts';
import { unsealToken } from '../domain/tokens.ts';
import type { Database, Tx } from '../store/client.ts';
import { enqueueNotifications, type NotificationToSend } from '../store/outbox.ts';
import { invitations } from '../store/schema.ts';
import type { FollowUpOptions, RoutedResponse } from './follow-up.ts';

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
function customerHeaders(row: RoutedResponse, unsubscribeUrl: string | undefined): Record<string, string> {
  return {
    ...(row.workspace.alertEmail ? { 'Reply-To': row.workspace.alertEmail } : {}),
    ...(unsubscribeUrl
      ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {}),
  };
}

const personalFacts = (row: RoutedResponse) => ({
  name: row.contact?.name ?? null,
  company: row.workspace.name,
  score: row.response.score,
});

export async function messageCustomer(
  tx: Tx,
  row: RoutedResponse,
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
