// Surveys and triggers as operators configure them, always scoped to one workspace.

import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SurveyAction } from '../domain/actions.ts';
import type { SurveyQuestion } from '../domain/questions.ts';
import type { Filter } from '../domain/rules/filters.ts';
import type { SendWindow } from '../domain/rules/send-window.ts';
import type { Database, Tx } from '../store/client.ts';
import {
  type ChannelName,
  type Localized,
  responsePropertyRollups,
  type SurveyKind,
  surveys,
  triggers,
} from '../store/schema.ts';
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
  /** Event properties (store, address.city) whose breakdowns are rolled up as answers arrive; at most maxRollupProperties. */
  rollupProperties?: string[];
};

/** How many properties a survey may roll up: each is one more row written per answer and up to one per value and hour. */
export const maxRollupProperties = 5;

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
      const wanted = changes.rollupProperties && [...new Set(changes.rollupProperties)];
      const update = (t: Tx) =>
        t
          .update(surveys)
          .set({ ...changes, ...(wanted && { rollupProperties: wanted }), updatedAt: new Date() })
          .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, id)))
          .returning();
      if (!wanted) return (await update(tx))[0] ?? null;
      // A new list is recounted in one transaction under the survey row's lock, which every answer's rollup trigger waits
      // for (migration 0031): answers recorded meanwhile are counted once, by the recount or after it.
      return tx.transaction(async (t) => {
        const [current] = await t
          .select({ rollupProperties: surveys.rollupProperties })
          .from(surveys)
          .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, id)))
          .for('update');
        if (!current) return null;
        const [row] = await update(t);
        for (const path of wanted.filter((p) => !current.rollupProperties.includes(p))) {
          await t.execute(sql`select rebuild_response_property_rollups(${id}, ${path})`);
        }
        const dropped = current.rollupProperties.filter((p) => !wanted.includes(p));
        if (dropped.length) {
          await t
            .delete(responsePropertyRollups)
            .where(
              and(
                eq(responsePropertyRollups.surveyId, id),
                inArray(responsePropertyRollups.property, dropped),
              ),
            );
        }
        return row ?? null;
      });
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
        .values({
          workspaceId,
          ...input,
          ...(input.rollupProperties && { rollupProperties: [...new Set(input.rollupProperties)] }),
        })
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
