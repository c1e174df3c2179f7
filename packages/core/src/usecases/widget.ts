// The on-site widget: whether a visitor is asked (the same contact rules as every channel, shown as an invitation on
// channel widget), and recording the answer through the same path as a survey link.
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { SurveyKind } from '../domain/kinds.ts';
import { DAY_MS } from '../domain/rules/throttle.ts';
import { isValidScore, scoreRange } from '../domain/scoring.ts';
import { pickLocale } from '../domain/templates/locales.ts';
import { newSurveyToken, sha256, unsealToken } from '../domain/tokens.ts';
import {
  anonymousToken,
  checkIdentity,
  readAnonymousToken,
  type WidgetSkipReason,
  widgetDecision,
} from '../domain/widget.ts';
import { AppError } from '../errors.ts';
import type { Database } from '../store/client.ts';
import { contacts, events, invitations, responses, surveys } from '../store/schema.ts';
import type { PublishableKeyLink } from './publishable-keys.ts';
import { findSurveyLink, type RecordOutcome, recordResponse, responseEdit } from './record-answer.ts';

/** The widget's answer token is good for a day: long enough for a visitor who leaves the tab open. */
const TOKEN_TTL_MS = DAY_MS;
/** New anonymous answers per network address per survey per day (a shop's guest Wi-Fi shares one address). */
export const ANONYMOUS_ANSWERS_PER_ADDRESS = 30;

export type Visitor = {
  id: string;
  /** HMAC-SHA256 of the id under the key's identity secret, hex, made by the shop's server. */
  signature?: string | undefined;
  email?: string | undefined;
  locale?: string | undefined;
  properties?: Record<string, unknown> | undefined;
};

export type ShowOutcome =
  | { show: true; token: string; survey: typeof surveys.$inferSelect; locale: ReturnType<typeof pickLocale> }
  | { show: false; reason: WidgetSkipReason | 'anonymous_not_allowed' | 'no_survey' };

/**
 * Refuses an identify the key cannot believe: unsigned when the key requires a signature (400), or signed wrongly
 * (403), both naming visitor.signature. Checked before anything is read or stored for the visitor.
 */
export function verifyIdentity(link: PublishableKeyLink, visitor: Visitor, secretKey: string) {
  const sealed = link.key.identitySecretSealed;
  const check = checkIdentity(
    link.key,
    sealed ? unsealToken(sealed, secretKey) : null,
    visitor.id,
    visitor.signature,
  );
  if (check.ok) return;
  const field = 'visitor.signature';
  if (check.kind === 'missing') {
    throw AppError.validation([
      {
        field,
        message:
          'required: this key verifies identity; pass HMAC-SHA256 of visitor.id under the key’s identity secret, computed on your server',
      },
    ]);
  }
  if (check.kind === 'no_secret') {
    throw AppError.validation([
      { field, message: 'this key has no identity secret to check it with (create one first)' },
    ]);
  }
  throw new AppError(
    'invalid_signature',
    'forbidden',
    'The identify signature does not match the visitor id',
    [{ field, message: 'is not HMAC-SHA256 of visitor.id under this key’s identity secret' }],
  );
}

/**
 * Decides whether to show the key's survey (the one asked for, else its first) to this visitor. An identified
 * visitor becomes (or is) a contact; the decision runs under the contact's row lock, so two tabs opening at once
 * make one invitation; showing records an invitation on channel `widget` (status sent, with the token's hash),
 * which the later rules and metrics count like any other, and an event `widget.shown` carrying the identify
 * properties, which the answer keeps for segmentation. An anonymous visitor gets a signed token and nothing is
 * stored until the answer.
 */
export async function showWidget(
  { db }: Database,
  link: PublishableKeyLink,
  input: { surveyId?: string | undefined; visitor: Visitor | null; acceptLanguage?: string | undefined },
  now: Date,
  secret: string,
): Promise<ShowOutcome> {
  if (input.visitor) verifyIdentity(link, input.visitor, secret);
  const surveyId = input.surveyId ?? link.key.surveyIds[0];
  if (!surveyId || !link.key.surveyIds.includes(surveyId)) return { show: false, reason: 'no_survey' };
  const [survey] = await db
    .select()
    .from(surveys)
    .where(and(eq(surveys.id, surveyId), eq(surveys.workspaceId, link.key.workspaceId)));
  if (!survey) return { show: false, reason: 'no_survey' };
  const { visitor } = input;
  if (!visitor) {
    if (!survey.widgetAnonymous) return { show: false, reason: 'anonymous_not_allowed' };
    const token = anonymousToken(secret, {
      keyId: link.key.id,
      surveyId,
      expiresAt: now.getTime() + TOKEN_TTL_MS,
    });
    return { show: true, token, survey, locale: pickLocale(input.acceptLanguage) };
  }
  const workspaceId = link.key.workspaceId;
  return db.transaction(async (tx) => {
    await tx
      .insert(contacts)
      .values({
        workspaceId,
        externalId: visitor.id,
        email: visitor.email ?? null,
        locale: visitor.locale ?? null,
      })
      .onConflictDoNothing();
    const [contact] = await tx
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, visitor.id)))
      .for('update');
    if (!contact) throw new Error(`contact ${visitor.id} vanished`);
    // What the shop says of its visitor fills gaps; an erased contact's details never come back.
    if (!contact.erasedAt && ((!contact.email && visitor.email) || (!contact.locale && visitor.locale))) {
      await tx
        .update(contacts)
        .set({
          email: contact.email ?? visitor.email ?? null,
          locale: contact.locale ?? visitor.locale ?? null,
        })
        .where(eq(contacts.id, contact.id));
    }
    const lookBack = Math.max(link.workspace.globalContactDays, survey.widgetThrottleDays);
    const history = await tx
      .select({ surveyId: invitations.surveyId, sendAt: invitations.sendAt })
      .from(invitations)
      .where(
        and(
          eq(invitations.contactId, contact.id),
          ne(invitations.status, 'cancelled'),
          gt(invitations.sendAt, new Date(now.getTime() - lookBack * DAY_MS)),
        ),
      );
    const decision = widgetDecision({
      surveyId,
      optedOutAt: contact.optedOutAt,
      history,
      globalContactDays: link.workspace.globalContactDays,
      throttleDays: survey.widgetThrottleDays,
      now,
    });
    if (!decision.show) return { show: false, reason: decision.reason };
    const { token, hash } = newSurveyToken();
    const [invitation] = await tx
      .insert(invitations)
      .values({
        workspaceId,
        surveyId,
        contactId: contact.id,
        channel: 'widget',
        status: 'sent',
        sendAt: now,
        sentAt: now,
        tokenHash: hash,
        tokenExpiresAt: new Date(now.getTime() + TOKEN_TTL_MS),
      })
      .returning({ id: invitations.id });
    if (!invitation) throw new Error('invitation insert returned nothing');
    // Planned already: the event only carries what the shop said of the visit, it is not a trigger's input.
    const [event] = await tx
      .insert(events)
      .values({
        workspaceId,
        externalId: `widget:${invitation.id}`,
        type: 'widget.shown',
        occurredAt: now,
        contactId: contact.id,
        properties: { ...(visitor.properties ?? {}), publishableKey: link.key.name },
        plannedAt: now,
      })
      .returning({ id: events.id });
    await tx
      .update(invitations)
      .set({ eventId: event?.id ?? null })
      .where(eq(invitations.id, invitation.id));
    return {
      show: true,
      token,
      survey,
      locale: pickLocale(visitor.locale ?? contact.locale ?? input.acceptLanguage),
    };
  });
}

