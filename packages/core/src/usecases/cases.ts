// Cases: a detractor's answer owned by a person until resolved — status, owner, due time, escalation, and the history of every change.
import { and, asc, eq, isNull, lt, ne } from 'drizzle-orm';
import { customerAddress } from '../domain/addresses.ts';
import { brandOf } from '../domain/branding.ts';
import { customerMessageEmail, noticeEmail } from '../domain/templates/emails.ts';
import { pickLocale, uiText } from '../domain/templates/locales.ts';
import { AppError } from '../errors.ts';
import type { Database, Tx } from '../store/client.ts';
import { enqueueNotification } from '../store/outbox.ts';
import {
  type CaseStatus,
  caseEvents,
  cases,
  caseTickets,
  contacts,
  responses,
  surveys,
  workspaces,
} from '../store/schema.ts';
import { caseView } from '../views/cases.ts';
import { type Actor, recordAudit } from './audit.ts';
import { memberRole } from './members.ts';
import { emitWebhookEvent } from './webhooks.ts';

type CaseRow = typeof cases.$inferSelect;

export async function addCaseEvent(
  tx: Tx,
  caseId: string,
  kind: string,
  actor: string,
  detail: Record<string, unknown>,
  now: Date,
) {
  await tx.insert(caseEvents).values({ caseId, kind, actor, detail, createdAt: now });
}

/** Opens the case of a response (once: a replay finds it and changes nothing). Returns it when new. */
export async function openCase(
  tx: Tx,
  input: {
    workspaceId: string;
    responseId: string;
    surveyId: string;
    contactId: string | null;
    slaHours: number;
    owner: string | null;
    escalateTo: string | null;
    detail: Record<string, unknown>;
  },
  now: Date,
): Promise<CaseRow | null> {
  const [created] = await tx
    .insert(cases)
    .values({
      workspaceId: input.workspaceId,
      responseId: input.responseId,
      surveyId: input.surveyId,
      contactId: input.contactId,
      owner: input.owner,
      escalateTo: input.escalateTo,
      dueAt: new Date(now.getTime() + input.slaHours * 3_600_000),
      slaHours: input.slaHours,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: cases.responseId })
    .returning();
  if (!created) return null;
  await addCaseEvent(
    tx,
    created.id,
    'created',
    'system',
    { ...input.detail, dueAt: created.dueAt.toISOString() },
    now,
  );
  await emitWebhookEvent(
    tx,
    input.workspaceId,
    'case.created',
    { case: caseView(created, now), ...input.detail },
    now,
  );
  return created;
}

/**
 * An answer changed segment inside its edit window. A case it had stays, with the change in its
 * history: closed when the customer is no longer a detractor, reopened when they are one again.
 */
export async function rerouteCase(
  tx: Tx,
  responseId: string,
  change: { from: string; to: string; score: number; keepsCase: boolean },
  now: Date,
): Promise<void> {
  const [existing] = await tx.select().from(cases).where(eq(cases.responseId, responseId)).for('update');
  if (!existing) return;
  await addCaseEvent(tx, existing.id, 'rerouted', 'system', change, now);
  if (!change.keepsCase && existing.status !== 'resolved') {
    const resolution = `The customer changed the answer to ${change.score} (${change.to}) within the edit window.`;
    const [resolved] = await tx
      .update(cases)
      .set({ status: 'resolved', resolution, resolvedAt: now, updatedAt: now })
      .where(eq(cases.id, existing.id))
      .returning();
    await addCaseEvent(
      tx,
      existing.id,
      'status_changed',
      'system',
      { from: existing.status, to: 'resolved', resolution },
      now,
    );
    if (resolved)
      await emitWebhookEvent(
        tx,
        resolved.workspaceId,
        'case.resolved',
        { case: caseView(resolved, now) },
        now,
      );
  } else if (change.keepsCase && existing.status === 'resolved') {
    // Reopened: a fresh SLA of the same length, and it may escalate again.
    const sla = existing.slaHours * 3_600_000;
    await tx
      .update(cases)
      .set({
        status: 'open',
        resolution: null,
        resolvedAt: null,
        escalatedAt: null,
        dueAt: new Date(now.getTime() + sla),
        updatedAt: now,
      })
      .where(eq(cases.id, existing.id));
    await addCaseEvent(tx, existing.id, 'status_changed', 'system', { from: 'resolved', to: 'open' }, now);
  }
}

export type CaseChange = {
  status?: CaseStatus | undefined;
  owner?: string | null | undefined;
  /** The member working the case (a member of the workspace), or null to unassign. */
  assigneeId?: string | null | undefined;
  resolution?: string | undefined;
  note?: string | undefined;
  /** Sent to the customer when this change resolves the case. */
  closingMessage?: string | undefined;
};

/**
 * Changes a case and writes each change to its history. Resolving needs a resolution note. Returns
 * the case before and after, so the caller can tell the customer when it was resolved now.
 */
