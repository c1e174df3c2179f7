// The one place that reads the environment: parsed once with zod, a bad value stops start-up naming the variable.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  QUEUE_PREFIX: z.string().min(1).default('sf'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /**
   * SMTP connections each worker process keeps open and reuses (nodemailer's pool): a connection, TLS and
   * login per message would cost more than the message. Keep it within what the provider allows per client.
   */
  SMTP_POOL_SIZE: positiveInt.default(5),
  /** Messages sent over one pooled connection before it is closed and a fresh one opened. */
  SMTP_MAX_MESSAGES: positiveInt.default(100),
  MAIL_FROM: z.string().min(3).default('Surveyflow <surveys@surveyflow.local>'),
  /** DKIM-sign outgoing mail when all three are set (the private key as PEM, \n allowed for newlines). */
  DKIM_DOMAIN: z.string().min(3).optional(),
  DKIM_SELECTOR: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z
    .string()
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be a PEM private key')
    .optional(),
  /** An address whose mail reaches POST /email/inbound/<INBOUND_EMAIL_TOKEN>: adds a mailto: to List-Unsubscribe. */
  UNSUBSCRIBE_MAILTO: z.email().optional(),
  INBOUND_EMAIL_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{24,}$/, 'must be at least 24 URL-safe characters (e.g. openssl rand -hex 16)')
    .optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  /** The sending number (E.164) or, instead, a Messaging Service SID (MG…). */
  TWILIO_FROM: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +15005550006')
    .optional(),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits')
    .optional(),
  /** Where the Twilio REST API lives; change only for a proxy or a test double. */
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  /** Text messages per second per sender (a US long code allows 1). */
  SMS_RATE_PER_SECOND: positiveInt.default(1),
  BOOTSTRAP_API_KEY: z
    .string()
    .regex(
      /^sf_(live|test)_[A-Za-z0-9_-]{20,}$/,
      'must look like sf_live_ followed by at least 20 characters',
    )
    .optional(),
  /** Seals survey tokens at rest so reminders can resend the same link; keep it out of the database's backups. */
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
  BOOTSTRAP_WORKSPACE_NAME: z.string().min(1).default('Demo shop'),
  ALERT_EMAIL: z.email().default('alerts@surveyflow.local'),
  DEFAULT_TIMEZONE: z.string().min(1).default('UTC'),
  TOKEN_TTL_DAYS: positiveInt.default(30),
  EDIT_WINDOW_MINUTES: positiveInt.default(30),
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  /** Let webhooks and Slack URLs be http or point at private addresses (development and tests only). */
  OUTBOUND_ALLOW_PRIVATE: bool.default(false),
  /** Load balancers in front of the services; X-Forwarded-For is believed only that many hops deep. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  WORKER_CONCURRENCY: positiveInt.default(8),
  /**
   * How long a worker's hold on a running job lasts unrenewed (BullMQ's lockDuration; renewed at half of
   * it, and stalled jobs are looked for as often). A worker that dies mid-job gives its job up this late.
   */
  JOB_LOCK_MS: z.coerce.number().int().min(5000).max(600_000).default(30_000),
  /**
   * Email sends in flight per worker process. A send mostly waits (for its commits and its turn on a
   * pooled SMTP connection), and sends in flight together share their claim, hand-over and settlement
   * statements: more in flight means fewer commits per mail. The SMTP pool still bounds the connections.
   */
  EMAIL_CONCURRENCY: positiveInt.default(48),
  /**
   * Due email invitations per send job (invitations.send): Redis does a job's work once per batch. Capped
   * at EMAIL_RATE_PER_SECOND, so a batch fits the provider's pace; 1 gives every invitation its own job.
   */
  EMAIL_BATCH_SIZE: positiveInt.default(20),
  /**
   * Events planned together in one transaction (and list-send rows per chunk job step); the events
   * queue runs twice this many jobs at once so one chunk gathers while another is planned.
   */
  PLANNING_CHUNK_SIZE: positiveInt.default(250),
  /**
   * Chunks one worker process plans at once (each in its own transaction, one Postgres core each); a chunk
   * starts only once the one before holds its locks, so events of one contact stay in order.
   */
  PLANNING_CHUNKS_IN_FLIGHT: positiveInt.default(2),
  /** Emails per second across all workers (BullMQ's limiter lives in Redis); bursts queue up, nothing is dropped. */
  EMAIL_RATE_PER_SECOND: positiveInt.default(20),
  DUE_SCAN_INTERVAL_MS: positiveInt.default(1000),
  RECONCILE_INTERVAL_MS: positiveInt.default(30_000),
  RECONCILE_AFTER_MS: positiveInt.default(60_000),
  /**
   * How long a message (invitation, notification) is retried through transient provider errors and
   * outages before it fails for good; never past the invitation's link expiry. Hours, fractions allowed.
   */
  DELIVERY_RETRY_HORIZON_HOURS: z.coerce.number().positive().default(24),
  /** The first wait after a transient send error; it doubles each time up to DELIVERY_BACKOFF_MAX_MS. */
  DELIVERY_BACKOFF_BASE_MS: positiveInt.default(1000),
  DELIVERY_BACKOFF_MAX_MS: positiveInt.default(300_000),
  /**
   * A claim handed to the provider with no outcome after this long died inside the provider call: it is
   * marked interrupted. (A claim not yet handed over is re-queued after RECONCILE_AFTER_MS.)
   */
  DELIVERY_LEASE_MS: positiveInt.default(600_000),
  FOLLOWUP_COMMENT_WAIT_MS: z.coerce.number().int().min(0).default(120_000),
  /** Tries per webhook delivery (backoff 1 s, 2 s, 4 s … capped at 1 h) before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: positiveInt.default(8),
  /** Failed attempts in a row, across deliveries, after which an endpoint is disabled and its workspace emailed. */
  WEBHOOK_DISABLE_AFTER_FAILURES: positiveInt.default(20),
  /** How long one webhook attempt may take, connect to last header; longer counts as a failure. */
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** How often the worker looks for weekly digests (Monday 08:00 local) and daily drop checks (07:00 local) that are due. */
  REPORTS_SCAN_INTERVAL_MS: positiveInt.default(900_000),
  DEV_OUTBOX: bool.optional(),
  /** When set, GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open (keep it off the internet). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 16)').optional(),
  /** Mounts the queue dashboard at /admin/queues behind this token; unset, there is no dashboard. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 16)').optional(),
  // People and access (console sign-in and sessions).
  /** The first workspace's owner, created on first start; the default lands in the dev outbox. */
  BOOTSTRAP_OWNER_EMAIL: z.email().default('owner@surveyflow.local'),
  /** Comma-separated addresses that may create workspaces (the bootstrap owner always may). */
  INSTANCE_ADMIN_EMAILS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim().toLowerCase())
        .filter((a) => a !== ''),
    )
    .pipe(z.array(z.email('must be a comma-separated list of email addresses')))
    .default([]),
  /** A console session unused this long is over. */
  SESSION_IDLE_MINUTES: positiveInt.default(720),
  /** A console session ends this long after sign-in, however busy. */
  SESSION_MAX_DAYS: positiveInt.default(30),
  /** Sign-in links asked for one address, and from one client address, per 15 minutes. */
  SIGN_IN_LIMIT_PER_EMAIL: positiveInt.default(5),
  SIGN_IN_LIMIT_PER_CLIENT: positiveInt.default(30),
  /** Authorises POST /v1/workspaces (automation creating tenants); unset, that route refuses everyone. */
  INSTANCE_ADMIN_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters (e.g. openssl rand -hex 24)')
    .optional(),
});

