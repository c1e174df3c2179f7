// Delivery that survives crashes and outages, on real Postgres, Redis and SMTP: the claim's phase decides what a crash costs.
import {
  claimInvitationForSend,
  claimReminder,
  closeContext,
  handOverInvitation,
  handOverReminder,
  openContext,
  recoverStaleReminders,
  recoverStaleSends,
  resendInvitation,
} from '@surveyflow/core';
import { anEvent, test as base, plannedEvent, seedWorkspace, testConfig, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { reconcile } from './reconciler.ts';
import { startWorker } from './worker.ts';

type TestWorker = Awaited<ReturnType<typeof startTestWorker>>;

const test = base.extend('workerWith', ({ db, redisUrl, queuePrefix, smtp }, { onCleanup }) => {
  const started: TestWorker[] = [];
  onCleanup(async () => {
    for (const w of started.reverse()) await w.close();
  });
  return async (env: Record<string, string> = {}): Promise<TestWorker> => {
    const w = await startTestWorker(
      testConfig({
        databaseUrl: db.url,
        redisUrl,
        queuePrefix,
        // The reconciler runs when the test says (reconcile()), not on its own timer.
        env: { SMTP_URL: smtp.url, RECONCILE_INTERVAL_MS: '3600000', ...env },
      }),
    );
    started.push(w);
    return w;
  };
});

async function startTestWorker(config: ReturnType<typeof testConfig>) {
  const ctx = openContext(config);
  const worker = startWorker(ctx);
  const seeded = await seedWorkspace(ctx.database);
  // The worker's first look at Redis (a fresh prefix has no marker) heals everything unfinished: let it
  // pass before the test stages a dead sender, so only the test's own reconcile() finds that.
  const heals = ctx.metrics.registry.getSingleMetric('surveyflow_reconciler_heals_total');
  await waitFor(async () => ((await heals?.get())?.values[0]?.value ?? 0) > 0);
  const invitation = async (id: string) => {
    const [row] = await ctx.database.sql<
      { status: string; failure_reason: string | null; interrupted_at: string | null }[]
    >`select status, failure_reason, interrupted_at from invitations where id = ${id}`;
    return row;
  };
  /** An invitation planned for later, so nothing sends it until the test says. */
  const later = async (eventId: string, email = 'jane@example.com') => {
    const { invitationIds } = await plannedEvent(
      ctx.database,
      seeded.workspaceId,
      anEvent(eventId, { contact: { id: `c-${eventId}`, email } }),
      new Date(Date.now() + 3_600_000),
    );
    const [id] = invitationIds;
    if (!id) throw new Error('no invitation');
    return id;
  };
  return {
    ctx,
    seeded,
    invitation,
    later,
    async close() {
      await worker.close();
      await closeContext(ctx);
    },
  };
}

describe('a sender that dies', () => {
  test('between claim and hand-over: after the lease the invitation is sent, exactly once', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000' });
    const id = await w.later('o-claimed');
    // The dead sender's state: claimed a minute ago, never handed over. Its job was re-run by BullMQ's
    // stalled-job check, found the claim taken, and completed: the job id is used up in Redis.
    await w.ctx.database.sql`
      update invitations set status = 'sending', send_at = now(), queued_at = now() - interval '1 minute',
        claimed_at = now() - interval '1 minute' where id = ${id}`;
    const queue = w.ctx.queues.queue('send.email');
    await w.ctx.queues.add('invitation.send', { invitationId: id });
    await waitFor(async () => expect(await queue.getJobState(`invitation.send-${id}`)).toBe('completed'));
    expect(smtp.messages).toHaveLength(0);

    const counts = await reconcile(w.ctx);
    expect(counts).toMatchObject({ resent: 1, interrupted: 0 });
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('sent'));
    // A second pass finds nothing stale, and a replayed job finds the invitation sent.
    expect(await reconcile(w.ctx)).toMatchObject({ resent: 0, interrupted: 0 });
    await w.ctx.queues.queue('send.email').add('invitation.send', { invitationId: id }, { jobId: 'replay' });
    await waitFor(async () => expect(await queue.getJobState('replay')).toBe('completed'));
    expect(smtp.messages.filter((m) => m.to.includes('jane@example.com'))).toHaveLength(1);
  });

  test('a Redis that lost its queues killed no sender: the heal leaves a claim made just now to its sender', async ({
    workerWith,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '60000' });
    const id = await w.later('o-live');
    // A sender still running: claimed a moment ago, not yet handed over.
    await w.ctx.database.sql`
      update invitations set status = 'sending', send_at = now(), queued_at = now() - interval '1 second',
        claimed_at = now() - interval '1 second' where id = ${id}`;
    // The heal after a FLUSHALL looks at rows of every age, but a claim only once it is RECONCILE_AFTER_MS old.
    expect(await reconcile(w.ctx, { all: true })).toMatchObject({ resent: 0, interrupted: 0 });
    expect(await w.invitation(id)).toMatchObject({ status: 'sending' });
  });

  test('inside the provider call: after the lease it is interrupted, never sent again on its own', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000', DELIVERY_LEASE_MS: '60000' });
    const id = await w.later('o-handed');
    await w.ctx.database.sql`
      update invitations set status = 'sending', send_at = now(), queued_at = now() - interval '2 minutes',
        claimed_at = now() - interval '2 minutes', handed_over_at = now() - interval '2 minutes'
      where id = ${id}`;
    expect(await reconcile(w.ctx)).toMatchObject({ resent: 0, interrupted: 1 });
    const row = await w.invitation(id);
    expect(row?.status).toBe('interrupted');
    expect(row?.interrupted_at).not.toBeNull();
    expect(row?.failure_reason).toMatch(/^interrupted: /);
    // Its send job runs again (a stalled-job replay): nothing is sent.
    await w.ctx.queues.queue('send.email').add('invitation.send', { invitationId: id }, { jobId: 'replay' });
    await waitFor(async () =>
      expect(await w.ctx.queues.queue('send.email').getJobState('replay')).toBe('completed'),
    );
    expect(smtp.messages).toHaveLength(0);
    expect((await w.invitation(id))?.status).toBe('interrupted');
  });

  test('a send whose sender keeps dying before the hand-over stops at the retry horizon, as given up', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000', DELIVERY_RETRY_HORIZON_HOURS: '1' });
    const id = await w.later('o-poison');
    await w.ctx.database.sql`
      update invitations set status = 'sending', send_at = now(), queued_at = now() - interval '2 hours',
        claimed_at = now() - interval '1 minute' where id = ${id}`;
    expect(await reconcile(w.ctx)).toMatchObject({ resent: 0, interrupted: 0 });
    expect(await w.invitation(id)).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringMatching(/^gave up: /),
    });
    expect(smtp.messages).toHaveLength(0);
  });

  test('a sender that stalled past its lease finds its claim gone and hands nothing over', async ({
    workerWith,
  }) => {
    const w = await workerWith();
    const id = await w.later('o-stalled');
    await w.ctx.database.sql`update invitations set status = 'queued' where id = ${id}`;
    const opts = { tokenTtlDays: 30, secret: w.ctx.config.SECRET_KEY };
    const first = await claimInvitationForSend(w.ctx.database, id, new Date(Date.now() - 120_000), opts);
    if (!first?.invitation.claimedAt) throw new Error('not claimed');
    const recovered = await recoverStaleSends(w.ctx.database, new Date(), {
      claimedBefore: new Date(Date.now() - 60_000),
      handedOverBefore: new Date(Date.now() - 600_000),
    });
    expect(recovered.requeued.map((r) => r.id)).toEqual([id]);
    const second = await claimInvitationForSend(w.ctx.database, id, new Date(), opts);
    if (!second?.invitation.claimedAt)
      throw new Error(`not claimed again: ${JSON.stringify(await w.invitation(id))}`);
    // The link stays the same across claims: a message that did arrive keeps working.
    expect(second.token).toBe(first.token);
    expect(await handOverInvitation(w.ctx.database, id, first.invitation.claimedAt, new Date())).toBe(false);
    expect(await handOverInvitation(w.ctx.database, id, second.invitation.claimedAt, new Date())).toBe(true);
  });
});

