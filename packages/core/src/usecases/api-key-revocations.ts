// How a revoked key (or a changed signing secret) reaches every process at once: the caches of this process are
// dropped before the call returns, and one Redis message tells every other process (each subscribes and drops its
// own). The API and the console both revoke through here.
import type { AppContext } from '../context.ts';

/** The channel every process listens on to drop its cached API keys. */
export const apiKeysForgetChannel = (queuePrefix: string) => `${queuePrefix}:api-keys:forget`;

/** This process's key caches: dropped at once by a revocation made here, without waiting for our own message. */
const localCaches = new Set<() => void>();

/** Registers a cache of keys to drop on every revocation made in this process; returns the unregistration. */
export function onApiKeysForget(drop: () => void): () => void {
  localCaches.add(drop);
  return () => localCaches.delete(drop);
}

/**
 * Drops this process's cached keys, then tells every other process to drop theirs. A Redis outage is absorbed:
 * then every subscription is down too, and no process trusts its cache meanwhile.
 */
export async function publishApiKeysForget(ctx: Pick<AppContext, 'config' | 'redis' | 'outages' | 'log'>) {
  for (const drop of localCaches) drop();
  try {
    await ctx.redis.publish(apiKeysForgetChannel(ctx.config.QUEUE_PREFIX), 'forget');
  } catch (err) {
    if (!ctx.outages.absorb(err, 'redis')) ctx.log.warn({ err }, 'could not publish API key revocation');
  }
}
