// Runs the worker alone against shared Postgres and Redis (scale it out by running more of these).
// It serves only /health and /ready, so orchestrators can probe it like the other services.
import {
  closeContext,
  createServiceApp,
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
  const probes = createServiceApp(ctx);
  await probes.listen({ port: config.PORT, host: config.HOST });
  return async () => {
    await probes.close();
    await worker.close();
    await closeContext(ctx);
  };
});
