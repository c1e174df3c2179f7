// Test support for whole-system tests: the system on the test's servers with the first-start workspace, an API caller, and fixtures that start and stop it.
import { bootstrapWorkspace, type Clock, systemClock } from '@surveyflow/core';
import { freePort } from '@surveyflow/local-servers';
import { test as servers, type TwilioFake, testConfig } from '@surveyflow/testkit';
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

export type Shop = Awaited<ReturnType<typeof startShop>>;
export type ShopOptions = NonNullable<Parameters<typeof startShop>[1]>;
/** The `shopWith` fixture: starts the Shop on the test's servers; stopped when the test ends. */
export type ShopWith = (options?: ShopOptions) => Promise<Shop>;

/**
 * The testkit's fixtures plus the whole system. `shop` is the system started as the Shop on this
 * test's servers with `shopOptions` (set them for a suite with `test.override('shopOptions', …)`);
 * `shopWith(options)` starts one with options the test makes itself (its own clock, say). Every
 * system a test started is stopped when it ends, before its database is dropped.
 */
export const test = servers
  .extend('shopOptions', {} as ShopOptions)
  .extend('shopWith', ({ db, redisUrl, queuePrefix, smtp }, { onCleanup }) => {
    const started: Shop[] = [];
    onCleanup(async () => {
      for (const shop of started.reverse()) await shop.system.stop();
    });
    const start: ShopWith = async (options = {}) => {
      const shop = await startShop({ db, redisUrl, queuePrefix, smtp }, options);
      started.push(shop);
      return shop;
    };
    return start;
  })
  .extend('shop', ({ shopWith, shopOptions }) => shopWith(shopOptions));

/** The Shop's number in the SMS tests. */
export const SMS_FROM = '+15005550006';

/** The Shop on a port, texting through the Twilio fake (which calls it back), its trigger switched to SMS. */
export async function startSmsShop(shopWith: ShopWith, twilio: TwilioFake, env: Record<string, string> = {}) {
  const shop = await shopWith({
    listen: true,
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: SMS_FROM,
      TWILIO_API_URL: twilio.url,
      SMS_RATE_PER_SECOND: '50',
      ...env,
    },
  });
  const [trigger] = (await shop.api('GET', '/v1/triggers')).json().data;
  await shop.api('PATCH', `/v1/triggers/${trigger.id}`, { channels: ['sms'] });
  return shop;
}