export async function updateCase(
  { db }: Database,
  workspaceId: string,
  id: string,
  change: CaseChange,
  actor: string,
  now: Date,
  /** Who did it, for the audit log (a resolution through the API or the console is recorded). */
  auditActor?: Actor,
  /** Makes the closing email's logo URL absolute (PUBLIC_URL); without it the email has the accent but no logo. */
  brand?: { publicUrl: string },
): Promise<{ after: CaseRow; notice: { id: string; channel: 'email' | 'sms' } | null }> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(cases)
      .where(and(eq(cases.workspaceId, workspaceId), eq(cases.id, id)))
      .for('update');
    if (!before) throw AppError.notFound(`Case ${id}`);
    const resolving = change.status === 'resolved' && before.status !== 'resolved';
    if (resolving && !change.resolution) {
      throw AppError.validation([
        { field: 'resolution', message: 'is required to resolve a case: say what was done' },
      ]);
    }
    // A resolution is what resolving says; given on its own, or to a case resolved before, it would be dropped unsaid.
    // (The same resolution again is a retried resolve, and changes nothing.)
    if (change.resolution !== undefined && !resolving && change.resolution !== before.resolution) {
      throw AppError.validation([
        {
          field: 'resolution',
          message:
            before.status === 'resolved'
              ? 'cannot be changed once the case is resolved: add a note, or reopen the case and resolve it again'
              : 'comes with status "resolved": it says what was done when the case is resolved',
        },
      ]);
    }
    const set: Partial<CaseRow> = { updatedAt: now };
    if (change.status && change.status !== before.status) {
      set.status = change.status;
      set.resolvedAt = change.status === 'resolved' ? now : null;
      set.resolution = change.status === 'resolved' ? (change.resolution ?? null) : null;
      if (before.status === 'resolved') {
        // Reopened: a fresh SLA of the same length, and it may escalate again.
        set.dueAt = new Date(now.getTime() + before.slaHours * 3_600_000);
        set.escalatedAt = null;
      }
      await addCaseEvent(
        tx,
        id,
        'status_changed',
        actor,
        { from: before.status, to: change.status, resolution: set.resolution },
        now,
      );
    }
    if (change.owner !== undefined && change.owner !== before.owner) {
      set.owner = change.owner;
      await addCaseEvent(tx, id, 'owner_changed', actor, { from: before.owner, to: change.owner }, now);
    }
    if (change.assigneeId !== undefined && change.assigneeId !== before.assigneeId) {
      if (change.assigneeId !== null && !(await memberRole(tx, workspaceId, change.assigneeId))) {
        throw AppError.validation([
          { field: 'assigneeId', message: 'is not a member of this workspace (see GET /v1/members)' },
        ]);
      }
      set.assigneeId = change.assigneeId;
      await addCaseEvent(
        tx,
        id,
        'assignee_changed',
        actor,
        { from: before.assigneeId, to: change.assigneeId },
        now,
      );
    }
    if (change.note) await addCaseEvent(tx, id, 'note', actor, { note: change.note }, now);
    const [after] = await tx.update(cases).set(set).where(eq(cases.id, id)).returning();
    if (!after) throw new Error(`case ${id} vanished`);
    const changed = Object.keys(set).filter((k) => k !== 'updatedAt');
    if (auditActor && (resolving || changed.length > 0 || change.note)) {
      // Every change a person makes is on record: a resolution as case.resolve, the rest as case.update.
      await recordAudit(tx, {
        workspaceId,
        actor: auditActor,
        action: resolving ? 'case.resolve' : 'case.update',
        target: { kind: 'case', id },
        detail: resolving ? { resolution: after.resolution } : { changed, note: Boolean(change.note) },
      });
    }
    if (!resolving) return { after, notice: null };
    await emitWebhookEvent(tx, workspaceId, 'case.resolved', { case: caseView(after, now) }, now);
    // A case mirrored into Zendesk owes its ticket a comment (an outbox row the due scanner picks up),
    // unless the ticket was solved there first.
    await tx
      .update(caseTickets)
      .set({ commentDueAt: now, nextAttemptAt: now })
      .where(
        and(
          eq(caseTickets.caseId, id),
          isNull(caseTickets.ticketSolvedAt),
          isNull(caseTickets.commentPostedAt),
        ),
      );
    // In the same transaction: a case resolved is a customer told, or neither.
    const notice = change.closingMessage
      ? await closingMessage(tx, after, change.closingMessage, brand)
      : null;
    return { after, notice };
  });
}

/**
 * Escalates every unresolved case past its due time, once each (escalated_at is the compare-and-set):
 * a history entry, a notice to the escalation contact, a case.escalated webhook. Returns the notices.
 */
