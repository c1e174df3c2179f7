// The system of record: every table Surveyflow keeps, as drizzle definitions (migrations are generated from this file).
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Role, Scope } from '../domain/access.ts';
import type { SurveyAction } from '../domain/actions.ts';
import type { ChannelName, SurveyKind } from '../domain/kinds.ts';
import type { ExtraAnswers, SurveyQuestion } from '../domain/questions.ts';
import type { Filter } from '../domain/rules/filters.ts';
import type { QuietHours, SendWindow } from '../domain/rules/send-window.ts';
import type { ReliabilitySettings } from '../domain/statistics/reliability.ts';

export {
  type ChannelName,
  channels,
  type SurveyKind,
  surveyKinds,
  triggerChannels,
} from '../domain/kinds.ts';

const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });
/** Binary data (bytea): drizzle has no built-in column for it; postgres.js reads and writes Buffers. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const workspaceRef = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

export type Localized = Record<string, string>;
export type Properties = Record<string, unknown>;

export const workspaces = pgTable('workspaces', {
  id: id(),
  name: text('name').notNull(),
  alertEmail: text('alert_email'),
  timezone: text('timezone').notNull().default('UTC'),
  /** At most one invitation per contact across all surveys within this many days (0 = off). */
  globalContactDays: integer('global_contact_days').notNull().default(0),
  /** This workspace's own ceiling on survey emails per second (null: only the fleet-wide limit). */
  emailRatePerSecond: integer('email_rate_per_second'),
  /** Local hours (in the contact's zone) no message goes out in, on the channels listed below. */
  quietHours: jsonb('quiet_hours').$type<QuietHours>(),
  quietHoursChannels: text('quiet_hours_channels').array().notNull().default(sql`'{sms}'::text[]`),
  /** Where a promoter's referral link leads (the shop's landing page); the code is added as ?ref=. */
  referralUrl: text('referral_url'),
  /** whsec_…: when set, POST /v1/events must be signed with it (Standard Webhooks headers). */
  eventSigningSecret: text('event_signing_secret'),
  /** Audit entries older than this many days are deleted by the daily retention job. */
  auditRetentionDays: integer('audit_retention_days').notNull().default(365),
  /** Events and messages older than this many months are dropped, answers anonymized (usecases/retention.ts); null: kept. */
  retentionMonths: integer('retention_months'),
  /** When a summary counts as readable (statistics/reliability.ts); null: the documented defaults. */
  reliability: jsonb('reliability').$type<ReliabilitySettings>(),
  /** The survey pages' and emails' accent (#rrggbb, checked for WCAG AA contrast when saved); null: ours. */
  accentColor: text('accent_color'),
  /** The current logo's SHA-256 and type (its bytes are in workspace_logos): the logo's URL is built from them. */
  logoSha256: text('logo_sha256'),
  logoType: text('logo_type'),
  createdAt: createdAt(),
});

