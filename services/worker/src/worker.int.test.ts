// The worker on real Postgres, Redis and SMTP: sends at most once, follows up once, heals lost jobs.
import { generateKeyPairSync } from 'node:crypto';
import {
  closeContext,
  findSurveyLink,
  ingestEvents,
  markEmailBounced,
  openContext,
  recordResponse,
  updateSurvey,
  updateWorkspace,
} from '@surveyflow/core';
import {
  anEvent,
  test as base,
  plannedEvent,
  queuesIdle,
  type SmtpSink,
  seedWorkspace,
  startHttpReceiver,
  testConfig,
  waitFor,
} from '@surveyflow/testkit';
import { describe, expect, onTestFinished } from 'vitest';
import { reconcile } from './reconciler.ts';
import { startWorker } from './worker.ts';

type TestWorker = Awaited<ReturnType<typeof startTestWorker>>;

/**
 * `workerWith(env)` starts a worker on the test's servers with those settings; `w` is one with the
 * settings most tests want. Every worker a test started is closed when it ends.
 */
const test = base
  .extend('workerWith', ({ db, redisUrl, queuePrefix, smtp }, { onCleanup }) => {
    const started: TestWorker[] = [];
    onCleanup(async () => {
      for (const w of started.reverse()) await w.close();
    });
    return async (env: Record<string, string> = {}): Promise<TestWorker> => {
      const w = await startTestWorker(
        testConfig({ databaseUrl: db.url, redisUrl, queuePrefix, env: { SMTP_URL: smtp.url, ...env } }),
      );
      started.push(w);
      return w;
    };
  })
  .extend('w', ({ workerWith }) => workerWith({ RECONCILE_AFTER_MS: '1', FOLLOWUP_COMMENT_WAIT_MS: '0' }));

async function startTestWorker(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config);
  const worker = startWorker(ctx);
  const seeded = await seedWorkspace(ctx.database);
  const invitation = async (id: string) => {
    const [row] = await ctx.database.sql<{ status: string; failure_reason: string | null }[]>`
      select status, failure_reason from invitations where id = ${id}`;
    return row;
  };
  return {
    ctx,
    seeded,
    invitation,
    async close() {
      await worker.close();
      await closeContext(ctx);
    },
  };
}