describe('a notification sender that dies', () => {
  test('before the hand-over it is sent once after the lease; inside the provider call it is interrupted', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000', DELIVERY_LEASE_MS: '60000' });
    const note = async (key: string, handedOver: boolean) => {
      const [row] = await w.ctx.database.sql<{ id: string }[]>`
        insert into notifications (workspace_id, kind, channel, recipient, subject, html, text, dedupe_key,
          status, claimed_at, handed_over_at)
        values (${w.seeded.workspaceId}, 'alert', 'email', ${`${key}@shop.test`}, ${key}, '<p>hi</p>', 'hi', ${key},
          'sending', now() - interval '2 minutes', ${handedOver ? new Date(Date.now() - 120_000).toISOString() : null})
        returning id`;
      return row?.id ?? '';
    };
    const [unsent, handed] = [await note('unsent', false), await note('handed', true)];
    expect(await reconcile(w.ctx)).toMatchObject({ resent: 1, interrupted: 1 });
    await smtp.waitFor((m) => m.to.includes('unsent@shop.test'));
    const status = async (id: string) =>
      (await w.ctx.database.sql`select status from notifications where id = ${id}`)[0]?.status;
    await waitFor(async () => expect(await status(unsent)).toBe('sent'));
    expect(await status(handed)).toBe('interrupted');
    expect(smtp.messages.map((m) => m.to)).toEqual([['unsent@shop.test']]);
  });
});

