// Runs the console alone against shared Postgres and Redis (stateless: sessions are rows, limits live in Redis).
import { runService } from '@surveyflow/http';
import { operatorConsole } from './app.ts';

await runService(async (ctx, app) => {
  await app.register(operatorConsole(ctx));
  return undefined;
});
