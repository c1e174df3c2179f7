// Runs the collector alone against shared Postgres and Redis (stateless: run as many as you like behind a load balancer).
import {
  closeContext,
  createServiceApp,
  loadConfig,
  migrateDatabase,
  openContext,
  requireUrls,
  runUntilSignal,
} from '@surveyflow/core';
import { collector } from './app.ts';

await runUntilSignal(async () => {
  const config = requireUrls(loadConfig());
  await migrateDatabase(config.DATABASE_URL);
  const ctx = openContext(config);
  const app = createServiceApp(ctx);
  await app.register(collector(ctx));
  await app.listen({ port: config.PORT, host: config.HOST });
  return async () => {
    await app.close();
    await closeContext(ctx);
  };
});