/** Every variable the services read, for the README's configuration table (config-docs.test.ts keeps them equal). */
export const configVariables: readonly string[] = Object.keys(schema.shape);

/** Variables that only make sense together: one set without the others is a mistake worth stopping for. */
const groups = [
  ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'],
  ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
  ['UNSUBSCRIBE_MAILTO', 'INBOUND_EMAIL_TOKEN'],
] as const;

export type Env = z.input<typeof schema>;

export type Config = Omit<z.output<typeof schema>, 'PUBLIC_URL' | 'DEV_OUTBOX'> & {
  PUBLIC_URL: string;
  /** True when mail goes to the dev outbox (no SMTP_URL, or DEV_OUTBOX=true). */
  DEV_OUTBOX: boolean;
  /** True when text messages go to the dev outbox (no Twilio account configured, or DEV_OUTBOX=true). */
  SMS_DEV_OUTBOX: boolean;
};

/** What a running process needs beyond the defaults: its servers and the secret. */
export type RunnableConfig = Config & { DATABASE_URL: string; REDIS_URL: string; SECRET_KEY: string };

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": `FOO= npm start` must not fail validation.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  const c = parsed.data;
  const incomplete: ConfigError['issues'] = groups.flatMap((group) => {
    const set = group.filter((v) => c[v] !== undefined);
    return set.length === 0 || set.length === group.length
      ? []
      : group
          .filter((v) => c[v] === undefined)
          .map((variable) => ({ variable, message: `required when ${set.join(', ')} is set` }));
  });
  if (c.TWILIO_ACCOUNT_SID && !c.TWILIO_FROM && !c.TWILIO_MESSAGING_SERVICE_SID) {
    incomplete.push({
      variable: 'TWILIO_FROM',
      message: 'required (or TWILIO_MESSAGING_SERVICE_SID) when TWILIO_ACCOUNT_SID is set',
    });
  }
  if (incomplete.length > 0) throw new ConfigError(incomplete);
  const port = c.PORT === 0 ? 3000 : c.PORT;
  return {
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    DEV_OUTBOX: c.DEV_OUTBOX ?? c.SMTP_URL === undefined,
    SMS_DEV_OUTBOX: c.DEV_OUTBOX === true || c.TWILIO_ACCOUNT_SID === undefined,
    TWILIO_API_URL: c.TWILIO_API_URL.replace(/\/+$/, ''),
  };
}
