// Runs the worker alone against shared Postgres and Redis (scale it out by running more of these).
// Its HTTP app serves only /health and /ready, so orchestrators can probe it like the other services.
import { runService } from '@surveyflow/http';
import { startWorker } from './worker.ts';

await runService(async (ctx) => {
  const worker = startWorker(ctx);
  return () => worker.close();
});
