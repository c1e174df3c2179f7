// Runs only the canary, with the same global setup (real Postgres and Redis) as the real test run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['infra/ci/canary.fail.ts'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    pool: 'forks',
    hookTimeout: 120_000,
  },
});
