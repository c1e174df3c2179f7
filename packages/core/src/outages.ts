// Connection trouble with Redis or Postgres, told once per outage (and once when it ends) instead of once per retry.
import type { Logger } from 'pino';

export type Dependency = 'redis' | 'postgres';

/** Node's and the drivers' codes for "the server is not there" (ioredis and postgres.js keep Node's, plus their own). */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/** The connection failure in an error's cause chain (drizzle wraps the driver's error; AggregateError holds several). */
export function connectionFailure(err: unknown): { code: string; port?: number } | undefined {
  let e = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const { code, port, errors } = e as { code?: unknown; port?: unknown; errors?: unknown };
    if (typeof code === 'string' && connectionCodes.has(code)) {
      return typeof port === 'number' ? { code, port } : { code };
    }
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = connectionFailure(errors[0]);
      if (inner) return inner;
    }
    // ioredis: "Connection is closed." / "Stream isn't writeable" while it reconnects.
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /^Connection is closed|Stream isn't writeable/.test(message)) {
      return { code: 'CONNECTION_CLOSED' };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const portOf = (url: string, fallback: number) => {
  try {
    return Number(new URL(url).port) || fallback;
  } catch {
    return fallback;
  }
};

/**
 * One per process. Redis tells us itself when it is back (ioredis' 'ready'); Postgres does not, so
 * while it is down a probe asks every second and the first answer ends the outage.
 */
export class Outages {
  private readonly down = new Map<Dependency, { since: number; code: string }>();
  /** Redis connections not ready again since the outage began; the outage ends when the last one is. */
  private readonly redisWaiting = new Set<object>();
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly redisPort: number;
  private readonly postgresPort: number | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: {
      redisUrl: string;
      postgresUrl?: string;
      postgresProbe?: () => Promise<unknown>;
    },
  ) {
    this.redisPort = portOf(options.redisUrl, 6379);
    this.postgresPort = options.postgresUrl ? portOf(options.postgresUrl, 5432) : undefined;
  }

  isDown(dependency: Dependency): boolean {
    return this.down.has(dependency);
  }

  /**
   * Takes an error from anywhere (a scan, a worker, a request): a connection failure is recorded
   * (logged when it starts an outage) and true returned, so the caller need not log it; anything else
   * is the caller's to report.
   */
  absorb(err: unknown, hint?: Dependency): boolean {
    const failure = connectionFailure(err);
    if (!failure) return false;
    // A refused connection to some other server (a customer's webhook, Slack) is not our outage.
    const known =
      failure.port === undefined || failure.port === this.redisPort || failure.port === this.postgresPort;
    if (!hint && this.postgresPort !== undefined && !known) return false;
    const dependency = hint ?? (failure.port === this.redisPort ? 'redis' : 'postgres');
    this.markDown(dependency, failure.code, err);
    return true;
  }

  /** An ioredis client of ours: its endless 'error' events (one per reconnect attempt) become one line. */
  watchRedis(client: {
    on(event: 'error', listener: (err: Error) => void): unknown;
    on(event: 'ready', listener: () => void): unknown;
  }): void {
    client.on('error', (err) => {
      this.redisWaiting.add(client);
      if (!connectionFailure(err)) {
        this.log.error({ err }, 'redis error');
        return;
      }
      this.markDown('redis', connectionFailure(err)?.code ?? 'unknown', err);
    });
    client.on('ready', () => {
      this.redisWaiting.delete(client);
      if (this.redisWaiting.size === 0) this.markUp('redis');
    });
  }

  private markDown(dependency: Dependency, code: string, err: unknown) {
    if (this.down.has(dependency)) return;
    this.down.set(dependency, { since: Date.now(), code });
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn({ dependency, code, error: message }, `${dependency} unavailable`);
    if (dependency === 'postgres') this.probePostgres();
  }

  private markUp(dependency: Dependency) {
    const outage = this.down.get(dependency);
    if (!outage) return;
    this.down.delete(dependency);
    this.log.info({ dependency, downForMs: Date.now() - outage.since }, `${dependency} back`);
  }

  private probePostgres() {
    const probe = this.options.postgresProbe;
    if (!probe || this.probeTimer) return;
    let asking = false;
    this.probeTimer = setInterval(() => {
      if (asking) return;
      asking = true;
      probe()
        .then(
          () => {
            clearInterval(this.probeTimer);
            this.probeTimer = undefined;
            this.markUp('postgres');
          },
          () => {},
        )
        .finally(() => {
          asking = false;
        });
    }, 1000);
    this.probeTimer.unref();
  }

  close(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }
}
