// Surveys and triggers as operators configure them, always scoped to one workspace.

import { and, asc, eq } from 'drizzle-orm';
import type { SurveyAction } from '../domain/actions.ts';
import type { SurveyQuestion } from '../domain/questions.ts';
import type { Filter } from '../domain/rules/filters.ts';
import type { SendWindow } from '../domain/rules/send-window.ts';
import type { Database } from '../store/client.ts';
import { type ChannelName, type Localized, type SurveyKind, surveys, triggers } from '../store/schema.ts';
import { type Actor, audited } from './audit.ts';

export type SurveyInput = {
  kind: SurveyKind;
  name: string;
  question: Localized;
  followupQuestion: Localized;
  actions: SurveyAction[];
  questions?: SurveyQuestion[];
  /** The on-site widget: may it ask visitors the shop did not identify; how many days between asks. */
  widgetAnonymous?: boolean;
  widgetThrottleDays?: number;
};

export async function updateSurvey(
  { db }: Database,
  workspaceId: string,
  id: string,
  changes: Partial<Omit<SurveyInput, 'kind'>>,
  actor?: Actor,
) {
  const audit = actor && {
    actor,
    workspaceId,
    action: 'survey.update',
    kind: 'survey',
    detail: { fields: Object.keys(changes) },
  };
  return audited(
    db,
    audit,
    async (tx) => {
      const [row] = await tx
        .update(surveys)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}

export async function createSurvey({ db }: Database, workspaceId: string, input: SurveyInput, actor?: Actor) {
  const audit = actor && {
    actor,
    workspaceId,
    action: 'survey.create',
    kind: 'survey',
    detail: { name: input.name },
  };
  return audited(
    db,
    audit,
    async (tx) => {
      const [row] = await tx
        .insert(surveys)
        .values({ workspaceId, ...input })
        .returning();
      if (!row) throw new Error('survey insert returned nothing');
      return row;
    },
    (row) => row.id,
  );
}

export function listSurveys({ db }: Database, workspaceId: string) {
  return db
    .select()
    .from(surveys)
    .where(eq(surveys.workspaceId, workspaceId))
    .orderBy(asc(surveys.createdAt));
}

export async function getSurvey({ db }: Database, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(surveys)
    .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, id)));
  return row ?? null;
}

export type TriggerInput = {
  surveyId: string;
  name: string;
  eventTypes: string[];
  channels: ChannelName[];
  delay: string;
  throttleDays: number;
  enabled: boolean;
  filter?: Filter | null;
  sendWindow?: SendWindow | null;
  sampleRate?: number;
  dedupeKey?: string | null;
  cancelOn?: string[];
  reminderCount?: number;
  reminderAfterDays?: number;
  expireAfter?: string | null;
};

export async function createTrigger(
  { db }: Database,
  workspaceId: string,
  input: TriggerInput,
  actor?: Actor,
) {
  const audit = actor && {
    actor,
    workspaceId,
    action: 'trigger.create',
    kind: 'trigger',
    detail: { name: input.name },
  };
  return audited(
    db,
    audit,
    async (tx) => {
      const [row] = await tx
        .insert(triggers)
        .values({ workspaceId, ...input })
        .returning();
      if (!row) throw new Error('trigger insert returned nothing');
      return row;
    },
    (row) => row.id,
  );
}

export function listTriggers({ db }: Database, workspaceId: string) {
  return db
    .select()
    .from(triggers)
    .where(eq(triggers.workspaceId, workspaceId))
    .orderBy(asc(triggers.createdAt));
}

export async function getTrigger({ db }: Database, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, id)));
  return row ?? null;
}

export async function updateTrigger(
  { db }: Database,
  workspaceId: string,
  id: string,
  changes: Partial<TriggerInput>,
  actor?: Actor,
) {
  const audit = actor && {
    actor,
    workspaceId,
    action: 'trigger.update',
    kind: 'trigger',
    detail: { fields: Object.keys(changes) },
  };
  return audited(
    db,
    audit,
    async (tx) => {
      const [row] = await tx
        .update(triggers)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, id)))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}

/** Removes a trigger; invitations and decisions it made stay, with their trigger set to null. */
export async function deleteTrigger(
  { db }: Database,
  workspaceId: string,
  id: string,
  actor?: Actor,
): Promise<boolean> {
  const audit = actor && { actor, workspaceId, action: 'trigger.delete', kind: 'trigger' };
  const rows = await audited(
    db,
    audit,
    (tx) =>
      tx
        .delete(triggers)
        .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, id)))
        .returning({ id: triggers.id }),
    (rows) => rows[0]?.id ?? null,
  );
  return rows.length > 0;
}