/** A workspace's logo file (PNG or JPEG, at most 256 KB), apart from the workspace row so reading settings never loads it. */
export const workspaceLogos = pgTable('workspace_logos', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  content: bytea('content').notNull(),
  contentType: text('content_type').notNull(),
  sha256: text('sha256').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const apiKeys = pgTable('api_keys', {
  id: id(),
  workspaceId: workspaceRef(),
  /** What the key is for, as its creator named it ("Shop backend"). */
  name: text('name').notNull().default('API key'),
  /** What the key may do (domain/access.ts). */
  scopes: text('scopes').array().$type<Scope[]>().notNull().default(sql`'{admin}'::text[]`),
  /** The first characters of the key, safe to show ("sf_live_Ab12…"). */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key; the key itself is never stored. */
  keyHash: text('key_hash').notNull().unique(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  /** Updated at most once a minute per key, not on every request. */
  lastUsedAt: ts('last_used_at'),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
});

/**
 * A publishable key (pk_…) for the on-site widget: public by design (it sits in the shop's HTML), so it is kept
 * in clear; it only shows and answers the listed surveys, only from the listed origins, and opens no /v1 route.
 */
export const publishableKeys = pgTable(
  'publishable_keys',
  {
    id: id(),
    workspaceId: workspaceRef(),
    name: text('name').notNull(),
    key: text('key').notNull().unique(),
    surveyIds: uuid('survey_ids').array().notNull(),
    /** Exact scheme://host[:port] origins the widget may run on. */
    allowedOrigins: text('allowed_origins').array().notNull(),
    /** The identity verification secret (shops sign visitor ids with it), sealed with SECRET_KEY; shown once. */
    identitySecretSealed: text('identity_secret_sealed'),
    /** When set, an identify without a valid signature is refused. */
    requireIdentity: boolean('require_identity').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('publishable_keys_workspace').on(t.workspaceId)],
);

/** A person who signs in to the console. Their access is per workspace, through memberships. */
export const users = pgTable(
  'users',
  {
    id: id(),
    /** Lower-cased; the sign-in address. */
    email: text('email').notNull(),
    name: text('name'),
    locale: text('locale').notNull().default('en'),
    createdAt: createdAt(),
    lastSignInAt: ts('last_sign_in_at'),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

export const memberships = pgTable(
  'memberships',
  {
    workspaceId: workspaceRef(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    /** Receives the weekly digest email. */
    digest: boolean('digest').notNull().default(false),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('memberships_user').on(t.userId)],
);

/** A one-time sign-in link (also a team invitation): stored hashed, single use, short-lived. */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** For an invitation: the workspace it leads into. */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('sign_in_links_user').on(t.userId, t.createdAt)],
);

/** A signed-in browser. Server-side, so it can be revoked; the cookie holds only a random token. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** The workspace the console shows (the user may belong to several). */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'set null' }),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    /** Absolute expiry; idle expiry is counted from last_seen_at. */
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Who did what: sign-ins, keys, roles, survey and trigger edits, case resolutions, erasures, exports. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Null for instance-level actions (a workspace created by an instance admin). */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    actorKind: text('actor_kind').$type<'user' | 'api_key' | 'system'>().notNull(),
    /** The user's or key's id; null for the system. */
    actorId: uuid('actor_id'),
    /** Kept when the actor is gone: the email or the key's name and prefix. */
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetKind: text('target_kind'),
    targetId: text('target_id'),
    detail: jsonb('detail').$type<Properties>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_workspace').on(t.workspaceId, t.createdAt)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    workspaceId: workspaceRef(),
    /** The producer's own id for the customer. */
    externalId: text('external_id').notNull(),
    email: text('email'),
    phone: text('phone'),
    name: text('name'),
    locale: text('locale'),
    timezone: text('timezone'),
    optedOutAt: ts('opted_out_at'),
    /** How they opted out: link, mail, api, sms (STOP to us) or carrier (Twilio 21610). START undoes only sms and carrier. */
    optedOutVia: text('opted_out_via'),
    /** Erased on request (right to erasure): later events do not bring their details back. */
    erasedAt: ts('erased_at'),
    /** The mail server said this email address does not exist; no more mail until the address changes. */
    emailBouncedAt: ts('email_bounced_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contacts_workspace_external').on(t.workspaceId, t.externalId),
    index('contacts_phone').on(t.phone).where(sql`${t.phone} is not null`),
    // Search by the start of an id, email or phone (the console's and GET /v1/contacts?q=): lower() with
    // text_pattern_ops serves `lower(col) like 'prefix%'` under any collation.
    index('contacts_search_external').on(t.workspaceId, sql`lower(${t.externalId}) text_pattern_ops`),
    index('contacts_search_email')
      .on(t.workspaceId, sql`lower(${t.email}) text_pattern_ops`)
      .where(sql`${t.email} is not null`),
    index('contacts_search_phone')
      .on(t.workspaceId, sql`${t.phone} text_pattern_ops`)
      .where(sql`${t.phone} is not null`),
  ],
);

export const events = pgTable(
  'events',
  {
    id: id(),
    /**
     * Always its contact's workspace (one statement writes both). No foreign key of its own: the contact's
     * cascades to the event, and checking a second key for every event cost 15 % of an ingest statement.
     */
    workspaceId: uuid('workspace_id').notNull(),
    /** The producer's idempotency key. */
    externalId: text('external_id').notNull(),
    type: text('type').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    properties: jsonb('properties').$type<Properties>().notNull().default({}),
    /** Set, in the same transaction as its decisions, when the planner has handled the event. */
    plannedAt: ts('planned_at'),
    /**
     * The `events.plan` job that carries this event with the others accepted in the same statement (its id is
     * `events.plan-<plan_job>`), so the reconciler can tell a lost job from a waiting one. Null: a job of its own.
     */
    planJob: uuid('plan_job'),
  },
  (t) => [
    uniqueIndex('events_workspace_external').on(t.workspaceId, t.externalId),
    index('events_unplanned').on(t.receivedAt).where(sql`${t.plannedAt} is null`),
    // The retention job's batches: a workspace's oldest events.
    index('events_workspace_received').on(t.workspaceId, t.receivedAt),
  ],
);

