// Everything a service needs at run time, opened once per process and closed in order on shutdown.
import { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { type Clock, systemClock } from './clock.ts';
import type { Config, RunnableConfig } from './config.ts';
import { Queues } from './queues.ts';
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
};

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'surveyflow' } });
}

/** BullMQ needs maxRetriesPerRequest: null so a blocked worker never gives up on Redis. */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

export function openContext(
  config: RunnableConfig,
  options: { clock?: Clock; log?: Logger } = {},
): AppContext {
  const redis = createRedis(config.REDIS_URL);
  return {
    config,
    database: createDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }),
    redis,
    redisUrl: config.REDIS_URL,
    queues: new Queues(redis, config.QUEUE_PREFIX),
    clock: options.clock ?? systemClock,
    log: options.log ?? createLogger(config),
  };
}

/** Queues first (they may still be flushing), then Redis, then Postgres. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queues.close();
  await ctx.redis.quit().catch(() => ctx.redis.disconnect());
  await ctx.database.close();
}