describe('send.email', () => {
  test('an invitation whose send job is delivered three times, twice at once, is emailed once', async ({
    w,
    smtp,
  }) => {
    const { invitationIds } = await plannedEvent(
      w.ctx.database,
      w.seeded.workspaceId,
      anEvent('o-1'),
      new Date(Date.now() + 60_000),
    );
    const [id] = invitationIds;
    if (!id) throw new Error('no invitation');
    // Make it due and queued, then deliver the same work under three job ids (as a stalled-job replay would).
    await w.ctx.database.sql`update invitations set status = 'queued', send_at = now() where id = ${id}`;
    const queue = w.ctx.queues.queue('send.email');
    await Promise.all(
      ['a', 'b'].map((k) => queue.add('invitation.send', { invitationId: id }, { jobId: `replay-${k}` })),
    );
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('sent'));
    await queue.add('invitation.send', { invitationId: id }, { jobId: 'replay-c' });
    // Each job has sent (or not) before it completes, so once all three have, the count is final.
    await waitFor(async () =>
      expect(await Promise.all(['a', 'b', 'c'].map((k) => queue.getJobState(`replay-${k}`)))).toEqual([
        'completed',
        'completed',
        'completed',
      ]),
    );
    expect(smtp.messages.filter((m) => m.to.includes('jane@example.com'))).toHaveLength(1);
  });

  test('a permanent SMTP refusal (550) fails the invitation with the reason and is not retried', async ({
    w,
    smtp,
  }) => {
    smtp.rejectRecipient = (address) =>
      address === 'gone@example.com' ? { code: 550, message: 'No such user' } : null;
    const { invitationIds } = await plannedEvent(
      w.ctx.database,
      w.seeded.workspaceId,
      anEvent('o-2', { contact: { id: 'c-gone', email: 'gone@example.com' } }),
    );
    const id = invitationIds[0] ?? '';
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('failed'));
    expect((await w.invitation(id))?.failure_reason).toMatch(/^hard_bounce: smtp 550/);
    expect(smtp.messages).toHaveLength(0);

    // The address is dead: the next order has no channel; a new address brings the contact back.
    const bounced = async () =>
      (await w.ctx.database.sql`select email_bounced_at from contacts where external_id = 'c-gone'`)[0]
        ?.email_bounced_at;
    expect(await bounced()).not.toBeNull();
    await w.ctx.database.sql`update invitations set send_at = send_at - interval '400 days'`;
    const next = await plannedEvent(
      w.ctx.database,
      w.seeded.workspaceId,
      anEvent('o-3', { contact: { id: 'c-gone', email: 'gone@example.com' } }),
    );
    expect(next.invitationIds).toHaveLength(0);
    const moved = await plannedEvent(
      w.ctx.database,
      w.seeded.workspaceId,
      anEvent('o-4', { contact: { id: 'c-gone', email: 'new@example.com' } }),
    );
    expect(moved.invitationIds).toHaveLength(1);
    expect(await bounced()).toBeNull();
    await smtp.waitFor((m) => m.to.includes('new@example.com'));
  });

  test('an invitation waiting to be sent when its address bounces is cancelled, not sent', async ({
    w,
    smtp,
  }) => {
    const { invitationIds } = await plannedEvent(
      w.ctx.database,
      w.seeded.workspaceId,
      anEvent('o-6'),
      new Date(Date.now() + 60_000),
    );
    const id = invitationIds[0] ?? '';
    await markEmailBounced(
      w.ctx.database,
      (await w.ctx.database.sql`select id from contacts`)[0]?.id,
      new Date(),
    );
    await w.ctx.database.sql`update invitations set send_at = now() where id = ${id}`;
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('cancelled'));
    expect((await w.invitation(id))?.failure_reason).toBe('email_bounced');
    expect(smtp.messages).toHaveLength(0);
  });

  test('a policy refusal (550 5.7.1) fails the message but keeps the address', async ({ w, smtp }) => {
    smtp.rejectRecipient = () => ({ code: 550, message: '5.7.1 Message rejected as spam' });
    const { invitationIds } = await plannedEvent(w.ctx.database, w.seeded.workspaceId, anEvent('o-5'));
    const id = invitationIds[0] ?? '';
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('failed'));
    expect((await w.invitation(id))?.failure_reason).toMatch(/^smtp 550/);
    expect((await w.ctx.database.sql`select email_bounced_at from contacts`)[0]?.email_bounced_at).toBeNull();
  });
});

describe('DKIM', () => {
  test('with DKIM_* set, every mail is signed for the domain and selector', async ({ workerWith, smtp }) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const w = await workerWith({
      DKIM_DOMAIN: 'shop.test',
      DKIM_SELECTOR: 'sf2026',
      // As it would sit in an env file: one line, newlines escaped.
      DKIM_PRIVATE_KEY: pem.replaceAll('\n', '\\n'),
    });
    await plannedEvent(w.ctx.database, w.seeded.workspaceId, anEvent('o-1'));
    const mail = await smtp.waitFor(() => true);
    const signature = mail.headers.get('dkim-signature') ?? '';
    expect(signature).toMatch(/\bd=shop\.test;/);
    expect(signature).toMatch(/\bs=sf2026;/);
    expect(signature).toMatch(/\ba=rsa-sha256;/);
    expect(signature).toMatch(/\bh=[^;]*\bfrom\b/i);
    expect(signature).toMatch(/\bb=[A-Za-z0-9+/=\s]{100,}/);
  });
});

/** n events for n different contacts, planned at once; resolves when they are on the queue. */
async function burst(w: TestWorker, workspaceId: string, prefix: string, n: number) {
  const events = Array.from({ length: n }, (_, i) =>
    anEvent(`${prefix}-${i}`, { contact: { id: `${prefix}-${i}`, email: `${prefix}${i}@example.com` } }),
  );
  const ingested = await ingestEvents(w.ctx.database, workspaceId, events);
  await w.ctx.queues.addMany(
    'event.plan',
    ingested.map((r) => ({ eventId: r.eventId ?? '' })),
  );
}

