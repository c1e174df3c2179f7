// Location codes (shop, desk, kiosk): permanent printed codes anyone can answer, and the answers given through them.
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { ExtraAnswers } from '../domain/questions.ts';
import { sha256 } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { surveyOf } from '../store/queries/surveys.ts';
import { locations, responses, surveys, workspaces } from '../store/schema.ts';
import { type Actor, audited } from './audit.ts';
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

/** A kiosk tablet serves one customer after another: at most this many new answers per device per window. */
export const KIOSK_ANSWERS_PER_WINDOW = 12;
export const KIOSK_WINDOW_MS = 10 * 60_000;

export type KioskAnswerOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; response: typeof responses.$inferSelect }
  | { status: 'device_limit'; until: Date };

/**
 * Records an answer given at a kiosk. The page names each answer (`key`, made when the customer starts), so an
 * answer sent twice — the tablet was offline and retries, a double tap — is one row; the same key again with a
 * comment adds the comment inside the edit window. One tablet is many customers, so the per-device limit is a
 * rate (KIOSK_ANSWERS_PER_WINDOW per KIOSK_WINDOW_MS) rather than one answer per deviceLimitHours.
 */
export async function recordKioskAnswer(
  { db }: Database,
  link: LocationLink,
  device: string,
  answer: { key: string; score: number; comment: string | null },
  now: Date,
  editWindowMinutes: number,
): Promise<KioskAnswerOutcome> {
  const deviceHash = sha256(`${link.location.id}:${device}`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${deviceHash}))`);
    const same = () =>
      tx
        .select()
        .from(responses)
        .where(
          and(
            eq(responses.surveyId, link.survey.id),
            eq(responses.idempotencyKey, answer.key),
            eq(responses.locationId, link.location.id),
          ),
        );
    const [known] = await same();
    if (known) {
      if (answer.comment === null || answer.comment === known.comment || known.editableUntil <= now) {
        return { status: 'unchanged', response: known };
      }
      const [updated] = await tx
        .update(responses)
        .set(responseEdit({ score: known.score, comment: answer.comment }, now))
        .where(eq(responses.id, known.id))
        .returning();
      if (!updated) throw new Error('response vanished');
      return { status: 'updated', response: updated };
    }
    const since = new Date(now.getTime() - KIOSK_WINDOW_MS);
    const recent = await tx
      .select({ createdAt: responses.createdAt })
      .from(responses)
      .where(
        and(
          eq(responses.locationId, link.location.id),
          eq(responses.deviceHash, deviceHash),
          gt(responses.createdAt, since),
        ),
      )
      .orderBy(asc(responses.createdAt));
    const oldest = recent[0];
    if (oldest && recent.length >= KIOSK_ANSWERS_PER_WINDOW) {
      return { status: 'device_limit', until: new Date(oldest.createdAt.getTime() + KIOSK_WINDOW_MS) };
    }
    const [created] = await tx
      .insert(responses)
      .values({
        workspaceId: link.location.workspaceId,
        surveyId: link.survey.id,
        locationId: link.location.id,
        deviceHash,
        idempotencyKey: answer.key,
        channel: 'qr',
        score: answer.score,
        comment: answer.comment,
        properties: { ...link.location.properties, location: link.location.name, kiosk: true },
        createdAt: now,
        updatedAt: now,
        editableUntil: new Date(now.getTime() + editWindowMinutes * 60_000),
      })
      .onConflictDoNothing()
      .returning();
    if (created) return { status: 'created', response: created };
    const [raced] = await same();
    if (!raced) throw new Error('kiosk answer neither inserted nor found');
    return { status: 'unchanged', response: raced };
  });
}

/** Changes what an operator may change of a location: its name, device limit and kiosk mode. */
/** Changes a location; with an actor (the API's PATCH, the console's kiosk switch) audited as `location.update`. */
export async function updateLocation(
  database: Database,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<LocationInput, 'name' | 'deviceLimitHours'>> & { kiosk?: boolean | undefined },
  actor?: Actor,
) {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return getLocation(database, workspaceId, id);
  return audited(
    database.db,
    actor && { actor, workspaceId, action: 'location.update', kind: 'location', detail: set },
    async (tx) => {
      const [row] = await tx
        .update(locations)
        .set(set)
        .where(and(eq(locations.workspaceId, workspaceId), eq(locations.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}