export type WidgetAnswer = { score: number; comment: string | null };

function checkWidgetScore(kind: SurveyKind, score: number) {
  if (isValidScore(kind, score)) return;
  const { min, max } = scoreRange[kind];
  throw AppError.validation([{ field: 'score', message: `must be a whole number from ${min}–${max}` }]);
}

/**
 * Records a widget answer. An identified visitor's token is an invitation's (recordResponse: one response per
 * invitation, editable for a while); an anonymous one is the signed ticket, whose nonce is the response's
 * idempotency key, so a resent answer is one row, and a new one counts against the address's daily cap.
 */
export async function recordWidgetAnswer(
  database: Database,
  link: PublishableKeyLink,
  token: string,
  answer: WidgetAnswer,
  ctx: { now: Date; secret: string; editWindowMinutes: number; address: string },
): Promise<Exclude<RecordOutcome, { status: 'edit_window_closed' }>> {
  const { now } = ctx;
  if (!token.startsWith('a.')) {
    const found = await findSurveyLink(database, token);
    if (
      found?.invitation.channel !== 'widget' ||
      found.invitation.workspaceId !== link.key.workspaceId ||
      !link.key.surveyIds.includes(found.invitation.surveyId)
    ) {
      throw AppError.notFound('Widget token');
    }
    checkWidgetScore(found.survey.kind, answer.score);
    if (found.invitation.tokenExpiresAt && found.invitation.tokenExpiresAt <= now) {
      throw AppError.gone('This survey is closed');
    }
    const outcome = await recordResponse(database, found, answer, now, ctx.editWindowMinutes);
    if (outcome.status === 'edit_window_closed') throw AppError.conflict('This answer is final');
    return outcome;
  }
  const ticket = readAnonymousToken(ctx.secret, token, now.getTime());
  if (!ticket || ticket.keyId !== link.key.id || !link.key.surveyIds.includes(ticket.surveyId)) {
    throw AppError.notFound('Widget token');
  }
  const [survey] = await database.db.select().from(surveys).where(eq(surveys.id, ticket.surveyId));
  if (!survey?.widgetAnonymous) throw AppError.notFound('Widget token');
  checkWidgetScore(survey.kind, answer.score);
  const clientHash = sha256(`widget:${ticket.surveyId}:${ctx.address}`);
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${clientHash}))`);
    const [existing] = await tx
      .select()
      .from(responses)
      .where(and(eq(responses.surveyId, ticket.surveyId), eq(responses.idempotencyKey, ticket.nonce)));
    if (existing) {
      if (existing.editableUntil <= now) throw AppError.conflict('This answer is final');
      const [updated] = await tx
        .update(responses)
        .set(responseEdit(answer, now))
        .where(eq(responses.id, existing.id))
        .returning();
      if (!updated) throw new Error('response vanished');
      return { status: 'updated' as const, response: updated };
    }
    const [fromAddress] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(responses)
      .where(
        and(
          eq(responses.surveyId, ticket.surveyId),
          eq(responses.clientHash, clientHash),
          gt(responses.createdAt, new Date(now.getTime() - DAY_MS)),
        ),
      );
    if ((fromAddress?.n ?? 0) >= ANONYMOUS_ANSWERS_PER_ADDRESS) {
      throw new AppError('rate_limited', 'rate_limited', 'Too many answers from this network today');
    }
    const [created] = await tx
      .insert(responses)
      .values({
        workspaceId: link.key.workspaceId,
        surveyId: ticket.surveyId,
        channel: 'widget',
        idempotencyKey: ticket.nonce,
        clientHash,
        score: answer.score,
        comment: answer.comment,
        properties: { publishableKey: link.key.name },
        createdAt: now,
        updatedAt: now,
        editableUntil: new Date(now.getTime() + ctx.editWindowMinutes * 60_000),
      })
      .returning();
    if (!created) throw new Error('insert returned nothing');
    return { status: 'created' as const, response: created };
  });
}
