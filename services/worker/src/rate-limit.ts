// Per-workspace send limits: a fixed one-second window counted in Redis, shared by every worker process.
import type { AppContext } from '@surveyflow/core';
import { DelayedError, type Job } from 'bullmq';

/**
 * Takes a slot in this second's window for the key. Returns 0 when the send may go now, else how
 * many milliseconds until the next window. Wall time on purpose: BullMQ's delays run on it too.
 */
export async function takeSlot(ctx: AppContext, key: string, perSecond: number): Promise<number> {
  const now = Date.now();
  const window = Math.floor(now / 1000);
  const redisKey = `${ctx.config.QUEUE_PREFIX}:rate:${key}:${window}`;
  const [[, count]] = (await ctx.redis.multi().incr(redisKey).pexpire(redisKey, 2000).exec()) as [
    [null, number],
    unknown,
  ];
  return count <= perSecond ? 0 : (window + 1) * 1000 - now;
}

/**
 * Takes up to `wanted` slots in this second's window at once (a batch's members of one workspace):
 * how many may go now, and how long until the next window for the rest.
 */
export async function takeSlots(
  ctx: AppContext,
  key: string,
  perSecond: number,
  wanted: number,
): Promise<{ admitted: number; waitMs: number }> {
  const now = Date.now();
  const window = Math.floor(now / 1000);
  const redisKey = `${ctx.config.QUEUE_PREFIX}:rate:${key}:${window}`;
  const [[, count]] = (await ctx.redis.multi().incrby(redisKey, wanted).pexpire(redisKey, 2000).exec()) as [
    [null, number],
    unknown,
  ];
  return {
    admitted: Math.max(0, Math.min(wanted, perSecond - (count - wanted))),
    waitMs: (window + 1) * 1000 - now,
  };
}

/**
 * Holds a send job back when its workspace is over its own email rate: the job goes to the delayed
 * set (nothing is dropped, other workspaces keep sending) and comes back in the next window.
 */
export async function holdIfOverWorkspaceLimit(
  ctx: AppContext,
  job: Job,
  token: string | undefined,
  limit: { workspaceId: string; perSecond: number | null } | null,
): Promise<void> {
  if (!limit?.perSecond) return;
  const wait = await takeSlot(ctx, `email:${limit.workspaceId}`, limit.perSecond);
  if (wait === 0) return;
  await job.moveToDelayed(Date.now() + wait + Math.floor(Math.random() * 50), token);
  throw new DelayedError();
}
