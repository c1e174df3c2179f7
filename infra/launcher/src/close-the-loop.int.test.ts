// Closing the loop end to end: detractors become alerts, Slack messages, signed webhooks and cases that escalate once; promoters refer friends we can count; passives are asked what would make it a 10.
import { ManualClock, verifyWebhook } from '@surveyflow/core';
import { queuesIdle, startHttpReceiver, waitFor } from '@surveyflow/testkit';
import { reconcile } from '@surveyflow/worker';
import { describe, expect, onTestFinished } from 'vitest';
import { type Shop, test } from './testing.ts';

/** The text part is wrapped at 78 columns; compare sentences across the breaks. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

/** Sends an order.delivered for `who`, waits for the invitation email, and answers it with `score` through the survey link. */
async function answer(
  shop: Shop,
  smtp: {
    waitFor: (p: (m: { to: string[]; html: string | null }) => boolean) => Promise<{ html: string | null }>;
  },
  who: string,
  score: number,
  comment?: string,
) {
  await shop.api('POST', '/v1/events', {
    id: `order-${who}`,
    type: 'order.delivered',
    occurredAt: shop.clock.now().toISOString(),
    contact: { id: who, email: `${who}@example.com`, name: who[0]?.toUpperCase() + who.slice(1) },
    properties: { orderId: `A-${who}` },
  });
  const invitation = await smtp.waitFor((m) => m.to.includes(`${who}@example.com`));
  const path =
    /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
  expect(path).not.toBe('');
  const res = await shop.system.app.inject({
    method: 'POST',
    url: path,
    payload: { score, ...(comment ? { comment } : {}) },
    headers: { accept: 'application/json' },
  });
  expect(res.statusCode).toBe(201);
  return { path, responseId: res.json().responseId as string };
}

