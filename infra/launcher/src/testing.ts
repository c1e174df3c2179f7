// Test support for whole-system tests: the system on the test's servers with the first-start workspace, and an API caller.
import { bootstrapWorkspace, type Clock, systemClock } from '@surveyflow/core';
import { freePort } from '@surveyflow/local-servers';
import { testConfig } from '@surveyflow/testkit';
import { startSystem } from './system.ts';

export const SHOP_KEY = 'sf_live_system_test_key_0123456789abcdef';

type Servers = { db: { url: string }; redisUrl: string; queuePrefix: string; smtp: { url: string } };

/**
 * Starts the whole system as the "Shop" workspace. With `listen`, it serves HTTP on a free port and
 * PUBLIC_URL says so (providers such as the Twilio fake call it back); otherwise tests inject.
 */
export async function startShop(
  { db, redisUrl, queuePrefix, smtp }: Servers,
  opts: { clock?: Clock; env?: Record<string, string>; listen?: boolean } = {},
) {
  const port = opts.listen ? await freePort() : 0;
  const config = testConfig({
    databaseUrl: db.url,
    redisUrl,
    queuePrefix,
    env: {
      SMTP_URL: smtp.url,
      ...(opts.listen
        ? { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` }
        : {}),
      ...opts.env,
    },
  });
  const system = await startSystem(config, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    listen: opts.listen ?? false,
  });
  await bootstrapWorkspace(system.ctx.database, {
    apiKey: SHOP_KEY,
    name: 'Shop',
    alertEmail: 'a@shop.test',
    timezone: 'UTC',
  });
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    system.app.inject({
      method,
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${SHOP_KEY}` },
    });
  const clock = opts.clock ?? systemClock;
  return { system, api, clock, publicUrl: config.PUBLIC_URL };
}
