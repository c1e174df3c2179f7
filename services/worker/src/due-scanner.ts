// Moves work whose time has come from Postgres rows to jobs (invitations, reminders, webhook deliveries, Zendesk tickets) and escalates overdue cases; any number may run at once.
import {
  type AppContext,
  claimDueInvitations,
  claimDueReminders,
  claimDueTicketWork,
  claimDueWebhookDeliveries,
  escalateOverdueCases,
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
        (err) => {
          // Postgres or Redis away: told once by the outage log, not once a second here.
          if (!this.ctx.outages.absorb(err)) this.ctx.log.error({ err }, 'due scan failed');
        },
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * Claims and enqueues, batch by batch until nothing due is left: invitations, reminders, webhook
   * deliveries, then escalates overdue cases. Returns how many items it handled.
   */
  async scan(): Promise<number> {
    const { database, queues } = this.ctx;
    const now = () => this.ctx.clock.now();
    const steps: (() => Promise<number>)[] = [
      async () => {
        // A batch fits the provider's pace: more members than one window holds would only wait.
        const { EMAIL_BATCH_SIZE, EMAIL_RATE_PER_SECOND } = this.ctx.config;
        const emailBatch = Math.min(EMAIL_BATCH_SIZE, EMAIL_RATE_PER_SECOND);
        const due = await claimDueInvitations(database, now(), BATCH, emailBatch);
        await queues.addInvitationSends(due);
        return due.length;
      },
      async () => {
        const due = await claimDueReminders(database, now(), BATCH);
        await queues.addMany('reminder.send', due);
        return due.length;
      },
      async () => {
        const due = await claimDueWebhookDeliveries(
          database,
          now(),
          BATCH,
          this.ctx.config.WEBHOOK_MAX_ATTEMPTS,
        );
        await queues.addMany('webhook.deliver', due);
        return due.length;
      },
      async () => {
        const due = await claimDueTicketWork(database, now(), BATCH);
        await queues.addMany('zendesk.sync', due);
        return due.length;
      },
      async () => {
        const { escalated, notices } = await escalateOverdueCases(database, now(), BATCH);
        await queues.addNotificationSends(notices.map((id) => ({ id, channel: 'email' })));
        return escalated;
      },
    ];
    let total = 0;
    for (const step of steps) {
      for (;;) {
        const n = await step();
        total += n;
        if (n < BATCH || this.stopped) break;
      }
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
