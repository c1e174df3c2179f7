// Contact rules through the whole system with a clock the test moves: delay, cancel-on, explanations.
import { claimDueReminders, ManualClock } from '@surveyflow/core';
import { queuesIdle, type SmtpSink, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type ShopWith, test } from './testing.ts';

/** The shop with an order-delivered helper dated by the test's clock, and its mails per customer. */
async function startRulesShop(shopWith: ShopWith, clock?: ManualClock) {
  const shop = await shopWith(clock ? { clock } : {});
  /** An order delivered to `who` (email who@example.com), dated by the test's clock. */
  const deliver = (who: string, id = `order-${who}`) =>
    shop.api('POST', '/v1/events', {
      id,
      type: 'order.delivered',
      occurredAt: shop.clock.now().toISOString(),
      contact: { id: who, email: `${who}@example.com` },
    });
  const mailsTo = (sink: SmtpSink, who: string) =>
    sink.messages.filter((m) => m.to.includes(`${who}@example.com`));
  return { ...shop, deliver, mailsTo };
}

describe('contact rules end to end', () => {
  test('a refund before the delayed invitation goes out cancels it; after the delay nothing is sent, and every event says why', async ({
    shopWith,
    smtp,
  }) => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { system, api: call } = await startRulesShop(shopWith, clock);
    const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      (await call(method, url, payload)).json();
    const [trigger] = (await api('GET', '/v1/triggers')).data;
    await api('PATCH', `/v1/triggers/${trigger.id}`, {
      delay: 'P3D',
      dedupeKey: 'properties.orderId',
      cancelOn: ['order.refunded', 'order.returned'],
    });
    const contact = { id: 'cust-7', email: 'kim@example.com' };
    const send = (id: string, type: string, orderId: string) =>
      api('POST', '/v1/events', {
        id,
        type,
        occurredAt: clock.now().toISOString(),
        contact,
        properties: { orderId },
      });

    await send('deliv-1', 'order.delivered', 'A-1');
    await send('deliv-2', 'order.delivered', 'A-2');
    await waitFor(async () => expect((await api('GET', '/v1/events/deliv-2')).status).toBe('planned'));

    clock.advance(86_400_000);
    await send('refund-1', 'order.refunded', 'A-1');
    await waitFor(async () => expect((await api('GET', '/v1/events/refund-1')).status).toBe('planned'));

    const refund = await api('GET', '/v1/events/refund-1');
    expect(refund.decisions).toContainEqual(
      expect.objectContaining({
        outcome: 'cancelled',
        invitation: expect.objectContaining({ status: 'cancelled' }),
      }),
    );
    const delivered = await api('GET', '/v1/events/deliv-1');
    expect(delivered.decisions[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'cancelled_by_event',
      detail: { byEvent: 'refund-1', value: 'A-1' },
    });
    // The second order (same contact, 30-day throttle) was throttled by the first invitation.
    expect((await api('GET', '/v1/events/deliv-2')).decisions[0]).toMatchObject({ reason: 'throttled' });

    // Three days on, the due scanner finds nothing to send: the only invitation was cancelled.
    clock.advance(3 * 86_400_000);
    expect(await system.worker.scanner.scan()).toBe(0);
    await queuesIdle(system.ctx.queues);
    expect(smtp.messages).toHaveLength(0);

    const history = await api('GET', '/v1/contacts/cust-7');
    expect(history.invitations).toHaveLength(1);
    expect(history.invitations[0]).toMatchObject({ status: 'cancelled', event: 'deliv-1' });
    // A cancelled invitation does not count: the contact may be asked again right away.
    expect(history.nextEligible.triggers[0].earliest).toBe(clock.now().toISOString());

    const stats = await api('GET', '/v1/stats/skips');
    expect(stats.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'cancelled_by_event', count: 1 }),
        expect.objectContaining({ reason: 'throttled', count: 1 }),
        expect.objectContaining({ reason: 'no_trigger', count: 1 }),
      ]),
    );
  });

  test('a refund after the invitation was sent cancels nothing, and cancelOn without a dedupe key is refused', async ({
    shopWith,
    smtp,
  }) => {
    const { api: call } = await startRulesShop(shopWith);
    const api = call;
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    const refused = await api('PATCH', `/v1/triggers/${trigger.id}`, { cancelOn: ['order.refunded'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].field).toBe('cancelOn');
    await api('PATCH', `/v1/triggers/${trigger.id}`, {
      dedupeKey: 'properties.orderId',
      cancelOn: ['order.refunded'],
    });

    const contact = { id: 'cust-8', email: 'lee@example.com' };
    await api('POST', '/v1/events', {
      id: 'd-1',
      type: 'order.delivered',
      contact,
      properties: { orderId: 'B-1' },
    });
    await smtp.waitFor((m) => m.to.includes('lee@example.com'));
    await api('POST', '/v1/events', {
      id: 'r-1',
      type: 'order.refunded',
      contact,
      properties: { orderId: 'B-1' },
    });
    await waitFor(async () => expect((await api('GET', '/v1/events/r-1')).json().status).toBe('planned'));
    expect((await api('GET', '/v1/events/d-1')).json().decisions[0]).toMatchObject({
      outcome: 'invited',
      invitation: { status: 'sent' },
    });
  });

  test('reminders go to those who have not answered, on the same link, N times D days apart, and stop after an answer', async ({
    shopWith,
    smtp,
  }) => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { system, api, deliver, mailsTo } = await startRulesShop(shopWith, clock);
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    await api('PATCH', `/v1/triggers/${trigger.id}`, { reminderCount: 2, reminderAfterDays: 3 });
    for (const who of ['quiet', 'answers']) {
      await deliver(who);
    }
    await waitFor(() => expect(smtp.messages).toHaveLength(2));
    const linkOf = (text: string) => /\/s\/[A-Za-z0-9_-]{32}/.exec(text)?.[0];
    const firstLink = linkOf(mailsTo(smtp, 'quiet')[0]?.text ?? '');

    // "answers" answers the first mail; "quiet" does not.
    const answersLink = linkOf(mailsTo(smtp, 'answers')[0]?.text ?? '') ?? '';
    expect(
      (await system.app.inject({ method: 'POST', url: answersLink, payload: { score: 9, comment: 'ok' } }))
        .statusCode,
    ).toBe(201);

    const nextDay = async (days: number) => {
      clock.advance(days * 86_400_000);
      await system.worker.scanner.scan();
    };
    await nextDay(2);
    await queuesIdle(system.ctx.queues);
    expect(mailsTo(smtp, 'quiet')).toHaveLength(1); // not yet: reminders come after 3 days

    await nextDay(1);
    await waitFor(() => expect(mailsTo(smtp, 'quiet')).toHaveLength(2));
    const reminder = mailsTo(smtp, 'quiet')[1];
    expect(reminder?.subject).toMatch(/^Reminder: /);
    expect(linkOf(reminder?.text ?? '')).toBe(firstLink);

    await nextDay(3);
    await waitFor(() => expect(mailsTo(smtp, 'quiet')).toHaveLength(3));
    await nextDay(3);
    await nextDay(3);
    await queuesIdle(system.ctx.queues);
    expect(mailsTo(smtp, 'quiet')).toHaveLength(3); // two reminders, then no more
    expect(mailsTo(smtp, 'answers')).toHaveLength(1); // answered: never reminded
  });

  test('a reminder whose job Redis lost is sent once its lease runs out', async ({ shopWith, smtp }) => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { system, api, deliver } = await startRulesShop(shopWith, clock);
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    await api('PATCH', `/v1/triggers/${trigger.id}`, { reminderCount: 1, reminderAfterDays: 1 });
    await deliver('max', 'o-1');
    await smtp.waitFor((m) => m.to.includes('max@example.com'));
    await system.worker.scanner.stop(); // from here on, scans happen only when the test says so
    clock.advance(86_400_000);
    // Claimed but never enqueued: what a Redis loss right after the claim leaves behind.
    // (The sender records "sent" and the reminder time just after SMTP accepts, hence the wait.)
    await waitFor(async () =>
      expect(await claimDueReminders(system.ctx.database, clock.now(), 100)).toHaveLength(1),
    );
    expect(await system.worker.scanner.scan()).toBe(0);
    clock.advance(11 * 60_000);
    expect(await system.worker.scanner.scan()).toBe(1);
    await waitFor(() =>
      expect(smtp.messages.filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1),
    );
  });

  test('no reminder after an opt-out, and none once the link has expired', async ({ shopWith, smtp }) => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const { system, api, deliver, mailsTo } = await startRulesShop(shopWith, clock);
    const [trigger] = (await api('GET', '/v1/triggers')).json().data;
    await api('PATCH', `/v1/triggers/${trigger.id}`, { reminderCount: 3, reminderAfterDays: 20 });
    for (const who of ['leaves', 'lingers']) {
      await deliver(who, `o-${who}`);
    }
    await waitFor(() => expect(smtp.messages).toHaveLength(2));
    await waitFor(async () => {
      const rows = await system.ctx.database
        .sql`select 1 from invitations where next_reminder_at is not null`;
      expect(rows).toHaveLength(2);
    });
    await system.worker.scanner.stop();
    // The opt-out paths (unsubscribe link, STOP, API) come with the channels issue; the column is what they set.
    await system.ctx.database.sql`update contacts set opted_out_at = now() where external_id = 'leaves'`;
    clock.advance(20 * 86_400_000);
    await system.worker.scanner.scan();
    await waitFor(() => expect(mailsTo(smtp, 'lingers')).toHaveLength(2));
    // The link lives 30 days (TOKEN_TTL_DAYS): the reminder due on day 40 is not sent.
    clock.advance(20 * 86_400_000);
    await system.worker.scanner.scan();
    await queuesIdle(system.ctx.queues);
    expect(mailsTo(smtp, 'lingers')).toHaveLength(2);
    expect(mailsTo(smtp, 'leaves')).toHaveLength(1);
    const [left] = await system.ctx.database
      .sql`select next_reminder_at from invitations i join contacts c on c.id = i.contact_id where c.external_id = 'leaves'`;
    expect(left?.next_reminder_at).toBeNull();
  });
});
