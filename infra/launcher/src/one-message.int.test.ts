// One answer, at most one message to the customer (the review link rides inside it); an answer without a comment waits for its "why?", and a late one joins the case.
import { readFileSync } from 'node:fs';
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

const oneLine = (text: string) => text.replace(/\s+/g, ' ');
const REVIEW = 'https://g.page/r/shop-test/review';

type Sink = {
  messages: { to: string[]; subject: string; text: string; html: string | null }[];
  waitFor: (p: (m: { to: string[]; html: string | null }) => boolean) => Promise<{ html: string | null }>;
};

/** An order.delivered for `who`; the invitation's survey link path once the email is in. */
async function invite(shop: Shop, smtp: Sink, who: string, type = 'order.delivered', lowest = 0) {
  await shop.api('POST', '/v1/events', {
    id: `order-${who}`,
    type,
    contact: { id: who, email: `${who}@example.com`, name: who[0]?.toUpperCase() + who.slice(1) },
    properties: { orderId: `A-${who}` },
  });
  const invitation = await smtp.waitFor((m) => m.to.includes(`${who}@example.com`));
  const link = new RegExp(`href="http://localhost:3000(/s/[\\w-]{32})\\?score=${lowest}"`);
  const path = link.exec(invitation.html ?? '')?.[1] ?? '';
  expect(path).not.toBe('');
  return path;
}

async function post(shop: Shop, path: string, payload: { score: number; comment?: string }) {
  return shop.system.app.inject({
    method: 'POST',
    url: path,
    payload,
    headers: { accept: 'application/json' },
  });
}

describe('one message per answer', () => {
  test('with a review action, a promoter gets one email with the thank-you, the referral and the review link; a passive and a detractor one each, the same link inside', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { api, system } = shop;
    await api('PATCH', '/v1/workspace', { referralUrl: 'https://shop.example.com/welcome' });
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    // The defaults, plus the README's review action (no segments: every segment alike).
    const actions = [...survey.actions, { type: 'review', url: REVIEW }];
    expect((await api('PATCH', `/v1/surveys/${survey.id}`, { actions })).statusCode).toBe(200);

    for (const [who, score] of [
      ['pia', 10],
      ['paul', 8],
      ['dana', 2],
    ] as const) {
      const path = await invite(shop, smtp, who);
      expect((await post(shop, path, { score, comment: 'Because' })).statusCode).toBe(201);
    }
    await waitFor(async () => {
      const [row] = await system.ctx.database.sql<{ n: number }[]>`
        select count(*)::int as n from notifications where status = 'sent' and recipient like '%@example.com'`;
      return row?.n === 3;
    });
    // A moment for anything that would come second.
    await new Promise((r) => setTimeout(r, 500));
    const to = (who: string) =>
      smtp.messages.filter((m) => m.to.includes(`${who}@example.com`) && !m.subject.includes('One click'));

    const [promoter, ...morePromoter] = to('pia');
    expect(morePromoter).toHaveLength(0);
    expect(oneLine(promoter?.text ?? '')).toContain('Thank you, Pia!');
    expect(promoter?.text).toMatch(/http:\/\/localhost:3000\/r\/[a-z2-9]{8}/);
    expect(promoter?.text).toContain(REVIEW);
    expect(promoter?.html).toContain('Write a review');

    const [passive, ...morePassive] = to('paul');
    expect(morePassive).toHaveLength(0);
    expect(passive?.subject).toBe('What would make it a 10?');
    expect(passive?.text).toContain(REVIEW);

    const [detractor, ...moreDetractor] = to('dana');
    expect(moreDetractor).toHaveLength(0);
    expect(detractor?.subject).toBe('We are on it: your feedback to Shop');
    expect(oneLine(detractor?.text ?? '')).toContain('will get back to you within 48 hours');
    expect(detractor?.text).toContain(REVIEW);
    // The team still hears about the detractor, and the case is open.
    expect(smtp.messages.filter((m) => m.to.includes('a@shop.test'))).toHaveLength(1);
    expect((await api('GET', '/v1/cases')).json().data).toHaveLength(1);
  });

  test('a CSAT survey made without actions asks its neutral customer for a 5, never a 10', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const { api } = shop;
    const created = await api('POST', '/v1/surveys', {
      kind: 'csat',
      name: 'Delivery CSAT',
      question: { en: 'How satisfied are you with {company}?' },
    });
    expect(created.statusCode).toBe(201);
    const trigger = await api('POST', '/v1/triggers', {
      surveyId: created.json().id,
      eventTypes: ['ticket.solved'],
      channels: ['email'],
    });
    expect(trigger.statusCode).toBe(201);
    const path = await invite(shop, smtp, 'nina', 'ticket.solved', 1);
    expect((await post(shop, path, { score: 3, comment: 'OK' })).statusCode).toBe(201);
    await smtp.waitFor((m) => m.to.includes('nina@example.com') && !m.html?.includes('?score='));
    const mail = smtp.messages.find((m) => m.to.includes('nina@example.com') && !m.html?.includes('?score='));
    expect(mail?.subject).toBe('What would make it a 5?');
    expect(oneLine(mail?.text ?? '')).toContain('could do to make it a 5 next time?');
    expect(mail?.text).not.toMatch(/\b10\b/);
  });
});

