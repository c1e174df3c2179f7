// The one way a claimed message leaves the building, on any channel: send (the adapter records the hand-over at its
// last safe moment), then record what happened.
import {
  type AppContext,
  gaveUpPrefix,
  type HandOver,
  HandOverRefusedError,
  PermanentDeliveryError,
  ProviderUnavailableError,
  type QueueName,
  type SendOutcome,
} from '@surveyflow/core';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';

const HOUR_MS = 3_600_000;

export type Delivery<R> = {
  /**
   * Records the hand-over (from then on a crash is ambiguous); false when the claim is no longer this
   * sender's, and then nothing is sent.
   */
  handOver: () => Promise<boolean>;
  /**
   * Sends, calling `handOver` at the last moment before the provider gets the message: an adapter
   * after connecting and being greeted (SMTP: after 354), or `handingOverFirst` for one that cannot.
   */
  send: (handOver: HandOver) => Promise<R>;
  settle: (outcome: SendOutcome) => Promise<void>;
  onPermanent?: (err: PermanentDeliveryError) => Promise<void>;
  /**
   * When the message stops being worth retrying (the invitation's link expires): transient errors
   * are retried until then or DELIVERY_RETRY_HORIZON_HOURS after `since`, whichever comes first.
   */
  since?: Date | null;
  validUntil?: Date | null;
};

/** How one send ended, once its outcome is recorded on the row. */
export type Attempt<R> =
  | { sent: R }
  /** The claim went to another sender (this one stalled past its lease): nothing was sent, nothing to record. */
  | { refused: true }
  /** Failed for good (a permanent refusal, or transient errors until the horizon); the row says why. */
  | { failed: string }
  /** Transient: the claim is released (queued again) and the send must be tried again later. */
  | { retry: unknown; unavailable?: ProviderUnavailableError };

/**
 * Sends and records the outcome, whatever job carries it (its own, or a batch's). A permanent refusal
 * fails the row (after `onPermanent`, which may suppress the address). A transient error releases the
 * claim until the horizon (`since` + DELIVERY_RETRY_HORIZON_HOURS, or the link's expiry), where the row
 * fails for good.
 */
export async function attempt<R extends { messageId: string; segments?: number }>(
  ctx: AppContext,
  queue: QueueName,
  d: Delivery<R> & { since: Date },
): Promise<Attempt<R>> {
  let phase = 'claimed' as 'claimed' | 'handed over' | 'refused';
  const handOver: HandOver = async () => {
    if (phase !== 'claimed') return phase === 'handed over';
    phase = (await d.handOver()) ? 'handed over' : 'refused';
    return phase === 'handed over';
  };
  let sent: R;
  try {
    sent = await d.send(handOver);
    // An adapter that returned without the hook was never told: its send counts all the same.
  } catch (err) {
    if (phase === 'refused' || err instanceof HandOverRefusedError) return { refused: true };
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof PermanentDeliveryError) {
      await d.onPermanent?.(err);
      await d.settle({ failed: err.kind === 'rejected' ? reason : `${err.kind}: ${reason}` });
      return { failed: reason };
    }
    const horizon = d.since.getTime() + ctx.config.DELIVERY_RETRY_HORIZON_HOURS * HOUR_MS;
    const deadline = Math.min(horizon, d.validUntil?.getTime() ?? Number.POSITIVE_INFINITY);
    if (ctx.clock.now().getTime() >= deadline) {
      const hours = ((ctx.clock.now().getTime() - d.since.getTime()) / HOUR_MS).toFixed(1);
      await d.settle({ failed: `${gaveUpPrefix} after ${hours} h of transient errors: ${reason}` });
      return { failed: reason };
    }
    await d.settle({ retry: true });
    return err instanceof ProviderUnavailableError ? { retry: err, unavailable: err } : { retry: err };
  }
  outages.recovered(outageKey(ctx, queue));
  await d.settle({ sent: sent.messageId, at: ctx.clock.now(), segments: sent.segments });
  return { sent };
}

/**
 * A send that is its job's only work: as `attempt`, then BullMQ does the waiting. A permanent failure
 * stops retries; when the provider is down (ProviderUnavailableError) the whole queue waits, without
 * using up this job's attempts; otherwise this job waits with capped exponential backoff.
 */
export async function deliver<R extends { messageId: string; segments?: number }>(
  ctx: AppContext,
  job: Job,
  token: string | undefined,
  d: Delivery<R>,
): Promise<R | null> {
  const queue = job.queueName as QueueName;
  const a = await attempt(ctx, queue, { ...d, since: d.since ?? new Date(job.timestamp) });
  if ('sent' in a) return a.sent;
  if ('refused' in a) return null;
  if ('failed' in a) throw new UnrecoverableError(a.failed);
  if (a.unavailable) {
    await pauseForOutage(ctx, queue, a.unavailable);
    throw Worker.RateLimitError();
  }
  if (!token) throw a.retry;
  await job.moveToDelayed(Date.now() + backoff(ctx.config, job.attemptsStarted), token);
  throw new DelayedError();
}

/** The provider is down: every worker on the queue stops taking its jobs for a while (doubling while it lasts). */
export async function pauseForOutage(ctx: AppContext, queue: QueueName, err: ProviderUnavailableError) {
  const wait = outages.failed(outageKey(ctx, queue), ctx.config, err.retryAfterMs);
  await ctx.queues.queue(queue).rateLimit(wait);
}

/** For an adapter with no later safe point: the hand-over, then the call. */
export const handingOverFirst =
  <R>(call: () => Promise<R>) =>
  async (handOver: HandOver): Promise<R> => {
    if (!(await handOver())) throw new HandOverRefusedError();
    return call();
  };

type BackoffConfig = { DELIVERY_BACKOFF_BASE_MS: number; DELIVERY_BACKOFF_MAX_MS: number };

/** base, 2 × base, 4 × base … capped, with a little jitter so retries do not arrive in step. */
export function backoff(config: BackoffConfig, attempt: number): number {
  const exp = config.DELIVERY_BACKOFF_BASE_MS * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(exp, config.DELIVERY_BACKOFF_MAX_MS);
  return Math.round(capped * (0.9 + Math.random() * 0.2));
}

const outageKey = (ctx: AppContext, queue: QueueName) => `${ctx.config.QUEUE_PREFIX}:${queue}`;

/**
 * How long a queue pauses when its provider is down: doubling while the outage lasts (one step per
 * pause, however many jobs hit it at once), back to the start after the first success.
 */
const outages = {
  state: new Map<string, { streak: number; until: number }>(),
  failed(key: string, config: BackoffConfig, retryAfterMs?: number): number {
    const now = Date.now();
    const s = this.state.get(key) ?? { streak: 0, until: 0 };
    if (now >= s.until) s.streak += 1;
    const wait = Math.max(retryAfterMs ?? 0, backoff(config, s.streak));
    s.until = Math.max(s.until, now + wait);
    this.state.set(key, s);
    return Math.max(s.until - now, 1);
  },
  recovered(key: string) {
    this.state.delete(key);
  },
};