describe('a provider outage', () => {
  test('an SMTP server down longer than 8 attempts used to cover is waited out: every invitation is sent once', async ({
    workerWith,
    smtp,
  }) => {
    // Backoff from 10 ms: 8 attempts used to cover 10 ms × (1 + 2 + … + 64) ≈ 1.3 s; the outage lasts 4 s.
    const w = await workerWith({ DELIVERY_BACKOFF_BASE_MS: '10', DELIVERY_BACKOFF_MAX_MS: '250' });
    await smtp.stop();
    const ids = await Promise.all(['a', 'b', 'c'].map((k) => w.later(`o-out-${k}`, `${k}@example.com`)));
    await w.ctx.database.sql`update invitations set send_at = now()`;
    await waitFor(async () => {
      const rows = await w.ctx.database.sql`select status from invitations where queued_at is not null`;
      expect(rows).toHaveLength(3);
    });
    await new Promise((r) => setTimeout(r, 4000));
    const during = await w.ctx.database.sql<{ status: string }[]>`select status from invitations`;
    // Waiting (queued), or being probed at this instant (sending): none failed, none sent.
    for (const { status } of during) expect(['queued', 'sending']).toContain(status);

    await smtp.start();
    await waitFor(async () => {
      const rows = await w.ctx.database.sql<{ status: string }[]>`select status from invitations`;
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    });
    for (const k of ['a', 'b', 'c'])
      expect(smtp.messages.filter((m) => m.to.includes(`${k}@example.com`))).toHaveLength(1);
    for (const id of ids) expect((await w.invitation(id))?.failure_reason).toBeNull();
    // The queue paused rather than burning attempts: only the successful one counts (BullMQ counts a
    // completion as an attempt made), and the server was probed, not hammered.
    for (const id of ids) {
      const job = await w.ctx.queues.queue('send.email').getJob(`invitation.send-${id}`);
      expect(job?.attemptsMade).toBe(1);
      expect(job?.attemptsStarted).toBeLessThan(60);
    }
  });

  test('past the retry horizon it fails as given up, and a resend sends it once the server is back', async ({
    workerWith,
    smtp,
  }) => {
    // 0.0005 h = 1.8 s.
    const w = await workerWith({
      DELIVERY_BACKOFF_BASE_MS: '10',
      DELIVERY_BACKOFF_MAX_MS: '250',
      DELIVERY_RETRY_HORIZON_HOURS: '0.0005',
    });
    await smtp.stop();
    const id = await w.later('o-horizon');
    await w.ctx.database.sql`update invitations set send_at = now()`;
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('failed'), { timeoutMs: 10_000 });
    expect((await w.invitation(id))?.failure_reason).toMatch(
      /^gave up after 0\.0 h of transient errors: smtp/,
    );

    await smtp.start();
    const resent = await resendInvitation(w.ctx.database, w.seeded.workspaceId, id, new Date());
    expect(resent).toEqual({ id, channel: 'email' });
    await w.ctx.queues.addInvitationSends(resent ? [resent] : [], { again: true });
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('sent'));
    expect(smtp.messages).toHaveLength(1);
    // Only once: it is sent now, so there is nothing to resend.
    expect(await resendInvitation(w.ctx.database, w.seeded.workspaceId, id, new Date())).toBe(false);
  });
});