describe('surveys made with the old defaults', () => {
  test('migration 0016 gives a CSAT or CES survey’s untouched "make it a 10" message the texts of its own scale, and leaves NPS and edited texts alone', async ({
    shop,
  }) => {
    const { api, system } = shop;
    const [nps] = (await api('GET', '/v1/surveys')).json().data;
    const old = nps.actions.find((a: { type: string }) => a.type === 'message');
    expect(old.subject.en).toBe('What would make it a 10?');
    const make = async (kind: string, message: object) =>
      (
        await api('POST', '/v1/surveys', {
          kind,
          name: kind,
          question: { en: 'Q?' },
          actions: [{ type: 'alert' }, message],
        })
      ).json().id as string;
    const csat = await make('csat', old);
    const ces = await make('ces', old);
    const edited = await make('csat', { ...old, body: { en: 'Our own words about a 10.' } });
    const migration = readFileSync(
      new URL('../../../packages/core/drizzle/0016_telling_the_team.sql', import.meta.url),
      'utf8',
    );
    for (const statement of migration
      .split('--> statement-breakpoint')
      .filter((s) => s.includes('UPDATE "surveys"')))
      await system.ctx.database.sql.unsafe(statement);
    const message = async (id: string) =>
      (await api('GET', `/v1/surveys/${id}`))
        .json()
        .actions.find((a: { type: string }) => a.type === 'message');
    expect((await message(csat)).subject.en).toBe('What would make it a 5?');
    expect((await message(csat)).body.pl).toContain('by następnym razem była to 5?');
    expect((await message(ces)).subject.ru).toBe('Что сделало бы это проще?');
    expect((await message(edited)).subject.en).toBe('What would make it a 10?');
    expect((await message(edited)).body).toEqual({ en: 'Our own words about a 10.' });
    expect((await message(nps.id)).subject.en).toBe('What would make it a 10?');
    expect((await api('GET', `/v1/surveys/${csat}`)).json().actions[0].type).toBe('alert');
  });
});

describe('the comment wait', () => {
  test('an answer without a comment: the event says the follow-up waits for it (until when); the alert then says "(no comment yet)"; the late comment joins the case', async ({
    shopWith,
    smtp,
  }) => {
    const WAIT = 2500;
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: String(WAIT) } });
    const { api } = shop;
    const path = await invite(shop, smtp, 'eve');
    const answered = await post(shop, path, { score: 1 });
    expect(answered.statusCode).toBe(201);

    const waiting = (await api('GET', '/v1/events/order-eve')).json();
    const followUp = waiting.decisions[0].invitation.response.followUp;
    expect(followUp.status).toBe('waiting_for_comment');
    const until = new Date(followUp.until).getTime();
    expect(until).toBeGreaterThan(Date.now());
    expect(until).toBeLessThanOrEqual(Date.now() + WAIT);
    expect(smtp.messages.filter((m) => m.to.includes('a@shop.test'))).toHaveLength(0);

    // The wait ends without a comment: the alert goes out saying so, and the case opens.
    const alert = await smtp.waitFor((m) => m.to.includes('a@shop.test'));
    expect(alert.html).toContain('(no comment yet)');
    const [opened] = await waitFor(async () => {
      const data = (await api('GET', '/v1/cases')).json().data;
      return data.length === 1 ? data : null;
    });
    const before = (await api('GET', `/v1/cases/${opened.id}`)).json();
    expect(before.response.comment).toBeNull();
    expect(new Date(before.response.awaitingComment.until).getTime()).toBeGreaterThan(Date.now());
    expect(before.history[0]).toMatchObject({ kind: 'created', detail: { comment: null } });
    expect(before.history[0].detail.awaitingComment.until).toBe(before.response.awaitingComment.until);
    const done = (await api('GET', '/v1/events/order-eve')).json().decisions[0].invitation.response.followUp;
    expect(done.status).toBe('done');

    // The "why?" comes: the case has it, with an event in its history; no second alert.
    expect((await post(shop, path, { score: 1, comment: 'Wrong size, twice' })).statusCode).toBe(200);
    const after = await waitFor(async () => {
      const c = (await api('GET', `/v1/cases/${opened.id}`)).json();
      return c.history.length === 2 ? c : null;
    });
    expect(after.response).toMatchObject({ comment: 'Wrong size, twice', awaitingComment: null });
    expect(after.history[1]).toMatchObject({
      kind: 'comment_added',
      actor: 'customer',
      detail: { comment: 'Wrong size, twice' },
    });
    expect(smtp.messages.filter((m) => m.to.includes('a@shop.test'))).toHaveLength(1);
  });
});
