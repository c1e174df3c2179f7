// The whole system in one process: dispatcher, collector and console on one HTTP server, the worker beside them.
import { collector } from '@surveyflow/collector';
import { operatorConsole } from '@surveyflow/console';
import {
  type AppContext,
  type Clock,
  closeContext,
  type EmailChannel,
  type Logger,
  migrateDatabase,
  openContext,
  type RunnableConfig,
} from '@surveyflow/core';
import { dispatcher } from '@surveyflow/dispatcher';
import { createServiceApp } from '@surveyflow/http';
import { type RunningWorker, startWorker } from '@surveyflow/worker';
import type { FastifyInstance } from 'fastify';

export type System = {
  app: FastifyInstance;
  ctx: AppContext;
  worker: RunningWorker;
  /** Stops taking requests, finishes running jobs, then closes Redis and Postgres. */
  stop(): Promise<void>;
};

export async function startSystem(
  config: RunnableConfig,
  options: { clock?: Clock; log?: Logger; email?: EmailChannel; listen?: boolean } = {},
): Promise<System> {
  await migrateDatabase(config.DATABASE_URL);
  const ctx = openContext(config, options);
  const app = await createServiceApp(ctx);
  await app.register(dispatcher(ctx));
  await app.register(collector(ctx));
  await app.register(operatorConsole(ctx));
  const worker = startWorker(ctx, options.email ? { email: options.email } : {});
  if (options.listen !== false) await app.listen({ port: config.PORT, host: config.HOST });
  else await app.ready();
  return {
    app,
    ctx,
    worker,
    async stop() {
      await app.close();
      await worker.close();
      await closeContext(ctx);
    },
  };
}
