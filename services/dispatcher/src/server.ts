// Runs the dispatcher alone against shared Postgres and Redis (stateless: run as many as you like behind a load balancer).
import { bootstrapWorkspace } from '@surveyflow/core';
import { runService } from '@surveyflow/http';
import { dispatcher } from './app.ts';

await runService(async (ctx, app) => {
  const boot = await bootstrapWorkspace(ctx.database, {
    apiKey: ctx.config.BOOTSTRAP_API_KEY,
    name: ctx.config.BOOTSTRAP_WORKSPACE_NAME,
    alertEmail: ctx.config.ALERT_EMAIL,
    timezone: ctx.config.DEFAULT_TIMEZONE,
  });
  if (boot.generatedKey)
    ctx.log.warn({ apiKey: boot.generatedKey }, 'first start: created a workspace; keep this API key');
  await app.register(dispatcher(ctx));
  return undefined;
});