export const surveys = pgTable(
  'surveys',
  {
    id: id(),
    workspaceId: workspaceRef(),
    kind: text('kind').$type<SurveyKind>().notNull(),
    name: text('name').notNull(),
    /** Question text per locale; "en" is the fallback. */
    question: jsonb('question').$type<Localized>().notNull(),
    /** The "why?" asked after a score without a comment, per locale. */
    followupQuestion: jsonb('followup_question').$type<Localized>().notNull(),
    /** What happens after an answer, per segment (alert, case, message, referral, review link). */
    actions: jsonb('actions')
      .$type<SurveyAction[]>()
      .notNull()
      .default(
        sql`'[{"type":"alert","segments":["detractor"],"emails":[]},{"type":"case","segments":["detractor"],"slaHours":48}]'::jsonb`,
      ),
    /** The optional questions after the main score (attribute ratings, one choice, free text). */
    questions: jsonb('questions').$type<SurveyQuestion[]>().notNull().default([]),
    /** The on-site widget may ask visitors the shop did not identify (one ask per browser, best-effort). */
    widgetAnonymous: boolean('widget_anonymous').notNull().default(false),
    /** The on-site widget asks a contact this survey at most once per this many days (any channel counts). */
    widgetThrottleDays: integer('widget_throttle_days').notNull().default(90),
    /**
     * Event properties (paths as in groupBy=properties.<path>: store, address.city) whose breakdowns are kept in
     * response_property_rollups as answers arrive, so grouping by them reads hours instead of answers.
     */
    rollupProperties: text('rollup_properties').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('surveys_kind', sql`${t.kind} in ('nps', 'csat', 'ces')`)],
);

/** email and sms are sent by the worker; qr is printed by the operator (receipt, parcel) and never sent. */

export const triggers = pgTable(
  'triggers',
  {
    id: id(),
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    eventTypes: text('event_types').array().notNull(),
    channels: text('channels').array().$type<ChannelName[]>().notNull(),
    /** ISO 8601 duration between the event and the invitation. */
    delay: text('delay').notNull().default('PT0S'),
    throttleDays: integer('throttle_days').notNull().default(30),
    filter: jsonb('filter').$type<Filter>(),
    sendWindow: jsonb('send_window').$type<SendWindow>(),
    sampleRate: doublePrecision('sample_rate').notNull().default(1),
    /** A field such as properties.orderId: one invitation per value per trigger. */
    dedupeKey: text('dedupe_key'),
    /** Event types (order.refunded …) that cancel this trigger's pending invitation with the same dedupe key. */
    cancelOn: text('cancel_on').array().notNull().default(sql`'{}'::text[]`),
    /** Reminders to contacts who have not answered, on the same link: how many, and how many days apart. */
    reminderCount: integer('reminder_count').notNull().default(0),
    reminderAfterDays: integer('reminder_after_days').notNull().default(3),
    /** ISO 8601 duration: an event planned when its send time is this far past is not surveyed. */
    expireAfter: text('expire_after').default('P7D'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('triggers_workspace').on(t.workspaceId)],
);

/**
 * interrupted: the sender died inside the provider call, so it may or may not have arrived; it is
 * never sent again on its own (at most once), only by an operator's resend.
 */
export const invitationStatuses = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    triggerId: uuid('trigger_id').references(() => triggers.id, { onDelete: 'set null' }),
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<ChannelName>().notNull(),
    status: text('status').$type<InvitationStatus>().notNull().default('scheduled'),
    sendAt: ts('send_at').notNull(),
    queuedAt: ts('queued_at'),
    /** When a sender claimed it; a claim past its lease with no hand-over means the sender died before sending. */
    claimedAt: ts('claimed_at'),
    /** Set just before the provider call (SMTP transaction, Twilio request): from here a crash is ambiguous. */
    handedOverAt: ts('handed_over_at'),
    /** When a claim handed over with no outcome was found past its lease (status interrupted). */
    interruptedAt: ts('interrupted_at'),
    /** When an operator last re-queued it (POST /v1/invitations/:id/resend). */
    resentAt: ts('resent_at'),
    /** SHA-256 of the survey link token; the token itself exists only in the message sent. */
    tokenHash: text('token_hash').unique(),
    tokenExpiresAt: ts('token_expires_at'),
    /** The token sealed with SECRET_KEY, so a reminder can send the same link again. */
    tokenSealed: text('token_sealed'),
    remindersSent: integer('reminders_sent').notNull().default(0),
    /** When the next reminder is due; null when none is (answered, all sent, or no reminders). */
    nextReminderAt: ts('next_reminder_at'),
    lastReminderMessageId: text('last_reminder_message_id'),
    /** When a sender claimed reminder number `reminders_sent`; cleared with its outcome (the invitation's phases, for reminders). */
    reminderClaimedAt: ts('reminder_claimed_at'),
    /** Set when that reminder is handed to the provider: from here a crash is ambiguous and it is never resent. */
    reminderHandedOverAt: ts('reminder_handed_over_at'),
    providerMessageId: text('provider_message_id'),
    sentAt: ts('sent_at'),
    failureReason: text('failure_reason'),
    /** Billed SMS parts (GSM-7 160/153, UCS-2 70/67 characters each). */
    segments: integer('segments'),
    /** The trigger's dedupe key value for the event that made it ("1001" for properties.orderId). */
    dedupeValue: text('dedupe_value'),
    /** When the retention job removed its link token, provider id and failure detail (usecases/retention.ts). */
    strippedAt: ts('stripped_at'),
    /** The list send that made it (no trigger, no event); its dedupe value is the contact's id. */
    sendId: uuid('send_id').references((): AnyPgColumn => sends.id, { onDelete: 'set null' }),
    /**
     * The batch job (invitations.send) that carries it while queued, so the reconciler can tell whether
     * that job is still pending; null when its own job (invitation.send, sms.send) does.
     */
    sendBatch: uuid('send_batch'),
    createdAt: createdAt(),
  },
  (t) => [
    // Enforced here, not only in the planner, so racing planners cannot both invite for one order.
    uniqueIndex('invitations_trigger_dedupe')
      .on(t.triggerId, t.dedupeValue)
      .where(sql`${t.dedupeValue} is not null`),
    // One invitation per contact per list send, whatever the rows say.
    uniqueIndex('invitations_send_dedupe')
      .on(t.sendId, t.dedupeValue)
      .where(sql`${t.sendId} is not null and ${t.dedupeValue} is not null`),
    index('invitations_due').on(t.sendAt).where(sql`${t.status} = 'scheduled'`),
    index('invitations_reminders_due').on(t.nextReminderAt).where(sql`${t.nextReminderAt} is not null`),
    index('invitations_stale_queue').on(t.queuedAt).where(sql`${t.status} = 'queued'`),
    index('invitations_sending').on(t.claimedAt).where(sql`${t.status} = 'sending'`),
    index('invitations_reminder_claims')
      .on(t.reminderClaimedAt)
      .where(sql`${t.reminderClaimedAt} is not null`),
    index('invitations_contact_survey').on(t.contactId, t.surveyId, t.createdAt),
    index('invitations_event').on(t.eventId),
    index('invitations_provider_message').on(t.providerMessageId),
    // The retention job's batches: a workspace's oldest invitations not yet stripped.
    index('invitations_to_strip').on(t.workspaceId, t.createdAt).where(sql`${t.strippedAt} is null`),
  ],
);

