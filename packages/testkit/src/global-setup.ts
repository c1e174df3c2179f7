// Vitest global setup: one Postgres and one Redis for the whole run — from the environment, from Docker via
// testcontainers, or as local processes — and a migrated template database that each test file copies.
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
    pgAdminUrl: string;
    redisUrl: string;
    templateDb: string;
  }
}

export const TEMPLATE_DB = 'sf_template';

type Stop = () => Promise<unknown>;

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject) {
  const stops: Stop[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sf-test-'));
  // As root, Postgres runs as a `postgres` system user, which must be able to enter this directory.
  await chmod(dir, 0o755);
  const docker = !process.env.DATABASE_URL || !process.env.REDIS_URL ? await dockerAnswers() : false;
  const paths: string[] = [];

  let pgAdminUrl = process.env.DATABASE_URL;
  if (pgAdminUrl) paths.push('Postgres from DATABASE_URL');
  else if (docker) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    stops.push(() => container.stop());
    pgAdminUrl = container.getConnectionUri();
    paths.push('Postgres in Docker (testcontainers)');
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), persistent: false });
    stops.push(pg.stop);
    pgAdminUrl = pg.adminUrl;
    paths.push('embedded Postgres');
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) paths.push('Redis from REDIS_URL');
  else if (docker) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => container.stop());
    redisUrl = container.getConnectionUrl();
    paths.push('Redis in Docker (testcontainers)');
  } else {
    const redis = await startRedisServer({ dataDir: join(dir, 'redis') });
    stops.push(redis.stop);
    redisUrl = redis.url;
    paths.push('local redis-server');
  }

  // Migrate once into a template; every test file gets a copy (CREATE DATABASE … TEMPLATE is fast).
  const admin = postgres(pgAdminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  await admin.end();
  await migrateDatabase(withDatabase(pgAdminUrl, TEMPLATE_DB));

  console.log(`test servers: ${paths.join(', ')}`);
  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('templateDb', TEMPLATE_DB);

  return async () => {
    for (const stop of stops.reverse()) await stop();
    await rm(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
