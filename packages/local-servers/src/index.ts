// Real Postgres and Redis servers as local processes, for `npm start` and for tests on machines without Docker.
export { freePort } from './ports.ts';
export { type EmbeddedPostgresOptions, type LocalPostgres, startEmbeddedPostgres } from './postgres.ts';
export {
  ensureRedisServerBinary,
  type LocalRedis,
  type RedisServerOptions,
  startRedisServer,
} from './redis.ts';
