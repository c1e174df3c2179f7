// Workspaces and their API keys: first-start bootstrap and key authentication.

import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Scope } from '../domain/access.ts';
import { defaultActions } from '../domain/actions.ts';
import type { QuietHours } from '../domain/rules/send-window.ts';
import type { ReliabilitySettings } from '../domain/statistics/reliability.ts';
import { newApiKey, sha256 } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { apiKeys, memberships, surveys, triggers, users, workspaces } from '../store/schema.ts';
import { insertApiKey } from './api-keys.ts';
import { type Actor, audited, recordAudit } from './audit.ts';

/** The key made on first start: one admin key among the workspace's others. */
export const BOOTSTRAP_KEY_NAME = 'Bootstrap key';
const bootstrap: Actor = { kind: 'system', label: 'first start' };

export const defaultNpsSurvey = {
  kind: 'nps' as const,
  name: 'Post-delivery NPS',
  question: {
    en: 'How likely are you to recommend {company} to a friend or colleague?',
    ru: 'Насколько вероятно, что вы порекомендуете {company} другу или коллеге?',
    pl: 'Jak bardzo prawdopodobne jest, że polecisz {company} znajomemu lub współpracownikowi?',
  },
  followupQuestion: {
    en: 'What is the main reason for your score?',
    ru: 'Какая главная причина вашей оценки?',
    pl: 'Jaki jest główny powód Twojej oceny?',
  },
};

/** The "why?" asked when a survey does not set its own. */
export const defaultFollowupQuestion = defaultNpsSurvey.followupQuestion;

export type BootstrapResult = {
  workspaceId: string;
  created: boolean;
  /** The API key in clear text: only when it was generated now (a BOOTSTRAP_API_KEY is known to its owner). */
  generatedKey: string | null;
  keyPrefix: string | null;
};

/**
 * On first start: a workspace with an NPS survey and an order.delivered trigger, and an API key.
 * Later starts change nothing, except that a BOOTSTRAP_API_KEY not yet known is added.
 */
export async function bootstrapWorkspace(
  { db }: Database,
  opts: { apiKey?: string | undefined; name: string; alertEmail: string; timezone: string },
): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    // Two processes starting together must not both create a workspace.
    await tx.execute('select pg_advisory_xact_lock(727310002)');
    const [existing] = await tx.select().from(workspaces).orderBy(workspaces.createdAt).limit(1);
    if (existing) {
      if (opts.apiKey) {
        const [known] = await tx
          .select({ id: apiKeys.id })
          .from(apiKeys)
          .where(eq(apiKeys.keyHash, sha256(opts.apiKey)));
        if (!known) {
          await insertApiKey(
            tx,
            { workspaceId: existing.id, name: BOOTSTRAP_KEY_NAME, scopes: ['admin'] },
            bootstrap,
            opts.apiKey,
          );
        }
      }
      return { workspaceId: existing.id, created: false, generatedKey: null, keyPrefix: null };
    }
    const [ws] = await tx
      .insert(workspaces)
      .values({ name: opts.name, alertEmail: opts.alertEmail, timezone: opts.timezone })
      .returning();
    if (!ws) throw new Error('workspace insert returned nothing');
    const [survey] = await tx
      .insert(surveys)
      .values({ workspaceId: ws.id, ...defaultNpsSurvey, actions: defaultActions() })
      .returning({ id: surveys.id });
    if (!survey) throw new Error('survey insert returned nothing');
    await tx.insert(triggers).values({
      workspaceId: ws.id,
      surveyId: survey.id,
      name: 'NPS after delivery',
      eventTypes: ['order.delivered'],
      channels: ['email'],
      delay: 'PT0S',
      throttleDays: 30,
    });
    const { key, row } = await insertApiKey(
      tx,
      { workspaceId: ws.id, name: BOOTSTRAP_KEY_NAME, scopes: ['admin'] },
      bootstrap,
      opts.apiKey ?? newApiKey('live'),
    );
    return {
      workspaceId: ws.id,
      created: true,
      generatedKey: opts.apiKey ? null : key,
      keyPrefix: row.prefix,
    };
  });
}

/** What a working key is: its workspace (and that workspace's event-signing secret), and what the key may do. */
export type KeyOwner = {
  workspaceId: string;
  eventSigningSecret: string | null;
  keyId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
};

