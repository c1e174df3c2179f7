// Runs the worker alone against shared Postgres and Redis (scale it out by running more of these).
import {
  closeContext,
  loadConfig,
  migrateDatabase,
  openContext,
  requireUrls,
  runUntilSignal,
} from '@surveyflow/core';
import { startWorker } from './worker.ts';

await runUntilSignal(async () => {
  const config = requireUrls(loadConfig());
  await migrateDatabase(config.DATABASE_URL);
  const ctx = openContext(config);
  const worker = startWorker(ctx);
  return async () => {
    await worker.close();
    await closeContext(ctx);
  };
});