/** invited / skipped for the triggers an event matched; cancelled when the event cancelled another's invitation. */
export const decisionOutcomes = ['invited', 'skipped', 'cancelled'] as const;

export const eventDecisions = pgTable(
  'event_decisions',
  {
    id: id(),
    workspaceId: workspaceRef(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    triggerId: uuid('trigger_id').references(() => triggers.id, { onDelete: 'set null' }),
    surveyId: uuid('survey_id').references(() => surveys.id, { onDelete: 'set null' }),
    outcome: text('outcome').$type<(typeof decisionOutcomes)[number]>().notNull(),
    reason: text('reason'),
    detail: jsonb('detail').$type<Properties>(),
    invitationId: uuid('invitation_id').references(() => invitations.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('event_decisions_event').on(t.eventId)],
);

/** A permanent QR code in a place (shop, desk, kiosk): anonymous answers, tagged with the place. */
export const locations = pgTable(
  'locations',
  {
    id: id(),
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The public part of the code's URL (/l/:code); not a secret, anyone in the shop can scan it. */
    code: text('code').notNull().unique(),
    /** One answer per device per this many hours, so one person cannot stuff the box. */
    deviceLimitHours: integer('device_limit_hours').notNull().default(24),
    /** A tablet in the shop answered by one customer after another (/k/:code): limited per device per minutes, not per day. */
    kiosk: boolean('kiosk').notNull().default(false),
    properties: jsonb('properties').$type<Properties>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('locations_workspace').on(t.workspaceId)],
);

export const responses = pgTable(
  'responses',
  {
    id: id(),
    workspaceId: workspaceRef(),
    /** The invitation answered; null for an anonymous answer at a location. */
    invitationId: uuid('invitation_id')
      .unique()
      .references(() => invitations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    locationId: uuid('location_id').references(() => locations.id, { onDelete: 'cascade' }),
    /** SHA-256 of the answering device's cookie at a location (the per-device limit reads it). */
    deviceHash: text('device_hash'),
    /** SHA-256 of the answering address and browser at a location (a cap per address reads it). */
    clientHash: text('client_hash'),
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    channel: text('channel').$type<ChannelName>().notNull(),
    score: integer('score').notNull(),
    comment: text('comment'),
    /** The answering page's own id for the answer (kiosk, anonymous widget): sent twice, recorded once. */
    idempotencyKey: text('idempotency_key'),
    /** A copy of the event's properties at answer time, for segmentation. */
    properties: jsonb('properties').$type<Properties>().notNull().default({}),
    /** Answers to the survey's extra questions, by question id. */
    answers: jsonb('answers').$type<ExtraAnswers>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    editableUntil: ts('editable_until').notNull(),
    /** Set in the transaction that creates the follow-up work, so a replay does nothing. */
    followedUpAt: ts('followed_up_at'),
    /** The segment whose actions ran; an edit that changes the segment routes again, once. */
    routedSegment: text('routed_segment'),
    /** The updated_at of the version last routed: each edit after the follow-up is routed once. */
    routedAt: ts('routed_at'),
    /** When the retention job kept only its anonymous score (survey, score, segment, channel, time). */
    anonymizedAt: ts('anonymized_at'),
  },
  (t) => [
    index('responses_survey_created').on(t.surveyId, t.createdAt),
    index('responses_workspace_created').on(t.workspaceId, t.createdAt),
    /** Scores per period, survey and channel read from the index alone (the overview, metrics, referral promoters). */
    index('responses_workspace_created_score').on(t.workspaceId, t.createdAt, t.surveyId, t.score, t.channel),
    index('responses_unfollowed').on(t.createdAt).where(sql`${t.followedUpAt} is null`),
    index('responses_location_device').on(t.locationId, t.deviceHash, t.createdAt),
    uniqueIndex('responses_idempotency')
      .on(t.surveyId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('responses_unrouted_edits')
      .on(t.updatedAt)
      .where(sql`${t.followedUpAt} is not null and ${t.routedAt} is distinct from ${t.updatedAt}`),
    // Deleting an event sets event_id null here: indexed, so a batch of deletes does not scan every answer.
    index('responses_event').on(t.eventId).where(sql`${t.eventId} is not null`),
    index('responses_to_anonymize').on(t.workspaceId, t.createdAt).where(sql`${t.anonymizedAt} is null`),
    check(
      'responses_origin',
      sql`(${t.invitationId} is not null and ${t.contactId} is not null) or ${t.locationId} is not null or ${t.channel} = 'widget' or ${t.anonymizedAt} is not null`,
    ),
  ],
);

/** The scores a rollup row counts, one column each: NPS 0–10, CSAT 1–5 and CES 1–7 all fit in 0–10. */
export const rollupScores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
const scoreCount = (score: number) => integer(`n${score}`).notNull().default(0);
/** n0…n10, the columns of rollupScores (both rollup tables). */
const scoreCounts = () => ({
  n0: scoreCount(0),
  n1: scoreCount(1),
  n2: scoreCount(2),
  n3: scoreCount(3),
  n4: scoreCount(4),
  n5: scoreCount(5),
  n6: scoreCount(6),
  n7: scoreCount(7),
  n8: scoreCount(8),
  n9: scoreCount(9),
  n10: scoreCount(10),
});
const rollupShard = () => smallint('shard').notNull().default(0);

/**
 * Answers counted per survey, UTC hour of created_at and channel, one column per score: what metrics and the overview
 * read instead of the answers. Kept by the deferred triggers of migration 0025 on responses (every writer, in the
 * answer's own transaction, at its commit; since 0032 a busy key has several rows, one per answer committing at
 * once, which readers add up), rebuilt from the table by rebuild_response_rollups().
 */
export const responseRollups = pgTable(
  'response_rollups',
  {
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    hour: ts('hour').notNull(),
    channel: text('channel').$type<ChannelName>().notNull(),
    /** Concurrent answers to one survey and hour add to different rows (migration 0032): readers sum them. */
    shard: rollupShard(),
    ...scoreCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.surveyId, t.hour, t.channel, t.shard] }),
    /** The referral funnel counts a workspace's promoters per period across its surveys. */
    index('response_rollups_workspace_hour').on(t.workspaceId, t.hour),
  ],
);

/**
 * Answers counted per survey, rolled-up property (one of the survey's rollup_properties), its value (null: answers
 * without it) and UTC hour, one column per score: what groupBy=properties.<path> and the drivers read for those
 * properties. Kept by the same deferred trigger as response_rollups (migrations 0031, 0032), and recounted for a
 * property when a survey starts rolling it up (updateSurvey).
 */
export const responsePropertyRollups = pgTable(
  'response_property_rollups',
  {
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    property: text('property').notNull(),
    value: text('value'),
    hour: ts('hour').notNull(),
    shard: rollupShard(),
    ...scoreCounts(),
  },
  (t) => [
    unique('response_property_rollups_key')
      .on(t.surveyId, t.property, t.hour, t.value, t.shard)
      .nullsNotDistinct(),
  ],
);

/** interrupted: as for invitations, the sender died inside the provider call; never sent again on its own. */
export const notificationStatuses = [
  'pending',
  'sending',
  'sent',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export const notificationChannels = ['email', 'sms', 'slack'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/** Outbox for messages that are not invitations (alerts, follow-ups): rendered once, sent at most once. */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    workspaceId: workspaceRef(),
    kind: text('kind').notNull(),
    channel: text('channel').$type<NotificationChannel>().notNull(),
    /** An email address, a phone number, or a Slack webhook URL. */
    recipient: text('recipient').notNull(),
    /** The customer it goes to, if any: an opt-out before sending cancels it. */
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    /** The invitation whose link the message carries; the link is put in only when sending (tokens are not stored). */
    invitationId: uuid('invitation_id').references(() => invitations.id, { onDelete: 'set null' }),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    /** Extra mail headers (List-Unsubscribe on messages to customers). */
    headers: jsonb('headers').$type<Record<string, string>>(),
    /** Inline images (the digest's chart, cid:…), base64. */
    attachments: jsonb('attachments').$type<MailAttachment[]>(),
    /** What makes this message unique ("alert:<responseId>"): a replayed job inserts nothing new. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    status: text('status').$type<(typeof notificationStatuses)[number]>().notNull().default('pending'),
    providerMessageId: text('provider_message_id'),
    failureReason: text('failure_reason'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
    /** The claim and the hand-over, with the same lease rule as invitations. */
    claimedAt: ts('claimed_at'),
    handedOverAt: ts('handed_over_at'),
    interruptedAt: ts('interrupted_at'),
  },
  (t) => [
    index('notifications_pending').on(t.createdAt).where(sql`${t.status} = 'pending'`),
    index('notifications_sending').on(t.claimedAt).where(sql`${t.status} = 'sending'`),
    index('notifications_workspace_created').on(t.workspaceId, t.createdAt),
  ],
);

export const caseStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** A detractor's answer becomes a case a person owns until it is resolved. */
export const cases = pgTable(
  'cases',
  {
    id: id(),
    workspaceId: workspaceRef(),
    responseId: uuid('response_id')
      .notNull()
      .unique()
      .references(() => responses.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    status: text('status').$type<CaseStatus>().notNull().default('open'),
    owner: text('owner'),
    /** The member working the case; set to null when they leave the workspace. */
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    dueAt: ts('due_at').notNull(),
    /** Hours from opening (or reopening) to due. */
    slaHours: integer('sla_hours').notNull(),
    escalateTo: text('escalate_to'),
    escalatedAt: ts('escalated_at'),
    resolution: text('resolution'),
    resolvedAt: ts('resolved_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('cases_workspace_status').on(t.workspaceId, t.status, t.createdAt),
    index('cases_overdue').on(t.dueAt).where(sql`${t.status} <> 'resolved' and ${t.escalatedAt} is null`),
    /** A workspace's unresolved cases by due date: the overview's overdue count and list. */
    index('cases_workspace_open_due').on(t.workspaceId, t.dueAt).where(sql`${t.status} <> 'resolved'`),
  ],
);

/** Every change to a case, in order: who did what, from what to what. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    actor: text('actor').notNull(),
    detail: jsonb('detail').$type<Properties>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('case_events_case').on(t.caseId, t.id)],
);

/** A promoter's personal referral link (/r/:code) and what came of it. */
export const referrals = pgTable(
  'referrals',
  {
    id: id(),
    workspaceId: workspaceRef(),
    responseId: uuid('response_id')
      .notNull()
      .unique()
      .references(() => responses.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    code: text('code').notNull().unique(),
    createdAt: createdAt(),
  },
  (t) => [index('referrals_workspace').on(t.workspaceId, t.createdAt)],
);

/** One click per visitor per day (visitor: a hash of address and user agent; bots are not counted). */
export const referralClicks = pgTable(
  'referral_clicks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    visitorHash: text('visitor_hash').notNull(),
    day: text('day').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('referral_clicks_visitor_day').on(t.referralId, t.visitorHash, t.day)],
);

/** An event that carried a referral code (the friend's order): the recommendation really happened. */
export const referralConversions = pgTable(
  'referral_conversions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    /** Null once the retention job dropped the event: the conversion still counts. */
    eventId: uuid('event_id')
      .unique()
      .references(() => events.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('referral_conversions_referral').on(t.referralId)],
);

export const webhookEventTypes = [
  'response.created',
  'response.updated',
  'case.created',
  'case.escalated',
  'case.resolved',
  'contact.unsubscribed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
/** Sent only by "send test" (POST /v1/webhooks/:id/test, the console's button): never subscribed to. */
export const webhookTestEvent = 'webhook.test';
/** What a delivery can carry: a subscribed event, or the test. */
export type WebhookDeliveryType = WebhookEventType | typeof webhookTestEvent;

/** Endpoints that hear about events, signed per the Standard Webhooks spec. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: id(),
    workspaceId: workspaceRef(),
    url: text('url').notNull(),
    eventTypes: text('event_types').array().$type<WebhookEventType[]>().notNull(),
    /** whsec_… — the endpoint verifies our signature with it. */
    secret: text('secret').notNull(),
    /** Failed attempts in a row; a success resets it, too many disable the endpoint. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    disabledAt: ts('disabled_at'),
    disabledReason: text('disabled_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('webhooks_workspace').on(t.workspaceId)],
);

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;

/** One event for one endpoint (its id is the webhook-id header): tried until delivered or out of attempts. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventType: text('event_type').$type<WebhookDeliveryType>().notNull(),
    /** The exact JSON body sent, so every attempt is byte-for-byte the same message. */
    body: text('body').notNull(),
    status: text('status').$type<(typeof webhookDeliveryStatuses)[number]>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_webhook').on(t.webhookId, t.createdAt),
  ],
);

/** Each try of a delivery: when, what the endpoint answered, how long it took. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('webhook_attempts_delivery_attempt').on(t.deliveryId, t.attempt)],
);

/**
 * Twilio's word on each text message, from status callbacks. Keyed by message SID, not by invitation:
 * a callback may arrive before the sender has recorded the SID, and must not be lost.
 */
export const smsStatuses = pgTable('sms_statuses', {
  messageSid: text('message_sid').primaryKey(),
  /** queued, sending, sent, delivered, undelivered or failed; a final one never changes. */
  status: text('status').notNull(),
  errorCode: text('error_code'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * Every inbound text (Twilio's MessageSid) we have applied, so a replayed or re-delivered webhook
 * changes nothing. Kept for good: Twilio's signature carries no timestamp, so a captured request can be
 * replayed at any time. `received_at` is our receipt of the first delivery — the order texts are applied in.
 */
export const smsInboundMessages = pgTable('sms_inbound_messages', {
  messageSid: text('message_sid').primaryKey(),
  receivedAt: ts('received_at').notNull().defaultNow(),
});

/** Every status callback (MessageSid + MessageStatus) we have applied: a replay changes nothing. */
export const smsStatusCallbacks = pgTable(
  'sms_status_callbacks',
  {
    messageSid: text('message_sid').notNull(),
    status: text('status').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageSid, t.status] })],
);

/** Where mail and SMS go when no provider is configured; shown at /dev/outbox. */
export const devOutbox = pgTable('dev_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  channel: text('channel').notNull(),
  messageId: text('message_id').notNull(),
  sender: text('sender').notNull(),
  recipient: text('recipient').notNull(),
  subject: text('subject'),
  text: text('text').notNull(),
  html: text('html'),
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  createdAt: createdAt(),
});

// Telling the team (usecases/digest.ts, usecases/drop-alerts.ts): each row proves a report went out once.

/** A file carried by an email; `cid` makes it an inline image the HTML shows as <img src="cid:…">. */
export type MailAttachment = { filename: string; contentType: string; cid: string; contentBase64: string };

/** One weekly digest per workspace and week (the local Monday it began), whatever number of workers race for it. */
export const digests = pgTable(
  'digests',
  {
    workspaceId: workspaceRef(),
    week: text('week').notNull(),
    recipients: integer('recipients').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.week] })],
);

