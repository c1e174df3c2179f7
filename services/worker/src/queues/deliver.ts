// The one way a claimed message leaves the building, on any channel: send, then record what happened.
import { type AppContext, PermanentDeliveryError, type SendOutcome } from '@surveyflow/core';
import { type Job, UnrecoverableError } from 'bullmq';

/**
 * Sends and records the outcome. A permanent refusal fails the row (after `onPermanent`, which may
 * suppress the address) and stops retries; a transient one releases the claim and lets BullMQ retry
 * with backoff, until the last attempt fails the row.
 */
export async function deliver(
  ctx: AppContext,
  job: Job,
  send: () => Promise<{ messageId: string; segments?: number }>,
  settle: (outcome: SendOutcome) => Promise<void>,
  onPermanent?: (err: PermanentDeliveryError) => Promise<void>,
): Promise<void> {
  let sent: { messageId: string; segments?: number };
  try {
    sent = await send();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof PermanentDeliveryError) {
      await onPermanent?.(err);
      await settle({ failed: err.kind === 'rejected' ? reason : `${err.kind}: ${reason}` });
      throw new UnrecoverableError(reason);
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await settle(
      lastAttempt ? { failed: `gave up after ${job.attemptsMade + 1} attempts: ${reason}` } : { retry: true },
    );
    throw err;
  }
  await settle({ sent: sent.messageId, at: ctx.clock.now(), segments: sent.segments });
}
