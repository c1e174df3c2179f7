// Runs the dispatcher alone against shared Postgres and Redis (stateless: run as many as you like behind a load balancer).
import {
  bootstrapWorkspace,
  closeContext,
  createServiceApp,
  loadConfig,
  migrateDatabase,
  openContext,
  requireUrls,
  runUntilSignal,
} from '@surveyflow/core';
import { dispatcher } from './app.ts';

await runUntilSignal(async () => {
  const config = requireUrls(loadConfig());
  await migrateDatabase(config.DATABASE_URL);
  const ctx = openContext(config);
  const boot = await bootstrapWorkspace(ctx.database, {
    apiKey: config.BOOTSTRAP_API_KEY,
    name: config.BOOTSTRAP_WORKSPACE_NAME,
    alertEmail: config.ALERT_EMAIL,
    timezone: config.DEFAULT_TIMEZONE,
  });
  if (boot.generatedKey)
    ctx.log.warn({ apiKey: boot.generatedKey }, 'first start: created a workspace; keep this API key');
  const app = createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  await app.listen({ port: config.PORT, host: config.HOST });
  return async () => {
    await app.close();
    await closeContext(ctx);
  };
});
