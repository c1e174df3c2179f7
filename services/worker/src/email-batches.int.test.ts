// Due email invitations travel several to a job (invitations.send); each is still claimed, retried and recovered on its own.
import {
  claimDueInvitations,
  claimInvitationsForSend,
  closeContext,
  handOverInvitation,
  openContext,
} from '@surveyflow/core';
import { anEvent, test as base, plannedEvent, seedWorkspace, testConfig, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { reconcile } from './reconciler.ts';
import { startWorker } from './worker.ts';

/** A worker on the test's servers with batches of five; `ctx` is its context (closed after the worker). */
const test = base.extend('w', async ({ db, redisUrl, queuePrefix, smtp }, { onCleanup }) => {
  const ctx = openContext(
    testConfig({
      databaseUrl: db.url,
      redisUrl,
      queuePrefix,
      env: {
        SMTP_URL: smtp.url,
        EMAIL_BATCH_SIZE: '5',
        DELIVERY_BACKOFF_BASE_MS: '100',
        RECONCILE_AFTER_MS: '1',
        DELIVERY_LEASE_MS: '1',
      },
    }),
  );
  const seeded = await seedWorkspace(ctx.database);
  let worker: ReturnType<typeof startWorker> | undefined;
  onCleanup(async () => {
    await worker?.close();
    await closeContext(ctx);
  });
  return {
    ctx,
    seeded,
    start: () => {
      worker = startWorker(ctx);
    },
  };
});

type W = { ctx: ReturnType<typeof openContext>; seeded: Awaited<ReturnType<typeof seedWorkspace>> };

/** `n` planned email invitations, due in a minute (so no scanner takes them before the test does). */
async function planned(w: W, n: number, prefix = 'c') {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const event = anEvent(`${prefix}-o${i}`, {
      contact: { id: `${prefix}-${i}`, email: `${prefix}${i}@example.com` },
    });
    const plan = await plannedEvent(w.ctx.database, w.seeded.workspaceId, event, new Date(Date.now() - 1));
    ids.push(...plan.invitationIds);
  }
  return ids;
}

const statuses = async (w: W) =>
  (
    await w.ctx.database.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from invitations group by status order by status`
  ).map((r) => `${r.status}:${r.n}`);

describe('email batches', () => {
  test('twelve due invitations go out as three batch jobs, each mail once', async ({ w, smtp }) => {
    await planned(w, 12);
    w.start();
    await waitFor(() => expect(smtp.messages).toHaveLength(12));
    await waitFor(async () => expect(await statuses(w)).toEqual(['sent:12']));
    const batches = await w.ctx.database.sql<{ n: number }[]>`
      select count(distinct send_batch)::int as n from invitations`;
    expect(batches[0]?.n).toBe(3);
    const jobs = await w.ctx.queues.queue('send.email').getJobs(['completed']);
    expect(jobs.filter((j) => j.name === 'invitations.send')).toHaveLength(3);
    expect(jobs.filter((j) => j.name === 'invitation.send')).toHaveLength(0);
    expect(new Set(smtp.messages.map((m) => m.to[0])).size).toBe(12);
  });

  test('a member the server turns away for now is retried on its own; the rest of its batch is not held', async ({
    w,
    smtp,
  }) => {
    let refusals = 0;
    smtp.rejectRecipient = (address) =>
      address === 'c2@example.com' && refusals++ < 2 ? { code: 451, message: 'try later' } : null;
    await planned(w, 5);
    w.start();
    await waitFor(() => expect(smtp.messages).toHaveLength(5));
    await waitFor(async () => expect(await statuses(w)).toEqual(['sent:5']));
    expect(refusals).toBeGreaterThanOrEqual(2);
    expect(smtp.messages.filter((m) => m.to[0] === 'c2@example.com')).toHaveLength(1);
    // Its retries ran as its own job, with their own attempts.
    const single = await w.ctx.queues.queue('send.email').getJobs(['completed']);
    expect(single.filter((j) => j.name === 'invitation.send')).toHaveLength(1);
  });

  test('a batch whose sender died mid-job: its unsent members are sent once, the one inside the provider call never again', async ({
    w,
    smtp,
  }) => {
    const ids = await planned(w, 5, 'crash');
    // The dead sender's state: the batch was queued (its job lost with the process), three members
    // claimed, one of them handed over to the server; two never claimed.
    const due = await claimDueInvitations(w.ctx.database, new Date(), 100, 5);
    expect(new Set(due.map((d) => d.sendBatch)).size).toBe(1);
    const claimed = await claimInvitationsForSend(w.ctx.database, ids.slice(0, 3), new Date(), {
      tokenTtlDays: 30,
      secret: w.ctx.config.SECRET_KEY,
    });
    const inside = claimed[0];
    if (!inside) throw new Error('no claim');
    expect(
      await handOverInvitation(
        w.ctx.database,
        inside.invitation.id,
        inside.invitation.claimedAt ?? new Date(),
        new Date(),
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    const counts = await reconcile(w.ctx);
    expect(counts.resent).toBe(2);
    expect(counts.interrupted).toBe(1);
    w.start();
    await waitFor(() => expect(smtp.messages).toHaveLength(4));
    await waitFor(async () => expect(await statuses(w)).toEqual(['interrupted:1', 'sent:4']));
    expect(smtp.messages.map((m) => m.to[0])).not.toContain('crash0@example.com');
    // Nothing more turns up once the queues are quiet.
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages).toHaveLength(4);
  });
});
