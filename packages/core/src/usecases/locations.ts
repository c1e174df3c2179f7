// Location codes (shop, desk, kiosk): permanent printed codes anyone can answer, and the answers given through them.
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { ExtraAnswers } from '../domain/questions.ts';
import { sha256 } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { surveyOf } from '../store/queries/surveys.ts';
import { locations, responses, surveys, workspaces } from '../store/schema.ts';
import { responseEdit } from './record-answer.ts';

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
  answer: { score: number; comment: string | null; answers?: ExtraAnswers },
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
        .set(responseEdit(answer, now))
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
        answers: answer.answers ?? {},
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
