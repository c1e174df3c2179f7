// Invitations by hand — above all printed ones: order-bound QR codes (receipt, parcel) and permanent location codes (shop, desk, kiosk).
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { newSurveyToken, sealToken, sha256, unsealToken } from '../domain/tokens.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import {
  type ChannelName,
  contacts,
  events,
  invitations,
  locations,
  responses,
  surveys,
  workspaces,
} from '../store/schema.ts';
import { answerEdit } from './responses.ts';

const DAY_MS = 86_400_000;

type TokenOptions = { secret: string; tokenTtlDays: number };

/** The workspace's survey, or a 404 naming it. */
async function surveyOf(tx: Tx, workspaceId: string, surveyId: string): Promise<{ id: string }> {
  const [survey] = await tx
    .select({ id: surveys.id })
    .from(surveys)
    .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, surveyId)));
  if (!survey) throw AppError.notFound(`Survey ${surveyId}`);
  return survey;
}

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

/** Location codes: short enough to type from a poster, long enough not to guess (10 chars of base32 ≈ 50 bits). */
const newLocationCode = () =>
  Array.from(randomBytes(10), (b) => 'abcdefghjkmnpqrstuvwxyz23456789'[b % 31]).join('');

export type LocationInput = {
  surveyId: string;
  name: string;
  deviceLimitHours: number;
  properties: Record<string, unknown>;
};

export async function createLocation({ db }: Database, workspaceId: string, input: LocationInput) {
  await surveyOf(db, workspaceId, input.surveyId);
  const [row] = await db
    .insert(locations)
    .values({ workspaceId, ...input, code: newLocationCode() })
    .returning();
  if (!row) throw new Error('insert returned nothing');
  return row;
}

export async function listLocations({ db }: Database, workspaceId: string) {
  return db
    .select()
    .from(locations)
    .where(eq(locations.workspaceId, workspaceId))
    .orderBy(asc(locations.createdAt));
}

export async function getLocation({ db }: Database, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(locations)
    .where(and(eq(locations.workspaceId, workspaceId), eq(locations.id, id)));
  return row ?? null;
}

/** What a scanned location code opens: the place, its survey and workspace. Reads only. */
export async function findLocationByCode({ db }: Database, code: string) {
  const [row] = await db
    .select({ location: locations, survey: surveys, workspace: workspaces })
    .from(locations)
    .innerJoin(surveys, eq(surveys.id, locations.surveyId))
    .innerJoin(workspaces, eq(workspaces.id, locations.workspaceId))
    .where(eq(locations.code, code));
  return row ?? null;
}

export type LocationLink = NonNullable<Awaited<ReturnType<typeof findLocationByCode>>>;

/**
 * Devices are cheap to fake (clear the cookie, start again); network addresses less so. A shop's
 * guest Wi-Fi shares one address among many honest customers, hence a cap well above one.
 */
const ANSWERS_PER_ADDRESS = 30;

export type LocationAnswerOutcome =
  | { status: 'created' | 'updated'; response: typeof responses.$inferSelect }
  | { status: 'device_limit'; until: Date };

/**
 * Records an anonymous answer at a location, one per device per deviceLimitHours: inside the edit
 * window the same device changes its answer (that is how the "why?" arrives); after it, until the
 * limit has passed, it is turned away. A transaction-scoped lock per device serialises double taps.
 */
export async function recordLocationAnswer(
  { db }: Database,
  link: LocationLink,
  device: string,
  address: string,
  answer: { score: number; comment: string | null },
  now: Date,
  editWindowMinutes: number,
): Promise<LocationAnswerOutcome> {
  const deviceHash = sha256(`${link.location.id}:${device}`);
  const clientHash = sha256(`${link.location.id}:${address}`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${deviceHash}))`);
    const since = new Date(now.getTime() - link.location.deviceLimitHours * 3_600_000);
    const [last] = await tx
      .select()
      .from(responses)
      .where(
        and(
          eq(responses.locationId, link.location.id),
          eq(responses.deviceHash, deviceHash),
          gt(responses.createdAt, since),
        ),
      )
      .orderBy(desc(responses.createdAt))
      .limit(1);
    if (last && last.editableUntil > now) {
      const [updated] = await tx
        .update(responses)
        .set(answerEdit(answer, now))
        .where(eq(responses.id, last.id))
        .returning();
      if (!updated) throw new Error('response vanished');
      return { status: 'updated', response: updated };
    }
    if (last) {
      return {
        status: 'device_limit',
        until: new Date(last.createdAt.getTime() + link.location.deviceLimitHours * 3_600_000),
      };
    }
    // Only a new answer needs the per-address count.
    const [fromAddress] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(responses)
      .where(
        and(
          eq(responses.locationId, link.location.id),
          eq(responses.clientHash, clientHash),
          gt(responses.createdAt, since),
        ),
      );
    if ((fromAddress?.n ?? 0) >= ANSWERS_PER_ADDRESS) {
      return {
        status: 'device_limit',
        until: new Date(now.getTime() + link.location.deviceLimitHours * 3_600_000),
      };
    }
    const [created] = await tx
      .insert(responses)
      .values({
        workspaceId: link.location.workspaceId,
        surveyId: link.survey.id,
        locationId: link.location.id,
        deviceHash,
        clientHash,
        channel: 'qr',
        score: answer.score,
        comment: answer.comment,
        properties: { ...link.location.properties, location: link.location.name },
        createdAt: now,
        updatedAt: now,
        editableUntil: new Date(now.getTime() + editWindowMinutes * 60_000),
      })
      .returning();
    if (!created) throw new Error('insert returned nothing');
    return { status: 'created', response: created };
  });
}