describe('email rate limits', () => {
  test('a burst is spread at EMAIL_RATE_PER_SECOND and nothing is dropped', async ({ workerWith, smtp }) => {
    const w = await workerWith({ EMAIL_RATE_PER_SECOND: '4' });
    const started = Date.now();
    await burst(w, w.seeded.workspaceId, 'c', 12);
    await waitFor(() => expect(smtp.messages).toHaveLength(12), { timeoutMs: 20_000 });
    // 12 messages at 4 per second need at least two more windows after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  test('a workspace over its own rate waits for the next second; another workspace does not wait behind it', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ EMAIL_RATE_PER_SECOND: '1000' });
    const slow = w.seeded.workspaceId;
    await updateWorkspace(w.ctx.database, slow, { emailRatePerSecond: 2 });
    const fast = (await seedWorkspace(w.ctx.database)).workspaceId;
    const started = Date.now();
    await burst(w, slow, 'slow', 8);
    await burst(w, fast, 'fast', 8);
    const arrivals = (prefix: string) => smtp.messages.filter((m) => m.to[0]?.startsWith(prefix));
    await waitFor(() => expect(arrivals('fast')).toHaveLength(8), { timeoutMs: 20_000 });
    const fastDone = Date.now() - started;
    await waitFor(() => expect(arrivals('slow')).toHaveLength(8), { timeoutMs: 20_000 });
    const slowDone = Date.now() - started;
    // 8 at 2 per second need four one-second windows; the first may be nearly over when the burst
    // starts, so the last opens at least two seconds later. The other workspace is not held.
    expect(slowDone).toBeGreaterThanOrEqual(1900);
    expect(fastDone).toBeLessThan(slowDone);
  });
});

describe('events', () => {
  test('a replayed plan job makes no second invitation', async ({ w }) => {
    const [result] = await ingestEvents(w.ctx.database, w.seeded.workspaceId, [anEvent('o-3')]);
    const eventId = result?.eventId ?? '';
    const queue = w.ctx.queues.queue('events');
    await Promise.all(
      ['x', 'y', 'z'].map((k) => queue.add('event.plan', { eventId }, { jobId: `plan-${k}` })),
    );
    await waitFor(async () => expect(await queue.getJobCountByTypes('waiting', 'active')).toBe(0));
    const rows = await w.ctx.database.sql`select 1 from invitations where event_id = ${eventId}`;
    expect(rows).toHaveLength(1);
    const decisions = await w.ctx.database
      .sql`select outcome from event_decisions where event_id = ${eventId}`;
    expect(decisions).toEqual([{ outcome: 'invited' }]);
  });

  test('an event accepted while Redis lost its job is planned by the reconciler', async ({ w, smtp }) => {
    // Stored but never enqueued: exactly the state a Redis loss leaves behind.
    await ingestEvents(w.ctx.database, w.seeded.workspaceId, [
      anEvent('o-lost', { contact: { id: 'c-lost', email: 'lost@example.com' } }),
    ]);
    await new Promise((r) => setTimeout(r, 5));
    const counts = await reconcile(w.ctx);
    expect(counts.events).toBe(1);
    await smtp.waitFor((m) => m.to.includes('lost@example.com'));
  });
});

/** An event becomes an emailed invitation; the customer answers through the link in that email. */
async function answerByMail(
  w: TestWorker,
  smtp: SmtpSink,
  eventId: string,
  answer: { score: number; comment: string },
) {
  await plannedEvent(w.ctx.database, w.seeded.workspaceId, anEvent(eventId));
  const mail = await smtp.waitFor((m) => m.to.includes('jane@example.com'));
  const token = /\/s\/([A-Za-z0-9_-]{32})/.exec(mail.text)?.[1] ?? '';
  const link = await findSurveyLink(w.ctx.database, token);
  if (!link) throw new Error('link not found');
  return (await recordResponse(w.ctx.database, link, answer, new Date(), 30)).response;
}

describe('followups', () => {
  test('a detractor answer alerts the workspace once, even when its follow-up job runs three times', async ({
    w,
    smtp,
  }) => {
    const response = await answerByMail(w, smtp, 'o-4', { score: 2, comment: 'Damaged' });
    const queue = w.ctx.queues.queue('followups');
    await Promise.all(
      ['1', '2', '3'].map((k) =>
        queue.add('response.followup', { responseId: response.id }, { jobId: `f-${k}` }),
      ),
    );
    const alert = await smtp.waitFor((m) => m.to.includes('support@shop.test'));
    expect(alert.text).toContain('Damaged');
    // The follow-ups and any alert they enqueued have all run: a second alert would be in by now.
    await queuesIdle(w.ctx.queues);
    expect(smtp.messages.filter((m) => m.to.includes('support@shop.test'))).toHaveLength(1);
  });

  test('a promoter answer sends no alert', async ({ w, smtp }) => {
    const response = await answerByMail(w, smtp, 'o-5', { score: 10, comment: 'Great' });
    await w.ctx.queues.add('response.followup', { responseId: response.id });
    await waitFor(async () => {
      const [r] = await w.ctx.database.sql`select followed_up_at from responses where id = ${response.id}`;
      expect(r?.followed_up_at).toBeTruthy();
    });
    expect(await w.ctx.database.sql`select 1 from notifications`).toHaveLength(0);
  });
});