describe('closing the loop', () => {
  test('a detractor: alert email, Slack message, signed case.created webhook, a case due in the SLA; past the SLA it escalates exactly once; a replayed follow-up changes nothing', async ({
    shopWith,
    smtp,
  }) => {
    const clock = new ManualClock(new Date());
    const slack = await startHttpReceiver();
    let secret = '';
    const hooks = await startHttpReceiver((r) =>
      verifyWebhook(secret, r.headers, r.body, new Date()) ? 204 : 401,
    );
    const shop = await shopWith({ clock, env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { system, api } = shop;
    onTestFinished(() => slack.close());
    onTestFinished(() => hooks.close());
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    const patched = await api('PATCH', `/v1/surveys/${survey.id}`, {
      actions: [
        { type: 'alert', emails: ['care@shop.test', 'lead@shop.test'], slackWebhookUrl: slack.url },
        { type: 'case', slaHours: 24, owner: 'anna', escalateTo: 'head-of-care@shop.test' },
      ],
    });
    expect(patched.statusCode).toBe(200);
    const webhook = (
      await api('POST', '/v1/webhooks', {
        url: hooks.url,
        eventTypes: ['case.created', 'case.escalated', 'response.created'],
      })
    ).json();
    secret = webhook.secret;

    const { responseId } = await answer(shop, smtp, 'dana', 2, 'Arrived broken, nobody answered my emails');

    // The team hears: an alert to each address, and Slack.
    for (const to of ['care@shop.test', 'lead@shop.test']) {
      const alert = await smtp.waitFor((m) => m.to.includes(to));
      expect(alert.subject).toContain('Detractor alert: 2/10 from Dana');
      expect(alert.text).toContain('Arrived broken');
    }
    await waitFor(() => slack.requests.length === 1);
    expect(JSON.parse(slack.requests[0]?.body ?? '{}').text).toContain(
      'Dana answered 2 on "Post-delivery NPS": “Arrived broken',
    );

    // A case, owned and due in 24 hours.
    const [listed] = await waitFor(async () => {
      const data = (await api('GET', '/v1/cases?status=open')).json().data;
      return data.length === 1 ? data : null;
    });
    expect(listed).toMatchObject({ status: 'open', owner: 'anna', responseId, overdue: false });
    expect(new Date(listed.dueAt).getTime()).toBe(clock.now().getTime() + 24 * 3_600_000);

    // Signed webhooks, verified with the spec's algorithm by the receiver (401 otherwise).
    await waitFor(async () => {
      const log = (await api('GET', `/v1/webhooks/${webhook.id}/deliveries`)).json().data;
      return log.length === 2 && log.every((d: { status: string }) => d.status === 'delivered');
    });
    const types = hooks.requests.map((r) => JSON.parse(r.body).type).sort();
    expect(types).toEqual(['case.created', 'response.created']);

    // A replayed follow-up job creates no second case, alert or Slack message.
    await system.ctx.queues
      .queue('followups')
      .add('response.followup', { responseId }, { jobId: 'replay-1' });
    await waitFor(
      async () => (await system.ctx.queues.queue('followups').getJobState('replay-1')) === 'completed',
    );
    expect((await api('GET', '/v1/cases')).json().data).toHaveLength(1);
    expect(
      await system.ctx.database.sql`select count(*)::int as n from notifications where kind = 'alert'`,
    ).toEqual([{ n: 3 }]);

    // Not overdue yet; then the clock passes the SLA: escalated once, however often the scanner runs.
    expect((await api('GET', '/v1/cases?overdue=true')).json().data).toHaveLength(0);
    clock.advance(25 * 3_600_000);
    await system.worker.scanner.scan();
    await system.worker.scanner.scan();
    const notice = await smtp.waitFor((m) => m.to.includes('head-of-care@shop.test'));
    expect(notice.subject).toContain('Case overdue');
    expect(notice.text).toContain('Dana (id dana)');
    await system.worker.scanner.scan();
    const detail = (await api('GET', `/v1/cases/${listed.id}`)).json();
    expect(detail.overdue).toBe(true);
    expect(detail.escalatedAt).not.toBeNull();
    expect(detail.history.map((h: { kind: string }) => h.kind)).toEqual(['created', 'escalated']);
    await queuesIdle(system.ctx.queues);
    expect(smtp.messages.filter((m) => m.to.includes('head-of-care@shop.test'))).toHaveLength(1);
    await waitFor(() => hooks.requests.some((r) => JSON.parse(r.body).type === 'case.escalated'));

    // Resolving needs a note, tells the customer if asked, and lands in the history.
    const noNote = await api('PATCH', `/v1/cases/${listed.id}`, { status: 'resolved' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().error.details[0].field).toBe('resolution');
    const resolved = await api('PATCH', `/v1/cases/${listed.id}`, {
      status: 'resolved',
      resolution: 'Refunded and sent a replacement',
      closingMessage: 'We are sorry. We have refunded your order and a replacement is on its way.',
    });
    expect(resolved.json()).toMatchObject({ status: 'resolved', customerNotified: true });
    const closing = await smtp.waitFor(
      (m) => m.to.includes('dana@example.com') && m.subject.startsWith('About your feedback'),
    );
    expect(oneLine(closing.text)).toContain('a replacement is on its way');
    expect(resolved.json().history.map((h: { kind: string }) => h.kind)).toEqual([
      'created',
      'escalated',
      'status_changed',
    ]);
    // The resolve again (a retry) changes nothing; a different resolution is refused, not dropped.
    const again = await api('PATCH', `/v1/cases/${listed.id}`, {
      status: 'resolved',
      resolution: 'Refunded and sent a replacement',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().history).toHaveLength(3);
    const rewrite = await api('PATCH', `/v1/cases/${listed.id}`, { resolution: 'Something else' });
    expect(rewrite.statusCode).toBe(400);
    expect(rewrite.json().error.details[0]).toMatchObject({ field: 'resolution' });
    expect(rewrite.json().error.details[0].message).toContain('reopen');
    expect((await api('GET', `/v1/cases/${listed.id}`)).json().resolution).toBe(
      'Refunded and sent a replacement',
    );
  });

  test('a promoter gets a thank-you with a personal referral link; a click and the friend’s order show in /v1/metrics/referrals; a passive is asked what would make it a 10', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { system, api } = shop;
    await api('PATCH', '/v1/workspace', {
      referralUrl: 'https://shop.example.com/welcome?utm_source=referral',
    });
    await answer(shop, smtp, 'pia', 10, 'Fast and friendly');
    const thanks = await smtp.waitFor(
      (m) => m.to.includes('pia@example.com') && m.subject === 'Thank you from Shop',
    );
    const link = /http:\/\/localhost:3000\/r\/([a-z2-9]{8})/.exec(thanks.text)?.[0] ?? '';
    expect(link).not.toBe('');
    expect(oneLine(thanks.text)).toContain('Thank you, Pia!');
    const code = link.slice(-8);

    // A person clicks (twice today: counted once); a link-preview bot is not counted.
    const visit = (ua: string) =>
      system.app.inject({ method: 'GET', url: `/r/${code}`, headers: { 'user-agent': ua } });
    const first = await visit('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1');
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe(`https://shop.example.com/welcome?utm_source=referral&ref=${code}`);
    await visit('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1');
    await visit('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)');
    expect((await system.app.inject({ method: 'GET', url: '/r/zzzzzzzz' })).statusCode).toBe(404);

    // The friend orders with the code: a conversion for Pia. Pia's own order with it is not one.
    for (const [id, contact] of [
      ['friend-order', { id: 'friend', email: 'friend@example.com' }],
      ['own-order', { id: 'pia', email: 'pia@example.com' }],
    ] as const) {
      await api('POST', '/v1/events', {
        id,
        type: 'order.created',
        contact,
        properties: { referralCode: code },
      });
      await waitFor(async () => (await api('GET', `/v1/events/${id}`)).json().status === 'planned');
    }

    const metrics = (await api('GET', '/v1/metrics/referrals?period=day')).json();
    expect(metrics.totals).toEqual({ promoters: 1, links: 1, clicks: 1, conversions: 1 });
    expect(metrics.data).toHaveLength(1);
    const bad = await api('GET', '/v1/metrics/referrals?period=year');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('period');

    // A passive hears the passive message, and no alert or case is made for either.
    await answer(shop, smtp, 'paul', 8);
    const passive = await smtp.waitFor(
      (m) => m.to.includes('paul@example.com') && m.subject === 'What would make it a 10?',
    );
    expect(oneLine(passive.text)).toContain(
      'Thank you for your answer, Paul. What is the one thing Shop could do to make it a 10?',
    );
    // A reply reaches the team; one click unsubscribes, as on the invitation.
    expect(passive.headers.get('reply-to')).toBe('a@shop.test');
    expect(passive.headers.get('list-unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/u\/[\w-]{32}>$/);
    expect(passive.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The link in it carries the survey token, which is not stored: the sender filled it in.
    const stored = await system.ctx.database.sql`
      select count(*)::int as n from notifications where html ~ '/u/[A-Za-z0-9_-]{32}' or headers::text ~ '/u/[A-Za-z0-9_-]{32}'`;
    expect(stored).toEqual([{ n: 0 }]);
    expect((await api('GET', '/v1/cases')).json().data).toHaveLength(0);
  });

  test('an answer edited inside the edit window re-routes only when the segment changes, and the case history says so', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { system, api } = shop;
    const { path } = await answer(shop, smtp, 'eli', 3, 'Late');
    const [opened] = await waitFor(async () => {
      const data = (await api('GET', '/v1/cases')).json().data;
      return data.length === 1 ? data : null;
    });
    const edit = (score: number) =>
      system.app.inject({
        method: 'POST',
        url: path,
        payload: { score, comment: 'Late' },
        headers: { accept: 'application/json' },
      });

    // 3 → 5: still a detractor: nothing new.
    expect((await edit(5)).statusCode).toBe(200);
    await queuesIdle(system.ctx.queues);
    expect(
      (await api('GET', `/v1/cases/${opened.id}`)).json().history.map((h: { kind: string }) => h.kind),
    ).toEqual(['created']);

    // 5 → 9: a promoter now: the case records the change and closes.
    expect((await edit(9)).statusCode).toBe(200);
    const detail = await waitFor(async () => {
      const c = (await api('GET', `/v1/cases/${opened.id}`)).json();
      return c.status === 'resolved' ? c : null;
    });
    expect(detail.history.map((h: { kind: string }) => h.kind)).toEqual([
      'created',
      'rerouted',
      'status_changed',
    ]);
    expect(detail.history[1].detail).toMatchObject({ from: 'detractor', to: 'promoter', score: 9 });
    expect(detail.resolution).toContain('changed the answer to 9 (promoter)');

    // 9 → 2, and the job that should route it is lost: the reconciler finds the unrouted version,
    // the case reopens with a fresh SLA.
    await system.ctx.database.sql`
      update responses set score = 2, updated_at = now() - interval '10 minutes'`;
    await reconcile(system.ctx);
    const reopened = await waitFor(async () => {
      const c = (await api('GET', `/v1/cases/${opened.id}`)).json();
      return c.status === 'open' ? c : null;
    });
    expect(reopened.history.map((h: { kind: string }) => h.kind)).toEqual([
      'created',
      'rerouted',
      'status_changed',
      'rerouted',
      'status_changed',
    ]);
  });
});
