// Prometheus metrics of one process: HTTP latency, queue depth and age, jobs and sends, due backlog, reconciler repairs.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueName, Queues } from './queues.ts';
import { queueNames } from './queues.ts';
import type { Database } from './store/client.ts';

/** Which channel a job sends on, for the sends counter; jobs not listed send nothing. */
const sendChannel: Record<string, string> = {
  'invitation.send': 'email',
  'reminder.send': 'email',
  'notification.send': 'email',
  'sms.send': 'sms',
  'notification.sms': 'sms',
  'notification.slack': 'slack',
  'webhook.deliver': 'webhook',
};

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A scrape answers within its timeout even while Redis or Postgres does not: a gauge whose source is
 * away keeps its last value (the outage is in the logs and in /ready).
 */
async function bounded(reads: Promise<unknown>[], ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(reads),
    new Promise((done) => {
      timer = setTimeout(done, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * A registry per context (not prom-client's global one), so several systems in one test process
 * never count into each other. Gauges that need Redis or Postgres are read when scraped.
 */
export function createMetrics(sources: { queues: Queues; database: Database }) {
  const registry = new Registry();
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'surveyflow_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const jobsCompleted = new Counter({
    name: 'surveyflow_jobs_completed_total',
    help: 'Jobs completed, by queue and job name',
    labelNames: ['queue', 'job'] as const,
    registers,
  });
  const jobsFailed = new Counter({
    name: 'surveyflow_jobs_failed_total',
    help: 'Job attempts that failed (retried or final), by queue and job name',
    labelNames: ['queue', 'job', 'final'] as const,
    registers,
  });
  const sends = new Counter({
    name: 'surveyflow_sends_total',
    help: 'Messages by channel and outcome: sent, skipped (the claim found nothing to send), retry, failed',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const repairs = new Counter({
    name: 'surveyflow_reconciler_repairs_total',
    help: 'Work the reconciler found without its job and enqueued again, by kind',
    labelNames: ['kind'] as const,
    registers,
  });
  const retained = new Counter({
    name: 'surveyflow_retention_rows_total',
    help: 'Rows the daily retention job deleted or anonymized, by table',
    labelNames: ['table'] as const,
    registers,
  });
  const heals = new Counter({
    name: 'surveyflow_reconciler_heals_total',
    help: 'Times Redis was found to have lost its queues (flushed or replaced) and everything was enqueued again',
    registers,
  });

  const queueList = Object.values(queueNames) as QueueName[];
  new Gauge({
    name: 'surveyflow_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      await bounded(
        queueList.map(async (name) => {
          const counts = await sources.queues
            .queue(name)
            .getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }),
      );
    },
  });
  new Gauge({
    name: 'surveyflow_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting to run in each queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const now = Date.now();
      await bounded(
        queueList.map(async (name) => {
          const [oldest] = await sources.queues.queue(name).getJobs(['waiting', 'prioritized'], 0, 0, true);
          this.set({ queue: name }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
        }),
      );
    },
  });
  new Gauge({
    name: 'surveyflow_due_invitations',
    help: 'Scheduled invitations whose send time has passed (the due scanner has not claimed them yet)',
    registers,
    async collect() {
      await bounded([
        sources.database.sql<{ n: number }[]>`
          select count(*)::int as n from invitations where status = 'scheduled' and send_at <= now()`.then(
          ([row]) => this.set(row?.n ?? 0),
        ),
      ]);
    },
  });

  return {
    registry,
    observeHttp(labels: { method: string; route: string; status: number }, seconds: number) {
      httpDuration.observe({ ...labels, status: String(labels.status) }, seconds);
    },
    /** A worker's 'completed' event: the job, and whether its handler said it sent nothing. */
    jobCompleted(queue: string, job: { name: string; returnvalue?: unknown }) {
      jobsCompleted.inc({ queue, job: job.name });
      // A batch of email invitations says how many of its members went out and how many go on alone.
      if (job.name === 'invitations.send') {
        const r = job.returnvalue as { sent?: number; retried?: number } | null | undefined;
        if (r?.sent) sends.inc({ channel: 'email', outcome: 'sent' }, r.sent);
        if (r?.retried) sends.inc({ channel: 'email', outcome: 'retry' }, r.retried);
        return;
      }
      const channel = sendChannel[job.name];
      if (!channel) return;
      const skipped = (job.returnvalue as { sent?: unknown } | null | undefined)?.sent === false;
      sends.inc({ channel, outcome: skipped ? 'skipped' : 'sent' });
    },
    /** A worker's 'failed' event; `final` when no retry follows (permanent error or attempts used up). */
    jobFailed(queue: string, job: { name: string }, final: boolean) {
      jobsFailed.inc({ queue, job: job.name, final: String(final) });
      const channel = sendChannel[job.name];
      if (channel) sends.inc({ channel, outcome: final ? 'failed' : 'retry' });
    },
    repaired(counts: Record<string, number>) {
      for (const [kind, n] of Object.entries(counts)) if (n > 0) repairs.inc({ kind }, n);
    },
    healed() {
      heals.inc();
    },
    /** One retention run's rows per table (usecases/retention.ts). */
    retention(counts: Record<string, number>) {
      for (const [table, n] of Object.entries(counts)) retained.inc({ table }, n);
    },
  };
}