/** The daily drop check, once per workspace and local day. */
export const dropChecks = pgTable(
  'drop_checks',
  {
    workspaceId: workspaceRef(),
    day: text('day').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
);

/** At most one drop alert per survey per week: what dropped, by how much, and its p-value. */
export const dropAlerts = pgTable(
  'drop_alerts',
  {
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    workspaceId: workspaceRef(),
    week: text('week').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.surveyId, t.week] })],
);

export const connectorKinds = ['shopify', 'woocommerce', 'zendesk', 'json'] as const;
export type ConnectorKind = (typeof connectorKinds)[number];

/** A generic JSON connector's mapping and optional signature check (domain/connectors/json-mapping.ts). */
export type JsonConnectorSettings = {
  /** JSONata from the payload to { id, type, contact: { id, email?, … }, properties? }. */
  expression: string;
  /** A header whose value is the platform's delivery id; without one, the mapped event id is. */
  deliveryIdHeader?: string | undefined;
  signature?:
    | {
        header: string;
        algorithm: 'sha1' | 'sha256' | 'sha512';
        encoding: 'hex' | 'base64';
        /** Text before the digest in the header, e.g. "sha256=". */
        prefix?: string | undefined;
      }
    | undefined;
};

/** Where a Zendesk connector mirrors cases (the API); the token is sealed like the secret. */
export type ZendeskApiSettings = { url: string; email: string; tokenSealed: string; tokenHint: string };

