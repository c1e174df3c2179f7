// Runs the collector alone against shared Postgres and Redis (stateless: run as many as you like behind a load balancer).
import { runService } from '@surveyflow/http';
import { collector } from './app.ts';

await runService(async (ctx, app) => {
  await app.register(collector(ctx));
  return undefined;
});
