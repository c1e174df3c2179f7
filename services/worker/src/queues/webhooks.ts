// Queue "webhooks": one signed POST per job. Retries live in Postgres (next_attempt_at, claimed by the due scanner), not in BullMQ.
import {
  type AppContext,
  type JobPayload,
  OutboundUrlError,
  outboundFetch,
  type StartedWebhookAttempt,
  settleWebhookAttempt,
  signWebhook,
  startWebhookAttempt,
  type WebhookAttemptOutcome,
} from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

export function webhooksJobs(ctx: AppContext): QueueJobs<'webhooks'> {
  return { 'webhook.deliver': defineJob('webhook.deliver', (payload) => deliverWebhook(ctx, payload)) };
}

async function deliverWebhook(ctx: AppContext, { deliveryId, attempt }: JobPayload<'webhook.deliver'>) {
  const started = await startWebhookAttempt(ctx.database, deliveryId, attempt, ctx.clock.now());
  if (!started) return { sent: false };
  if ('skipped' in started) return { sent: false, skipped: started.skipped };
  const outcome = await post(
    started,
    ctx.clock.now(),
    ctx.config.WEBHOOK_TIMEOUT_MS,
    ctx.config.OUTBOUND_ALLOW_PRIVATE,
  );
  const settled = await settleWebhookAttempt(ctx.database, deliveryId, attempt, outcome, ctx.clock.now(), {
    maxAttempts: ctx.config.WEBHOOK_MAX_ATTEMPTS,
    disableAfterFailures: ctx.config.WEBHOOK_DISABLE_AFTER_FAILURES,
  });
  if (settled?.notificationId) {
    await ctx.queues.add('notification.send', { notificationId: settled.notificationId });
  }
  return { sent: true, status: settled?.status ?? 'superseded' };
}

/**
 * POSTs the stored body, signed per Standard Webhooks. Only a 2xx counts: a redirect is not followed
 * (the endpoint must be configured with its final URL), and a timeout or network error is a failure too.
 */
async function post(
  { delivery, endpoint }: StartedWebhookAttempt,
  now: Date,
  timeoutMs: number,
  allowPrivate: boolean,
): Promise<WebhookAttemptOutcome> {
  const startedAt = performance.now();
  const durationMs = () => performance.now() - startedAt;
  try {
    // Checked again at send time, on the address actually dialled: DNS may have changed since the save.
    const response = await outboundFetch(
      endpoint.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Surveyflow-Webhooks/1',
          ...signWebhook(endpoint.secret, delivery.id, now, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      },
      allowPrivate,
    );
    // The answer's body is never read; cancelling it frees the connection at once.
    await response.body?.cancel();
    return { statusCode: response.status, durationMs: durationMs() };
  } catch (err) {
    return { error: describeFailure(err, timeoutMs), durationMs: durationMs() };
  }
}

/** fetch says "fetch failed" for every network error; the cause says which ("connect ECONNREFUSED …"). */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err instanceof OutboundUrlError) return `not sent: ${err.message}`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
