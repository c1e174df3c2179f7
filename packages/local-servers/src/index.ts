export { freePort } from './ports.ts';
export { type LocalPostgres, startEmbeddedPostgres } from './postgres.ts';
export { ensureRedisServerBinary, type LocalRedis, startRedisServer } from './redis.ts';
