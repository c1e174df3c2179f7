// Heals lost queue work: whatever Postgres says is unfinished and Redis no longer carries is enqueued again.
import {
  type AppContext,
  pendingNotifications,
  recoverStaleNotifications,
  recoverStaleSends,
  staleQueuedInvitations,
  unfollowedResponseIds,
  unplannedEventIds,
  unroutedEdits,
} from '@surveyflow/core';

const BATCH = 1000;

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
  // `again`: a job that finished without sending (its claim was taken then) must not hide the work.
  await queues.addInvitationSends(invitations, { again: true });
  const notifications = await pendingNotifications(database, before(after), BATCH);
  await queues.addNotificationSends(notifications, { again: true });
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
  // Claims whose sender died: re-sent if they never reached the provider call, else marked interrupted.
  const cutoffs = {
    claimedBefore: before(after),
    handedOverBefore: before(config.DELIVERY_LEASE_MS),
    queuedBefore: before(config.DELIVERY_RETRY_HORIZON_HOURS * 3_600_000),
  };
  const stale = await recoverStaleSends(database, ctx.clock.now(), cutoffs);
  await queues.addInvitationSends(stale.requeued, { again: true });
  const staleNotes = await recoverStaleNotifications(database, ctx.clock.now(), cutoffs);
  await queues.addNotificationSends(staleNotes.requeued, { again: true });
  const interrupted = stale.interrupted + staleNotes.interrupted;
  return {
    events: events.length,
    invitations: invitations.length,
    notifications: notifications.length,
    responses: responses.length,
    edits: edits.length,
    resent: stale.requeued.length + staleNotes.requeued.length,
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
