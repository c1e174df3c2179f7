// Moves invitations, reminders and webhook deliveries whose time has come from Postgres rows to jobs; any number may run at once.
import {
  type AppContext,
  claimDueInvitations,
  claimDueReminders,
  claimDueWebhookDeliveries,
} from '@surveyflow/core';

const BATCH = 500;

export class DueScanner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    const tick = () => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, this.ctx.config.DUE_SCAN_INTERVAL_MS);
    };
    tick();
  }

  /** Scan now (coalesced: a kick during a scan causes exactly one more scan). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.scan()
      .then(
        () => undefined,
        (err) => this.ctx.log.error({ err }, 'due scan failed'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Claims and enqueues invitations, reminders, then webhook deliveries, until nothing due is left; returns how many it enqueued. */
  async scan(): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await claimDueInvitations(this.ctx.database, this.ctx.clock.now(), BATCH);
      await this.ctx.queues.addInvitationSends(due);
      total += due.length;
      if (due.length < BATCH || this.stopped) break;
    }
    for (;;) {
      const due = await claimDueReminders(this.ctx.database, this.ctx.clock.now(), BATCH);
      await this.ctx.queues.addMany('reminder.send', due);
      total += due.length;
      if (due.length < BATCH || this.stopped) break;
    }
    for (;;) {
      const due = await claimDueWebhookDeliveries(this.ctx.database, this.ctx.clock.now(), BATCH);
      await this.ctx.queues.addMany('webhook.deliver', due);
      total += due.length;
      if (due.length < BATCH || this.stopped) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