describe('a reminder sender that dies', () => {
  /** An invitation sent for real, so its reminder has a link to send again. */
  const sentInvitation = async (w: TestWorker, smtp: { messages: unknown[] }) => {
    const id = await w.later('o-reminded');
    await w.ctx.database.sql`update invitations set send_at = now() where id = ${id}`;
    await waitFor(async () => expect((await w.invitation(id))?.status).toBe('sent'));
    expect(smtp.messages).toHaveLength(1);
    return id;
  };
  const reminderState = async (w: TestWorker, id: string) => {
    const [row] = await w.ctx.database.sql<
      { reminders_sent: number; claimed: boolean; handed_over: boolean; last_id: string | null }[]
    >`select reminders_sent, reminder_claimed_at is not null as claimed,
        reminder_handed_over_at is not null as handed_over, last_reminder_message_id as last_id
      from invitations where id = ${id}`;
    return row;
  };

  test('between claim and hand-over: after the lease the reminder is sent, exactly once', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000' });
    const id = await sentInvitation(w, smtp);
    // The dead sender's state: reminder 1 claimed a minute ago, never handed over.
    const claimed = await claimReminder(
      w.ctx.database,
      id,
      1,
      new Date(Date.now() - 60_000),
      w.ctx.config.SECRET_KEY,
    );
    expect(claimed && !('skipped' in claimed)).toBe(true);
    expect(await reminderState(w, id)).toMatchObject({
      reminders_sent: 1,
      claimed: true,
      handed_over: false,
    });

    expect(await reconcile(w.ctx)).toMatchObject({ resent: 1, interrupted: 0 });
    await waitFor(async () => expect(smtp.messages).toHaveLength(2));
    await waitFor(async () =>
      expect(await reminderState(w, id)).toMatchObject({
        reminders_sent: 1,
        claimed: false,
        handed_over: false,
        last_id: expect.any(String),
      }),
    );
    // Nothing stale is left, and the same reminder's job run again sends nothing.
    expect(await reconcile(w.ctx)).toMatchObject({ resent: 0, interrupted: 0 });
    const queue = w.ctx.queues.queue('send.email');
    await queue.add('reminder.send', { invitationId: id, reminder: 1 }, { jobId: 'replay' });
    await waitFor(async () => expect(await queue.getJobState('replay')).toBe('completed'));
    expect(smtp.messages).toHaveLength(2);
  });

  test('inside the provider call: the claim is cleared, the reminder counted and never sent again', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith({ RECONCILE_AFTER_MS: '1000', DELIVERY_LEASE_MS: '60000' });
    const id = await sentInvitation(w, smtp);
    const at = new Date(Date.now() - 120_000);
    await claimReminder(w.ctx.database, id, 1, at, w.ctx.config.SECRET_KEY);
    expect(await handOverReminder(w.ctx.database, id, 1, at, at)).toBe(true);

    expect(await reconcile(w.ctx)).toMatchObject({ resent: 0, interrupted: 1 });
    expect(await reminderState(w, id)).toMatchObject({
      reminders_sent: 1,
      claimed: false,
      handed_over: false,
    });
    const queue = w.ctx.queues.queue('send.email');
    await queue.add('reminder.send', { invitationId: id, reminder: 1 }, { jobId: 'replay' });
    await waitFor(async () => expect(await queue.getJobState('replay')).toBe('completed'));
    expect(smtp.messages).toHaveLength(1);
  });

  test('a sender that stalled past its lease finds its reminder claim gone and hands nothing over', async ({
    workerWith,
    smtp,
  }) => {
    const w = await workerWith();
    const id = await sentInvitation(w, smtp);
    const first = new Date(Date.now() - 120_000);
    await claimReminder(w.ctx.database, id, 1, first, w.ctx.config.SECRET_KEY);
    const recovered = await recoverStaleReminders(w.ctx.database, new Date(), {
      claimedBefore: new Date(Date.now() - 60_000),
      handedOverBefore: new Date(Date.now() - 600_000),
    });
    expect(recovered).toEqual({ requeued: [{ invitationId: id, reminder: 1 }], interrupted: 0 });
    const second = new Date();
    expect(await claimReminder(w.ctx.database, id, 1, second, w.ctx.config.SECRET_KEY)).not.toBeNull();
    expect(await handOverReminder(w.ctx.database, id, 1, first, new Date())).toBe(false);
    expect(await handOverReminder(w.ctx.database, id, 1, second, new Date())).toBe(true);
  });
});
