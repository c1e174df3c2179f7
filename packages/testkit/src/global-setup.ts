// Vitest global setup: one Postgres and one Redis for the whole run — from the environment, from Docker via
// testcontainers, or as local processes — and a migrated template database that each test copies.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '@surveyflow/core';
import { startEmbeddedPostgres, startRedisServer } from '@surveyflow/local-servers';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A maintenance database on the test server, for creating and dropping databases. */
    pgAdminUrl: string;
    redisUrl: string;
    /** The migrated database every test database is copied from. */
    templateDb: string;
  }
}

export const TEMPLATE_DB = 'sf_template';

type Stop = () => Promise<unknown>;

export default async function setup(project: TestProject) {
  const started = Date.now();
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const servers = await startServers(stops);
    await createTemplate(servers.pgAdminUrl);
    console.log(
      `test servers: ${servers.postgres}, ${servers.redis}; ${TEMPLATE_DB} migrated (${Date.now() - started} ms)`,
    );
    project.provide('pgAdminUrl', servers.pgAdminUrl);
    project.provide('redisUrl', servers.redisUrl);
    project.provide('templateDb', TEMPLATE_DB);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}

async function startServers(stops: Stop[]) {
  const fromEnv = { pg: process.env.DATABASE_URL, redis: process.env.REDIS_URL };
  const docker = !fromEnv.pg || !fromEnv.redis ? await dockerAnswers() : false;
  let dir: string | undefined;
  const scratch = async () => {
    if (dir) return dir;
    dir = await mkdtemp(join(tmpdir(), 'sf-test-'));
    const made = dir;
    stops.push(() => rm(made, { recursive: true, force: true }));
    // As root, Postgres runs as the `postgres` user, which must be able to enter this directory.
    await chmod(made, 0o755);
    return made;
  };

  let pgAdminUrl: string;
  let postgresFrom: string;
  if (fromEnv.pg) {
    pgAdminUrl = fromEnv.pg;
    postgresFrom = 'Postgres from DATABASE_URL';
  } else if (docker) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    stops.push(() => container.stop());
    pgAdminUrl = container.getConnectionUri();
    postgresFrom = 'Postgres in Docker (postgres:17-alpine)';
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: join(await scratch(), 'pg'), persistent: false });
    stops.push(pg.stop);
    pgAdminUrl = pg.adminUrl;
    postgresFrom = 'embedded Postgres';
  }

  let redisUrl: string;
  let redisFrom: string;
  if (fromEnv.redis) {
    redisUrl = fromEnv.redis;
    redisFrom = 'Redis from REDIS_URL';
  } else if (docker) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => container.stop());
    redisUrl = container.getConnectionUrl();
    redisFrom = 'Redis in Docker (redis:7-alpine)';
  } else {
    const redis = await startRedisServer({ dataDir: join(await scratch(), 'redis') });
    stops.push(redis.stop);
    redisUrl = redis.url;
    redisFrom = 'local redis-server';
  }
  return { pgAdminUrl, redisUrl, postgres: postgresFrom, redis: redisFrom };
}

/** True when a Docker engine answers within a few seconds; the CLI alone is not enough. */
async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), 5000);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Migrates once into a template; each test gets a copy (CREATE DATABASE … TEMPLATE takes about 0.1 s).
 * A copy needs the template to have no sessions, so it refuses connections once migrated.
 */
async function createTemplate(pgAdminUrl: string): Promise<void> {
  const admin = postgres(pgAdminUrl, { max: 1, onnotice: () => {} });
  try {
    // A server given by DATABASE_URL may still hold the template of an earlier run.
    const [previous] = await admin`select 1 from pg_database where datname = ${TEMPLATE_DB}`;
    if (previous) {
      await admin.unsafe(`alter database ${TEMPLATE_DB} is_template false`);
      await admin.unsafe(`drop database ${TEMPLATE_DB} with (force)`);
    }
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
    await migrateDatabase(withDatabase(pgAdminUrl, TEMPLATE_DB));
    await admin.unsafe(`alter database ${TEMPLATE_DB} is_template true allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${TEMPLATE_DB}`;
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
