// Process lifecycle shared by every entry point: start, report a bad configuration plainly, stop cleanly on a signal.
import type { FastifyInstance } from 'fastify';
import { type Config, ConfigError, loadConfig, type RunnableConfig } from './config.ts';
import { type AppContext, closeContext, openContext } from './context.ts';
import { migrateDatabase } from './db/client.ts';
import { createServiceApp } from './http.ts';

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
 * Starts, then waits for SIGINT/SIGTERM and stops in order. A second signal exits at once.
 * A bad configuration prints the variables at fault and exits with status 78 (EX_CONFIG).
 */
export async function runUntilSignal(start: () => Promise<Stop>): Promise<void> {
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
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.error(`${signal}: finishing work in progress, then stopping…`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * A service process on its own: configuration, migrations, Postgres and Redis, the HTTP app (with
 * /health and /ready), then `configure` adds what this service does. Stops in reverse order.
 */
export async function runService(
  configure: (ctx: AppContext, app: FastifyInstance) => Promise<Stop | undefined>,
): Promise<void> {
  await runUntilSignal(async () => {
    const config = requireUrls(loadConfig());
    await migrateDatabase(config.DATABASE_URL);
    const ctx = openContext(config);
    const app = createServiceApp(ctx);
    const stopService = await configure(ctx, app);
    await app.listen({ port: config.PORT, host: config.HOST });
    return async () => {
      await app.close();
      await stopService?.();
      await closeContext(ctx);
    };
  });
}
