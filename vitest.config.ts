// One test run for the whole monorepo: unit tests (*.test.ts) and integration tests (*.int.test.ts)
// share one Postgres and one Redis started by the testkit's global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,services}/*/src/**/*.test.ts', 'infra/**/src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    // Child processes, not threads: services under test install signal handlers and spawn processes.
    pool: 'forks',
    testTimeout: 30_000,
    // The first embedded Postgres initialises a cluster; services under test start Fastify and BullMQ.
    hookTimeout: 120_000,
  },
});