export async function escalateOverdueCases(
  { db }: Database,
  now: Date,
  limit: number,
): Promise<{ escalated: number; notices: string[] }> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ case: cases, workspace: workspaces, survey: surveys, response: responses, contact: contacts })
      .from(cases)
      .innerJoin(workspaces, eq(workspaces.id, cases.workspaceId))
      .innerJoin(surveys, eq(surveys.id, cases.surveyId))
      .innerJoin(responses, eq(responses.id, cases.responseId))
      .leftJoin(contacts, eq(contacts.id, cases.contactId))
      .where(and(ne(cases.status, 'resolved'), isNull(cases.escalatedAt), lt(cases.dueAt, now)))
      .orderBy(asc(cases.dueAt))
      .limit(limit)
      .for('update', { of: cases, skipLocked: true });
    const notices: string[] = [];
    for (const { case: c, workspace, survey, response, contact } of due) {
      const [escalated] = await tx
        .update(cases)
        .set({ escalatedAt: now, updatedAt: now })
        .where(eq(cases.id, c.id))
        .returning();
      if (!escalated) continue;
      const to = c.escalateTo ?? workspace.alertEmail;
      await addCaseEvent(
        tx,
        c.id,
        'escalated',
        'system',
        { dueAt: c.dueAt.toISOString(), notified: to },
        now,
      );
      await emitWebhookEvent(tx, c.workspaceId, 'case.escalated', { case: caseView(escalated, now) }, now);
      if (!to) continue;
      const mail = noticeEmail({
        title: `Case overdue: ${survey.name}, score ${response.score}`,
        facts: [
          ['Case', c.id],
          [
            'Customer',
            contact ? `${contact.name ?? ''} (id ${contact.externalId})`.trim() : 'Anonymous (location code)',
          ],
          ['Status', c.status],
          ['Owner', c.owner],
          ['Due', c.dueAt.toISOString()],
          ['Comment', response.comment],
        ],
        advice: 'The customer has waited past the promised time. Please take the case or reassign it now.',
        workspaceName: workspace.name,
      });
      const notice = await enqueueNotification(tx, {
        workspaceId: c.workspaceId,
        kind: 'case_escalated',
        channel: 'email',
        recipient: to,
        ...mail,
        dedupeKey: `escalated:${c.id}`,
      });
      if (notice) notices.push(notice.id);
    }
    return { escalated: due.length, notices };
  });
}

/** The contact, answer and workspace a closing message is written for (null: no contact to reach). */
async function closingAudience(db: Tx | Database['db'], caseId: string) {
  const [row] = await db
    .select({ contact: contacts, response: responses, workspace: workspaces })
    .from(cases)
    .innerJoin(responses, eq(responses.id, cases.responseId))
    .innerJoin(workspaces, eq(workspaces.id, cases.workspaceId))
    .innerJoin(contacts, eq(contacts.id, cases.contactId))
    .where(eq(cases.id, caseId));
  return row ?? null;
}

/**
 * The closing message exactly as the customer gets it: on the channel they answered by, in their
 * language, through the customer email template. Null when they cannot be reached.
 */
function renderClosingMessage(
  audience: NonNullable<Awaited<ReturnType<typeof closingAudience>>>,
  body: string,
  opts: { publicUrl: string } | undefined,
): { channel: 'email' | 'sms'; to: string; subject: string; html: string; text: string } | null {
  const { contact, response, workspace } = audience;
  const address = customerAddress(contact, response.channel, 'auto');
  if (!address) return null;
  const { channel } = address;
  const locale = pickLocale(contact.locale);
  const message =
    channel === 'email'
      ? customerMessageEmail({
          locale,
          subject: uiText(locale, 'caseClosedSubject', { company: workspace.name }),
          body,
          workspaceName: workspace.name,
          // The workspace's logo and accent, as the invitation and the follow-up message wear them.
          brand: opts ? brandOf(workspace, opts.publicUrl) : { ...brandOf(workspace), logoUrl: null },
        })
      : { subject: '', html: '', text: body };
  return { channel, to: address.to, ...message };
}

/**
 * What resolving the case with this closing message would send, without sending it (the console's
 * preview). Null when the case is not found; `message: null` when the customer cannot be reached.
 */
export async function previewClosingMessage(
  { db }: Database,
  workspaceId: string,
  caseId: string,
  body: string,
  brand?: { publicUrl: string },
) {
  const [found] = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.workspaceId, workspaceId), eq(cases.id, caseId)));
  if (!found) return null;
  const audience = await closingAudience(db, caseId);
  return { message: audience ? renderClosingMessage(audience, body, brand) : null };
}

/**
 * The customer hears how their complaint ended: a closing message on the channel they answered by,
 * as an outbox row (sent by the worker, cancelled if they opt out first). Null when they cannot be reached.
 */
async function closingMessage(
  db: Tx,
  c: CaseRow,
  body: string,
  brand: { publicUrl: string } | undefined,
): Promise<{ id: string; channel: 'email' | 'sms' } | null> {
  const audience = await closingAudience(db, c.id);
  const rendered = audience ? renderClosingMessage(audience, body, brand) : null;
  if (!audience || !rendered) return null;
  const { channel, to, ...message } = rendered;
  const inserted = await enqueueNotification(db, {
    workspaceId: c.workspaceId,
    kind: 'case_closed',
    channel,
    recipient: to,
    contactId: audience.contact.id,
    ...message,
    dedupeKey: `case-closed:${c.id}:${c.resolvedAt?.getTime() ?? 0}`,
  });
  return inserted ? { id: inserted.id, channel } : null;
}
