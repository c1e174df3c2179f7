// Everything a service needs at run time, opened once per process and closed in order on shutdown.
import { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { type Clock, systemClock } from './clock.ts';
import type { Config, RunnableConfig } from './config.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { Outages } from './outages.ts';
import { Queues, queueNames } from './queues.ts';
import { createDatabase, type Database } from './store/client.ts';

export type { Logger };

export type AppContext = {
  config: RunnableConfig;
  database: Database;
  /** The connection queues produce on; workers open their own blocking connections from redisUrl. */
  redis: Redis;
  redisUrl: string;
  queues: Queues;
  clock: Clock;
  log: Logger;
  /** Redis and Postgres outages, logged once each (and once when they end). */
  outages: Outages;
  metrics: Metrics;
};

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'surveyflow' } });
}

/**
 * BullMQ needs maxRetriesPerRequest: null so a blocked worker never gives up on Redis. With `outages`
 * its connection errors (one per reconnect attempt) are logged once per outage; without a listener
 * ioredis would print each one to stderr as an "Unhandled error event".
 */
export function createRedis(url: string, outages?: Outages): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  if (outages) outages.watchRedis(redis);
  return redis;
}

export function openContext(
  config: RunnableConfig,
  options: { clock?: Clock; log?: Logger } = {},
): AppContext {
  const log = options.log ?? createLogger(config);
  const database = createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const outages = new Outages(log, {
    redisUrl: config.REDIS_URL,
    postgresUrl: config.DATABASE_URL,
    postgresProbe: () => database.ping(),
  });
  const redis = createRedis(config.REDIS_URL, outages);
  const queues = new Queues(redis, config.QUEUE_PREFIX);
  for (const name of Object.values(queueNames)) {
    // A Queue re-emits its connection's errors; the connection's own listener has told them already.
    queues.queue(name).on('error', (err) => {
      if (!outages.absorb(err, 'redis')) log.error({ err, queue: name }, 'queue error');
    });
  }
  return {
    config,
    database,
    redis,
    redisUrl: config.REDIS_URL,
    queues,
    clock: options.clock ?? systemClock,
    log,
    outages,
    metrics: createMetrics({ queues, database }),
  };
}

/** Queues first (they may still be flushing), then Redis, then Postgres. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queues.close();
  await ctx.redis.quit().catch(() => ctx.redis.disconnect());
  await ctx.database.close();
  ctx.outages.close();
}
