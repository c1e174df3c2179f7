// Heals lost queue work: whatever Postgres says is unfinished and Redis no longer carries is enqueued again.
import {
  type AppContext,
  failInterruptedSends,
  pendingNotifications,
  staleQueuedInvitations,
  unfollowedResponseIds,
  unplannedEventIds,
  unroutedEdits,
} from '@surveyflow/core';

const BATCH = 1000;
/** A claimed send that has not finished in this long died with its process. */
const SEND_TIMEOUT_MS = 10 * 60_000;

/**
 * Job ids are derived from row ids, so re-adding work that is still waiting in Redis is a no-op;
 * every processor is idempotent, so re-adding work that already ran does nothing either.
 */
export async function reconcile(ctx: AppContext): Promise<Record<string, number>> {
  const { database, queues, config } = ctx;
  const now = ctx.clock.now().getTime();
  const before = (ms: number) => new Date(now - ms);
  const after = config.RECONCILE_AFTER_MS;

  const events = await unplannedEventIds(database, before(after), BATCH);
  await queues.addMany(
    'event.plan',
    events.map((eventId) => ({ eventId })),
  );
  const invitations = await staleQueuedInvitations(database, before(after), BATCH);
  await queues.addInvitationSends(invitations);
  const notifications = await pendingNotifications(database, before(after), BATCH);
  await queues.addNotificationSends(notifications);
  const responses = await unfollowedResponseIds(
    database,
    before(after + config.FOLLOWUP_COMMENT_WAIT_MS),
    BATCH,
  );
  await queues.addMany(
    'response.followup',
    responses.map((responseId) => ({ responseId })),
  );
  const edits = await unroutedEdits(database, before(after), BATCH);
  await queues.addMany('response.reroute', edits);
  const interrupted = await failInterruptedSends(database, before(SEND_TIMEOUT_MS));
  return {
    events: events.length,
    invitations: invitations.length,
    notifications: notifications.length,
    responses: responses.length,
    edits: edits.length,
    interrupted,
  };
}

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = reconcile(this.ctx)
        .then((counts) => {
          if (Object.values(counts).some((n) => n > 0))
            this.ctx.log.warn({ counts }, 'reconciler re-enqueued lost work');
        })
        .catch((err) => this.ctx.log.error({ err }, 'reconcile failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.ctx.config.RECONCILE_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
