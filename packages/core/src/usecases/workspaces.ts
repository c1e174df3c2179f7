// Workspaces and their API keys: first-start bootstrap and key authentication.

import { and, eq, isNull } from 'drizzle-orm';
import { defaultActions } from '../domain/actions.ts';
import type { QuietHours } from '../domain/rules/send-window.ts';
import type { ReliabilitySettings } from '../domain/statistics/reliability.ts';
import { apiKeyPrefix, newApiKey, sha256 } from '../domain/tokens.ts';
import type { Database } from '../store/client.ts';
import { apiKeys, surveys, triggers, workspaces } from '../store/schema.ts';

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
        await tx
          .insert(apiKeys)
          .values({
            workspaceId: existing.id,
            prefix: apiKeyPrefix(opts.apiKey),
            keyHash: sha256(opts.apiKey),
          })
          .onConflictDoNothing({ target: apiKeys.keyHash });
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
    const key = opts.apiKey ?? newApiKey('live');
    await tx.insert(apiKeys).values({ workspaceId: ws.id, prefix: apiKeyPrefix(key), keyHash: sha256(key) });
    return {
      workspaceId: ws.id,
      created: true,
      generatedKey: opts.apiKey ? null : key,
      keyPrefix: apiKeyPrefix(key),
    };
  });
}

/** The workspace a key belongs to, or null for an unknown or revoked key. */
export async function workspaceForApiKey(
  { db }: Database,
  key: string,
): Promise<{ workspaceId: string; eventSigningSecret: string | null } | null> {
  const [row] = await db
    .select({ workspaceId: apiKeys.workspaceId, eventSigningSecret: workspaces.eventSigningSecret })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

/** Creates a workspace with one API key (tests, and operators adding a tenant). */
export async function createWorkspace(
  { db }: Database,
  opts: { name: string; alertEmail?: string | null; timezone?: string },
): Promise<{ workspaceId: string; apiKey: string }> {
  return db.transaction(async (tx) => {
    const [ws] = await tx
      .insert(workspaces)
      .values({ name: opts.name, alertEmail: opts.alertEmail ?? null, timezone: opts.timezone ?? 'UTC' })
      .returning({ id: workspaces.id });
    if (!ws) throw new Error('workspace insert returned nothing');
    const key = newApiKey('live');
    await tx.insert(apiKeys).values({ workspaceId: ws.id, prefix: apiKeyPrefix(key), keyHash: sha256(key) });
    return { workspaceId: ws.id, apiKey: key };
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
};

export async function getWorkspace({ db }: Database, workspaceId: string) {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return row ?? null;
}

export async function updateWorkspace(
  { db }: Database,
  workspaceId: string,
  changes: Partial<WorkspaceSettings>,
) {
  const [row] = await db.update(workspaces).set(changes).where(eq(workspaces.id, workspaceId)).returning();
  return row ?? null;
}
