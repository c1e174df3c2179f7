// Invitations by hand (no event, no trigger) — above all printed ones: order-bound QR codes for a receipt or a parcel.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { newSurveyToken, sealToken, unsealToken } from '../domain/tokens.ts';
import { AppError } from '../errors.ts';
import type { Database } from '../store/client.ts';
import { surveyOf } from '../store/queries/surveys.ts';
import { type ChannelName, contacts, events, invitations } from '../store/schema.ts';

const DAY_MS = 86_400_000;

type TokenOptions = { secret: string; tokenTtlDays: number };

/**
 * An invitation made by hand for an event's contact, outside the triggers (no throttle: an operator
 * asked for it). Made once per event, survey and channel: asking again returns the same one, so
 * reprinting a receipt prints the same code. Email and SMS go out with the next due scan; a QR
 * code waits to be printed. An opted-out contact or a missing address is a 409 / 400 naming why.
 */
export async function createDirectInvitation(
  { db }: Database,
  workspaceId: string,
  input: { surveyId: string; eventId: string; channel: ChannelName },
): Promise<{ id: string; created: boolean }> {
  return db.transaction(async (tx) => {
    const [event] = await tx
      .select({ id: events.id, contactId: events.contactId, contact: contacts })
      .from(events)
      .innerJoin(contacts, eq(contacts.id, events.contactId))
      .where(and(eq(events.workspaceId, workspaceId), eq(events.externalId, input.eventId)))
      .for('update', { of: events });
    if (!event) throw AppError.notFound(`Event ${input.eventId}`);
    if (input.channel !== 'qr') {
      if (event.contact.optedOutAt) throw AppError.conflict(`Contact ${event.contact.externalId} opted out`);
      const { contact } = event;
      const address = input.channel === 'email' ? !contact.emailBouncedAt && contact.email : contact.phone;
      if (!address) {
        throw AppError.validation([
          {
            field: 'channel',
            message: `the event's contact has no ${input.channel === 'email' ? 'working email address' : 'phone number'}`,
          },
        ]);
      }
    }
    const survey = await surveyOf(tx, workspaceId, input.surveyId);
    const [existing] = await tx
      .select({ id: invitations.id })
      .from(invitations)
      .where(
        and(
          eq(invitations.eventId, event.id),
          eq(invitations.surveyId, survey.id),
          eq(invitations.channel, input.channel),
        ),
      )
      .orderBy(asc(invitations.createdAt))
      .limit(1);
    if (existing) return { id: existing.id, created: false };
    const [created] = await tx
      .insert(invitations)
      .values({
        workspaceId,
        surveyId: survey.id,
        eventId: event.id,
        contactId: event.contactId,
        channel: input.channel,
        sendAt: sql`now()`,
      })
      .returning({ id: invitations.id });
    if (!created) throw new Error('insert returned nothing');
    return { id: created.id, created: true };
  });
}

export type PrintableInvitation = {
  id: string;
  status: string;
  eventId: string | null;
  token: string;
  expiresAt: Date;
};

/**
 * The link token of QR invitations, issued on first use (a trigger's qr invitation waits as a row
 * until someone prints it) and the same on every later print. Throws 404 for ids not in the
 * workspace and 409 for invitations that are not QR or were cancelled.
 */
export async function printableInvitations(
  { db }: Database,
  workspaceId: string,
  ids: string[],
  now: Date,
  opts: TokenOptions,
): Promise<PrintableInvitation[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ invitation: invitations, eventId: events.externalId })
      .from(invitations)
      .leftJoin(events, eq(events.id, invitations.eventId))
      .where(and(eq(invitations.workspaceId, workspaceId), inArray(invitations.id, ids)))
      .for('update', { of: invitations });
    const byId = new Map(rows.map((r) => [r.invitation.id, r]));
    const printable: PrintableInvitation[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) throw AppError.notFound(`Invitation ${id}`);
      const inv = row.invitation;
      if (inv.channel !== 'qr') {
        throw AppError.conflict(`Invitation ${id} goes by ${inv.channel}; only qr invitations are printed`);
      }
      if (inv.tokenSealed && inv.tokenExpiresAt) {
        const token = unsealToken(inv.tokenSealed, opts.secret);
        printable.push({
          id,
          status: inv.status,
          eventId: row.eventId,
          token,
          expiresAt: inv.tokenExpiresAt,
        });
        continue;
      }
      if (inv.status !== 'scheduled' && inv.status !== 'queued') {
        throw AppError.conflict(
          `Invitation ${id} is ${inv.status}${inv.failureReason ? ` (${inv.failureReason})` : ''}`,
        );
      }
      const { token, hash } = newSurveyToken();
      const expiresAt = new Date(now.getTime() + opts.tokenTtlDays * DAY_MS);
      await tx
        .update(invitations)
        .set({
          status: 'sent',
          sentAt: now,
          tokenHash: hash,
          tokenSealed: sealToken(token, opts.secret),
          tokenExpiresAt: expiresAt,
        })
        .where(eq(invitations.id, id));
      printable.push({ id, status: 'sent', eventId: row.eventId, token, expiresAt });
    }
    return printable;
  });
}
