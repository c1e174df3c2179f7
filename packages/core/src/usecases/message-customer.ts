// The one message to the customer after an answer (thank-you, "what would help", case acknowledgement, with referral and review links): address, wording, unsubscribe link.
import { eq } from 'drizzle-orm';
import { customerAddress } from '../domain/addresses.ts';
import { type Brand, brandOf } from '../domain/branding.ts';
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

type ButtonKey = 'reviewButton' | 'referralButton';

/** One piece of what an answer says back to the customer: a segment's message, a referral, a case acknowledgement, a review link. */
export type MessagePart = {
  kind: 'message' | 'referral' | 'case_ack' | 'review';
  channel: 'auto' | 'email' | 'sms';
  /** Localized templates ({name} {company} {score} {link}); the first part with a subject names the message. */
  subject?: Record<string, string> | undefined;
  body: Record<string, string>;
  link?: { url: string; button: ButtonKey } | undefined;
};

/**
 * The words of the message an answer makes to the customer, as sent (and as the console previews them): the
 * parts in order, one paragraph each, personalised, every link a button too. Pure.
 */
export function composeCustomerMessage(input: {
  parts: readonly MessagePart[];
  locale: Locale;
  channel: 'email' | 'sms';
  facts: { name: string | null; company: string; score: number };
  workspaceName: string;
  unsubscribeUrl?: string | undefined;
  /** The workspace's logo and accent (see customerMessageEmail). */
  brand?: Brand | undefined;
}): RenderedEmail {
  const { parts, locale, facts } = input;
  const paragraphs = parts.map((part) => {
    let template = localized(part.body, locale);
    if (part.link && !template.includes('{link}')) template = `${template} {link}`;
    return personalize(template, facts, part.link?.url ?? null);
  });
  const text = paragraphs.join(input.channel === 'email' ? '\n\n' : ' ');
  if (input.channel !== 'email') return { subject: '', html: '', text };
  const named = parts.find((p) => p.subject);
  const subject = named?.subject
    ? personalize(localized(named.subject, locale), facts, null)
    : uiText(locale, 'thanksSubject', { company: input.workspaceName });
  const buttons = parts.flatMap((p) =>
    p.link ? [{ label: uiText(locale, p.link.button), url: p.link.url }] : [],
  );
  return customerMessageEmail({
    locale,
    subject,
    body: text,
    workspaceName: input.workspaceName,
    buttons,
    unsubscribeUrl: input.unsubscribeUrl,
    brand: input.brand,
  });
}

/**
 * The one message an answer makes to the customer (at most one, ever: its dedupe key is the
 * response): the segment's parts in the survey's order, one paragraph each, with every link as a
 * button too. Its channel is the first part's; the review link rides inside it, never alone beside it.
 */
export async function messageCustomer(
  tx: Tx,
  row: RoutedResponse,
  parts: MessagePart[],
  /** Makes the logo's URL absolute (emails are read far from us); without it the email has no logo. */
  opts?: { publicUrl: string },
): Promise<NotificationToSend[]> {
  const [first] = parts;
  if (!first) return [];
  const address = customerAddress(row.contact, row.response.channel, first.channel);
  if (!address) return [];
  const locale: Locale = pickLocale(row.contact?.locale);
  // Every email to a customer can be unsubscribed from in one click, like the invitation it follows.
  // The link carries the survey token, which is never stored: the sender puts it in (fillUnsubscribeLink).
  const unsubscribeUrl = row.response.invitationId ? UNSUBSCRIBE_LINK : undefined;
  const rendered = composeCustomerMessage({
    parts,
    locale,
    channel: address.channel,
    facts: personalFacts(row),
    workspaceName: row.workspace.name,
    unsubscribeUrl,
    brand: opts ? brandOf(row.workspace, opts.publicUrl) : { ...brandOf(row.workspace), logoUrl: null },
  });
  return enqueueNotifications(tx, [
    {
      workspaceId: row.workspace.id,
      contactId: row.contact?.id ?? null,
      kind: parts.length === 1 ? first.kind : parts.map((p) => p.kind).join('+'),
      channel: address.channel,
      recipient: address.to,
      ...rendered,
      headers: address.channel === 'email' ? customerHeaders(row, unsubscribeUrl) : null,
      invitationId: row.response.invitationId,
      dedupeKey: `customer:${row.response.id}`,
    },
  ]);
}