/** The workspace a key belongs to, with the key's scopes, or null for an unknown or revoked key. */
export async function workspaceForApiKey({ db }: Database, key: string): Promise<KeyOwner | null> {
  const [row] = await db
    .select({
      workspaceId: apiKeys.workspaceId,
      eventSigningSecret: workspaces.eventSigningSecret,
      keyId: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
    })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export type NewWorkspace = {
  name: string;
  alertEmail?: string | null;
  timezone?: string;
  /** The first key's name and scopes (default: one admin key). */
  keyName?: string;
  keyScopes?: Scope[];
  /** When given, this person (created if new) becomes the workspace's owner. */
  ownerEmail?: string | null;
  ownerName?: string | null;
  /** Who asked (default: Surveyflow itself); recorded in the audit log. */
  actor?: Actor;
};

/**
 * Creates a workspace with its first API key (an admin key unless told otherwise) and, given an owner's
 * email, that user and their owner membership. Tests, `POST /v1/workspaces` and operators adding a tenant.
 */
export async function createWorkspace(
  { db }: Database,
  opts: NewWorkspace,
): Promise<{ workspaceId: string; apiKey: string; keyId: string; ownerId: string | null }> {
  const actor = opts.actor ?? { kind: 'system', label: 'Surveyflow' };
  return db.transaction(async (tx) => {
    const [ws] = await tx
      .insert(workspaces)
      .values({ name: opts.name, alertEmail: opts.alertEmail ?? null, timezone: opts.timezone ?? 'UTC' })
      .returning({ id: workspaces.id });
    if (!ws) throw new Error('workspace insert returned nothing');
    let ownerId: string | null = null;
    if (opts.ownerEmail) {
      const email = opts.ownerEmail.trim().toLowerCase();
      const [user] = await tx
        .insert(users)
        .values({ email, name: opts.ownerName ?? null })
        .onConflictDoUpdate({ target: users.email, set: { email: sql`excluded.email` } })
        .returning({ id: users.id });
      if (!user) throw new Error('user upsert returned nothing');
      ownerId = user.id;
      await tx.insert(memberships).values({ workspaceId: ws.id, userId: user.id, role: 'owner' });
    }
    await recordAudit(tx, {
      workspaceId: ws.id,
      actor,
      action: 'workspace.create',
      target: { kind: 'workspace', id: ws.id },
      detail: {
        name: opts.name,
        ...(opts.ownerEmail ? { owner: opts.ownerEmail.trim().toLowerCase() } : {}),
      },
    });
    const { key, row } = await insertApiKey(
      tx,
      { workspaceId: ws.id, name: opts.keyName ?? 'Admin key', scopes: opts.keyScopes ?? ['admin'] },
      actor,
    );
    return { workspaceId: ws.id, apiKey: key, keyId: row.id, ownerId };
  });
}

export type WorkspaceSettings = {
  name: string;
  alertEmail: string | null;
  timezone: string;
  globalContactDays: number;
  emailRatePerSecond: number | null;
  quietHours: QuietHours | null;
  quietHoursChannels: string[];
  referralUrl: string | null;
  eventSigningSecret: string | null;
  /** When a summary counts as readable; null: the defaults (statistics/reliability.ts). */
  reliability: ReliabilitySettings | null;
  /** How many days audit entries are kept (the daily retention job deletes older ones). */
  auditRetentionDays: number;
  /** Months events and messages are kept (usecases/retention.ts); null: forever. */
  retentionMonths: number | null;
  /** Survey pages' and emails' accent (#rrggbb, checked by accentColorSchema); null: Surveyflow's own. */
  accentColor: string | null;
};

export async function getWorkspace({ db }: Database, workspaceId: string) {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ?? null;
}

/** What the audit log keeps of a settings change: the new values, a secret only as set or removed. */
export function settingsAuditDetail(changes: Partial<WorkspaceSettings>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(changes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => (k === 'eventSigningSecret' ? [k, v ? 'set' : 'removed'] : [k, v])),
  );
}

/** Changes the workspace's settings; with an actor (the API's PATCH, the console's Settings) audited as `workspace.update`. */
export async function updateWorkspace(
  { db }: Database,
  workspaceId: string,
  changes: Partial<WorkspaceSettings>,
  actor?: Actor,
) {
  const audit = actor && {
    actor,
    workspaceId,
    action: 'workspace.update',
    kind: 'workspace',
    detail: settingsAuditDetail(changes),
  };
  return audited(
    db,
    audit,
    async (tx) => {
      const [row] = await tx
        .update(workspaces)
        .set(changes)
        .where(eq(workspaces.id, workspaceId))
        .returning();
      return row ?? null;
    },
    (row) => row?.id ?? null,
  );
}
