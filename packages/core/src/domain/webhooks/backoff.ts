// When a failed webhook delivery is tried again: exponential backoff from one second, capped at an hour.
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 3_600_000;

/** How long to wait after failed attempt number `attempt` (1-based): 1 s, 2 s, 4 s … at most 1 h. */
export function webhookRetryDelayMs(attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  // 2^12 s already exceeds the cap; stopping the exponent there keeps huge attempt numbers finite.
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 12), MAX_RETRY_MS);
}