/**
 * Inbound connectors: a platform (Shopify, WooCommerce, Zendesk, any JSON) posting webhooks to
 * /hooks/:id. The platform secret is needed to verify, so it is sealed (AES-256-GCM under
 * SECRET_KEY), never hashed, and never shown again after creation except its hint.
 */
export const connectors = pgTable(
  'connectors',
  {
    id: id(),
    workspaceId: workspaceRef(),
    kind: text('kind').$type<ConnectorKind>().notNull(),
    name: text('name').notNull(),
    secretSealed: text('secret_sealed'),
    /** The last four characters of the secret, so an operator can tell which one is set. */
    secretHint: text('secret_hint'),
    json: jsonb('json').$type<JsonConnectorSettings>(),
    zendeskApi: jsonb('zendesk_api').$type<ZendeskApiSettings>(),
    disabledAt: ts('disabled_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('connectors_workspace').on(t.workspaceId, t.createdAt)],
);

export const connectorOutcomes = ['accepted', 'duplicate', 'ignored', 'rejected'] as const;
export type ConnectorOutcome = (typeof connectorOutcomes)[number];

/**
 * Every verified delivery a connector received: unique per (connector, the platform's delivery id),
 * so a re-delivery changes nothing. No payload is kept: the event holds what was mapped.
 */
export const connectorDeliveries = pgTable(
  'connector_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceRef(),
    connectorId: uuid('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id').notNull(),
    topic: text('topic'),
    outcome: text('outcome').$type<ConnectorOutcome>().notNull(),
    /** The event's id (the producer id we derived), when one was made or already known. */
    eventId: text('event_id'),
    /** Why nothing was made: the topic is not one we map, or which field was missing. */
    reason: text('reason'),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('connector_deliveries_delivery').on(t.connectorId, t.deliveryId),
    index('connector_deliveries_recent').on(t.connectorId, t.receivedAt),
  ],
);

/**
 * A case mirrored into Zendesk as a ticket: the link, and the work still owed to Zendesk (create the
 * ticket; comment on it when the case is resolved here). The due scanner leases what is due.
 */
export const caseTickets = pgTable(
  'case_tickets',
  {
    caseId: uuid('case_id')
      .primaryKey()
      .references(() => cases.id, { onDelete: 'cascade' }),
    workspaceId: workspaceRef(),
    connectorId: uuid('connector_id')
      .notNull()
      .references(() => connectors.id, { onDelete: 'cascade' }),
    /** The survey action's extra settings: tags, priority. */
    settings: jsonb('settings').$type<{ tags?: string[]; priority?: string }>().notNull().default({}),
    ticketId: text('ticket_id'),
    ticketCreatedAt: ts('ticket_created_at'),
    /** Solved in Zendesk (its webhook): the case was resolved from there, no comment goes back. */
    ticketSolvedAt: ts('ticket_solved_at'),
    /** Set when the case is resolved here: a comment on the ticket is owed. */
    commentDueAt: ts('comment_due_at'),
    commentPostedAt: ts('comment_posted_at'),
    /** Lease and retry time of the owed work; null when nothing is owed or it failed for good. */
    nextAttemptAt: ts('next_attempt_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    index('case_tickets_due').on(t.nextAttemptAt).where(sql`${t.nextAttemptAt} is not null`),
    index('case_tickets_ticket').on(t.connectorId, t.ticketId),
  ],
);

/** running: chunk jobs plan its rows; paused and cancelled stop them at the next chunk; done: every row planned. */
export const sendStates = ['uploading', 'running', 'paused', 'cancelled', 'done'] as const;
export type SendState = (typeof sendStates)[number];

/** A list send: a CSV of contacts invited to a survey, planned by the same rules as an event, with its progress. */
export const sends = pgTable(
  'sends',
  {
    id: id(),
    workspaceId: workspaceRef(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    /** Tried in order: the first the contact has a working address for. */
    channels: text('channels').array().$type<('email' | 'sms')[]>().notNull(),
    /** When the invitations are due (null: at once), moved into the send window and out of quiet hours per contact. */
    sendAt: ts('send_at'),
    sendWindow: jsonb('send_window').$type<SendWindow>(),
    throttleDays: integer('throttle_days').notNull().default(30),
    sampleRate: doublePrecision('sample_rate').notNull().default(1),
    /** Planned and counted, nothing stored to send. */
    dryRun: boolean('dry_run').notNull().default(false),
    state: text('state').$type<SendState>().notNull().default('uploading'),
    fileName: text('file_name'),
    rowsRead: integer('rows_read').notNull().default(0),
    /** Rows decided so far (invited, skipped or bad); the chunk jobs move it forward in their transaction. */
    planned: integer('planned').notNull().default(0),
    invited: integer('invited').notNull().default(0),
    bad: integer('bad').notNull().default(0),
    /** Skipped rows by reason (skipReasons). */
    skipped: jsonb('skipped').$type<Record<string, number>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('sends_workspace').on(t.workspaceId, t.createdAt)],
);

export const sendRowOutcomes = ['pending', 'invited', 'skipped', 'bad'] as const;
export type SendRowOutcome = (typeof sendRowOutcomes)[number];

/** One row of a send's CSV, by line number: staged pending, then decided once (the key makes a resume skip it). */
export const sendRows = pgTable(
  'send_rows',
  {
    sendId: uuid('send_id')
      .notNull()
      .references(() => sends.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    workspaceId: workspaceRef(),
    externalId: text('external_id'),
    email: text('email'),
    phone: text('phone'),
    name: text('name'),
    locale: text('locale'),
    timezone: text('timezone'),
    properties: jsonb('properties').$type<Properties>().notNull().default({}),
    outcome: text('outcome').$type<SendRowOutcome>().notNull().default('pending'),
    /** Why it was skipped (a skip reason) or bad (what is wrong with the row). */
    reason: text('reason'),
    detail: jsonb('detail').$type<Properties>(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    invitationId: uuid('invitation_id').references(() => invitations.id, { onDelete: 'set null' }),
  },
  (t) => [
    primaryKey({ columns: [t.sendId, t.line] }),
    index('send_rows_outcome').on(t.sendId, t.outcome, t.line),
    // An answer finds its row's properties by invitation (and deleting an invitation nulls the link).
    index('send_rows_invitation').on(t.invitationId).where(sql`${t.invitationId} is not null`),
  ],
);