describe('send.slack', () => {
  /** A detractor answer on a survey whose alert goes to `emails` and to Slack. */
  async function detractorAlert(w: TestWorker, smtp: SmtpSink, emails: string[], slackWebhookUrl: string) {
    await updateSurvey(w.ctx.database, w.seeded.workspaceId, w.seeded.survey.id, {
      actions: [{ type: 'alert', segments: ['detractor'], emails, slackWebhookUrl }],
    });
    const response = await answerByMail(w, smtp, 'o-slack', { score: 1, comment: 'Never arrived' });
    await w.ctx.queues.add('response.followup', { responseId: response.id });
  }

  test('the email rate limit does not hold a Slack alert: it is posted while the alert emails wait their turn', async ({
    workerWith,
    smtp,
  }) => {
    const slack = await startHttpReceiver();
    const w = await workerWith({ EMAIL_RATE_PER_SECOND: '1' });
    onTestFinished(() => slack.close());
    const team = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}@shop.test`);
    await detractorAlert(w, smtp, team, slack.url);
    await waitFor(() => expect(slack.requests).toHaveLength(1));
    // Five alert emails at one per second take at least four seconds; Slack came first.
    const alerts = () => smtp.messages.filter((m) => m.to.some((to) => team.includes(to)));
    expect(alerts().length).toBeLessThan(team.length);
    expect(JSON.parse(slack.requests[0]?.body ?? '{}').text).toContain('Never arrived');
    await waitFor(() => expect(alerts()).toHaveLength(team.length), { timeoutMs: 20_000 });
  });

  test('a Slack outage does not hold the alert email; the Slack post is retried until Slack is back', async ({
    w,
    smtp,
  }) => {
    const slack = await startHttpReceiver((_, n) => (n <= 2 ? 503 : 200));
    onTestFinished(() => slack.close());
    await detractorAlert(w, smtp, ['care@shop.test'], slack.url);
    await smtp.waitFor((m) => m.to.includes('care@shop.test'));
    await waitFor(() => expect(slack.requests).toHaveLength(3), { timeoutMs: 20_000 });
    const slackRow = async () =>
      (
        await w.ctx.database
          .sql`select status, provider_message_id from notifications where channel = 'slack'`
      )[0];
    await waitFor(async () =>
      expect(await slackRow()).toEqual({ status: 'sent', provider_message_id: 'slack:200' }),
    );
  });

  test('a Slack notification enqueued on the email queue before Slack had its own is handed over and posted once', async ({
    w,
    smtp,
  }) => {
    const slack = await startHttpReceiver();
    onTestFinished(() => slack.close());
    // Hold the follow-up's own Slack job back by pausing the queue, then replay the old route.
    await w.ctx.queues.queue('send.slack').pause();
    await detractorAlert(w, smtp, ['care@shop.test'], slack.url);
    const [row] = await waitFor(async () => {
      const rows = await w.ctx.database.sql<
        { id: string }[]
      >`select id from notifications where channel = 'slack'`;
      return rows.length === 1 ? rows : null;
    });
    await w.ctx.queues
      .queue('send.email')
      .add('notification.send', { notificationId: row?.id }, { jobId: 'legacy' });
    await waitFor(async () =>
      expect(await w.ctx.queues.queue('send.email').getJobState('legacy')).toBe('completed'),
    );
    expect(slack.requests).toHaveLength(0);
    await w.ctx.queues.queue('send.slack').resume();
    await waitFor(() => expect(slack.requests).toHaveLength(1));
    await waitFor(async () =>
      expect(await w.ctx.queues.queue('send.slack').getJobCountByTypes('waiting', 'active', 'delayed')).toBe(
        0,
      ),
    );
    expect(slack.requests).toHaveLength(1);
  });
});
