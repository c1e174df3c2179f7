// Process lifecycle shared by every entry point: start, report a bad configuration plainly, stop cleanly on a signal.
import {
  type AppContext,
  type Config,
  ConfigError,
  closeContext,
  loadConfig,
  migrateDatabase,
  openContext,
  type RunnableConfig,
} from '@surveyflow/core';
import closeWithGrace from 'close-with-grace';
import { createServiceApp, type HttpApp } from './app.ts';

export type Stop = () => Promise<void>;

/**
 * Standalone services need shared Postgres and Redis and the shared secret; only the all-in-one
 * launcher starts its own servers and keeps a generated secret in DATA_DIR.
 */
export function requireUrls(config: Config): RunnableConfig {
  const missing = (['DATABASE_URL', 'REDIS_URL', 'SECRET_KEY'] as const).filter((k) => !config[k]);
  if (missing.length) {
    throw new ConfigError(
      missing.map((variable) => ({
        variable,
        message: 'required when a service runs alone (npm start runs everything with local servers)',
      })),
    );
  }
  return config as RunnableConfig;
}

/**
 * Starts, then waits for a signal (SIGINT, SIGTERM, …) and stops in order, within `timeoutMs`; a
 * second signal exits at once. An uncaught error or unhandled rejection is logged, then the process
 * stops the same way and exits 1. A bad configuration prints the variables at fault and exits with
 * status 78 (EX_CONFIG).
 */
export async function runUntilSignal(
  start: () => Promise<Stop>,
  { timeoutMs = 25_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  let stop: Stop;
  try {
    stop = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  }
  // Under the usual 30 s an orchestrator waits after SIGTERM before it kills.
  closeWithGrace(
    {
      delay: timeoutMs,
      logger: console,
      onSecondSignal: (signal) => {
        console.error(`${signal} again: exiting without waiting`);
        process.exit(130);
      },
      onTimeout: (ms) => console.error(`work in progress did not finish within ${ms} ms: exiting anyway`),
    },
    async ({ signal, err }) => {
      if (err) console.error('stopping after an uncaught error:', err);
      // A signal is how people stop us (Ctrl-C): one line, no stack trace.
      else if (signal) console.error(`${signal}: finishing work in progress, then stopping…`);
      await stop();
    },
  );
}

/**
 * A service process on its own: configuration, migrations, Postgres and Redis, the HTTP app (with
 * /health and /ready), then `configure` adds what this service does. Stops in reverse order.
 */
export async function runService(
  configure: (ctx: AppContext, app: HttpApp) => Promise<Stop | undefined>,
): Promise<void> {
  await runUntilSignal(async () => {
    const config = requireUrls(loadConfig());
    await migrateDatabase(config.DATABASE_URL);
    const ctx = openContext(config);
    const app = await createServiceApp(ctx);
    const stopService = await configure(ctx, app);
    await app.listen({ port: config.PORT, host: config.HOST });
    return async () => {
      await app.close();
      await stopService?.();
      await closeContext(ctx);
    };
  });
}
