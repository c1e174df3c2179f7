// Cases in the console on the whole system: the inbox views, assign / acknowledge / note / resolve through the forms
// (history and audit written), a closing message previewed before anything is sent, and who may change what.
import { ManualClock } from '@surveyflow/core';
import { queuesIdle, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import {
  type Agent,
  consoleAgent,
  linkFromMail,
  logoPng,
  OWNER,
  signedInOwner,
  signIn,
} from './console-agent.ts';
import { SHOP_KEY, type Shop, test } from './testing.ts';

type Sink = Parameters<typeof signIn>[1];

/** Answers the newest invitation mail to `to` (after message `after`) through its survey link; returns the response id. */
async function answerMail(shop: Shop, smtp: Sink, to: string, after: number, score: number, comment: string) {
  const invitation = await smtp.waitFor(
    (m) =>
      m.to.includes(to) && smtp.messages.indexOf(m) >= after && /\/s\/[\w-]{32}\?score=0/.test(m.html ?? ''),
  );
  const path = /href="http:\/\/[^"/]+(\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
  expect(path, invitation.html ?? '').not.toBe('');
  const res = await shop.system.app.inject({
    method: 'POST',
    url: path,
    payload: { score, comment },
    headers: { accept: 'application/json' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().responseId as string;
}

/** An order.delivered for `who`, their answer through the survey link in the invitation, and the case it opens. */
async function detractor(shop: Shop, smtp: Sink, who: string, score: number, comment: string) {
  const before = smtp.messages.length;
  await shop.api('POST', '/v1/events', {
    id: `order-${who}`,
    type: 'order.delivered',
    occurredAt: shop.clock.now().toISOString(),
    contact: { id: who, email: `${who}@example.com`, name: who[0]?.toUpperCase() + who.slice(1) },
    properties: { orderId: `A-${who}`, store: 'Kraków' },
  });
  const responseId = await answerMail(shop, smtp, `${who}@example.com`, before, score, comment);
  const found = await waitFor(async () => {
    const data = (await shop.api('GET', '/v1/cases')).json().data as { id: string; responseId: string }[];
    return data.find((c) => c.responseId === responseId) ?? null;
  });
  return found.id;
}

/** The Shop with cases for detractors (24 h SLA), and the owner signed in. */
async function shopWithCases(shopWith: (o?: object) => Promise<Shop>, smtp: Sink, clock?: ManualClock) {
  const shop = await shopWith({ ...(clock ? { clock } : {}), env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
  const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
  const patched = await shop.api('PATCH', `/v1/surveys/${survey.id}`, {
    actions: [{ type: 'case', slaHours: 24 }],
  });
  expect(patched.statusCode).toBe(200);
  const owner = await signedInOwner(shop, smtp);
  return { shop, owner };
}

async function invite(shop: Shop, smtp: Sink, owner: Agent, email: string, role: string) {
  const before = smtp.messages.length;
  expect((await owner.submit('/app/team', '/app/team/invite', { email, role })).statusCode).toBe(303);
  const link = await linkFromMail(smtp, email, before);
  const agent = consoleAgent(shop);
  expect((await agent.submit(link, link)).statusCode).toBe(303);
  return agent;
}

const userId = async (shop: Shop, email: string) =>
  String((await shop.system.ctx.database.sql`select id from users where email = ${email}`)[0]?.id);

/** The case ids linked from an inbox page, in its order. */
const listed = (body: string) => [...body.matchAll(/href="\/app\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

describe('cases in the console', () => {
  test('each inbox view lists its cases: mine, unassigned, overdue, all; the default is mine once you have one', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const clock = new ManualClock(new Date());
    const { shop, owner } = await shopWithCases(shopWith, smtp, clock);
    const dana = await detractor(shop, smtp, 'dana', 2, 'Arrived broken');
    clock.advance(60_000);
    const eli = await detractor(shop, smtp, 'eli', 4, 'Late again');

    // Nothing is mine yet: the inbox opens on the unassigned, soonest due first.
    const first = await owner.get('/app/cases');
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatch(/<a href="\/app\/cases\?view=unassigned" aria-current="page"/);
    expect(listed(first.body)).toEqual([dana, eli]);
    expect(first.body).toContain('Dana (dana)');
    expect(first.body).toContain('Post-delivery NPS');
    expect(first.body).toContain('detractor');
    expect(first.body).toContain('due in 1 d');
    expect(first.body).toMatch(/<time[^>]+datetime="[^"]+"[^>]+data-countdown/);
    expect((await owner.get('/app/cases?view=mine')).body).toContain('Nothing is assigned to you.');

    const me = await userId(shop, OWNER);
    expect(
      (await owner.submit(`/app/cases/${dana}`, `/app/cases/${dana}/assign`, { assigneeId: me })).statusCode,
    ).toBe(303);
    const mine = await owner.get('/app/cases');
    expect(mine.body).toMatch(/<a href="\/app\/cases\?view=mine" aria-current="page"/);
    expect(listed(mine.body)).toEqual([dana]);
    expect(mine.body).toContain(OWNER);
    expect(listed((await owner.get('/app/cases?view=unassigned')).body)).toEqual([eli]);
    expect((await owner.get('/app/cases?view=overdue')).body).toContain('No case is overdue.');

    // Past the SLA both are overdue, by the server's clock, in words.
    clock.advance(26 * 3_600_000);
    const later = await signIn(shop, smtp, OWNER);
    const overdue = await later.get('/app/cases?view=overdue');
    expect(listed(overdue.body)).toEqual([dana, eli]);
    expect(overdue.body).toContain('overdue by 2 h');

    // Resolved cases leave mine and overdue, and stay in all.
    const resolved = await later.submit(`/app/cases/${dana}`, `/app/cases/${dana}/resolve`, {
      resolution: 'Refunded',
    });
    expect(resolved.headers.location).toBe(`/app/cases/${dana}?done=resolved`);
    expect((await later.get('/app/cases?view=mine')).body).toContain('Nothing is assigned to you.');
    expect(listed((await later.get('/app/cases?view=overdue')).body)).toEqual([eli]);
    const all = await later.get('/app/cases?view=all');
    expect(listed(all.body)).toEqual([dana, eli]);
    expect(all.body).toContain('resolved');
    // A cursor this console did not hand out is a 400 naming it.
    const bad = await later.get('/app/cases?view=all&cursor=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('cursor');
  });

  test('assign, acknowledge, note and resolve write the case history and the audit log; the case page shows all of it', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const { shop, owner } = await shopWithCases(shopWith, smtp);
    const ann = await invite(shop, smtp, owner, 'ann@shop.test', 'agent');
    const annId = await userId(shop, 'ann@shop.test');
    const id = await detractor(shop, smtp, 'dana', 2, 'Arrived broken');
    // Dana answers again, invited by hand for a later order (the trigger's throttle holds the automatic one).
    const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
    await shop.api('POST', '/v1/events', {
      id: 'order-dana-2',
      type: 'order.delivered',
      contact: { id: 'dana', email: 'dana@example.com' },
    });
    await waitFor(async () => (await shop.api('GET', '/v1/events/order-dana-2')).json().status === 'planned');
    const before = smtp.messages.length;
    const direct = await shop.api('POST', '/v1/invitations', {
      channel: 'email',
      surveyId: survey.id,
      eventId: 'order-dana-2',
    });
    expect(direct.statusCode).toBe(201);
    await answerMail(shop, smtp, 'dana@example.com', before, 9, 'Second time was great');

    const page = await owner.get(`/app/cases/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Arrived broken');
    expect(page.body).toContain('A-dana');
    expect(page.body).toContain('href="/app/contacts/dana"');
    expect(page.body).toContain('href="/app/events/order-dana"');
    expect(page.body).toContain(`<option value="${annId}">ann@shop.test</option>`);

    expect(
      (await owner.submit(`/app/cases/${id}`, `/app/cases/${id}/assign`, { assigneeId: annId })).headers
        .location,
    ).toBe(`/app/cases/${id}?done=assigned`);
    expect((await ann.submit(`/app/cases/${id}`, `/app/cases/${id}/acknowledge`)).statusCode).toBe(303);
    expect(
      (await ann.submit(`/app/cases/${id}`, `/app/cases/${id}/note`, { note: 'Called her, refund agreed' }))
        .statusCode,
    ).toBe(303);
    // A note must say something; the page names the field.
    const empty = await ann.submit(`/app/cases/${id}`, `/app/cases/${id}/note`, { note: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('note');
    // Assigning to someone outside the workspace is refused, naming the field.
    const stranger = await owner.submit(`/app/cases/${id}`, `/app/cases/${id}/assign`, {
      assigneeId: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain('assigneeId');
    expect(
      (await ann.submit(`/app/cases/${id}`, `/app/cases/${id}/resolve`, { resolution: 'Refunded' }))
        .statusCode,
    ).toBe(303);

    const view = (await shop.api('GET', `/v1/cases/${id}`)).json();
    expect(view).toMatchObject({ status: 'resolved', assigneeId: annId, resolution: 'Refunded' });
    expect(view.history.map((h: { kind: string; actor: string }) => [h.kind, h.actor])).toEqual([
      ['created', 'system'],
      ['assignee_changed', OWNER],
      ['status_changed', 'ann@shop.test'],
      ['note', 'ann@shop.test'],
      ['status_changed', 'ann@shop.test'],
    ]);
    const audit = await shop.system.ctx.database
      .sql`select action, actor_label, target_id, detail from audit_log where target_kind = 'case' order by id`;
    expect(audit.map((a) => [a.action, a.actor_label])).toEqual([
      ['case.update', OWNER],
      ['case.update', 'ann@shop.test'],
      ['case.update', 'ann@shop.test'],
      ['case.resolve', 'ann@shop.test'],
    ]);
    expect(audit.every((a) => a.target_id === id)).toBe(true);
    expect(audit[0]?.detail).toEqual({ changed: ['assigneeId'], note: false });

    const after = await owner.get(`/app/cases/${id}?done=resolved`);
    expect(after.body).toContain('Resolved.');
    expect(after.body).toContain('Assigned: nobody → ann@shop.test');
    expect(after.body).toContain('Status: open → acknowledged');
    expect(after.body).toContain('Called her, refund agreed');
    expect(after.body).toContain('Status: acknowledged → resolved');
    expect(after.body).not.toContain(`action="/app/cases/${id}/resolve/preview"`);
    // Dana's other answer, with its survey and segment.
    expect(after.body).toContain('Second time was great');
    expect(after.body).toContain('9 · promoter');
  });

  test('the preview shows exactly the closing email, branded as the invitation, and sends nothing; resolving after it sends that email', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const { shop, owner } = await shopWithCases(shopWith, smtp);
    expect((await shop.api('PATCH', '/v1/workspace', { accentColor: '#0f766e' })).statusCode).toBe(200);
    const image = (await logoPng()).toString('base64');
    const branded = await shop.system.app.inject({
      method: 'PUT',
      url: '/v1/workspace/logo',
      payload: { image },
      headers: { authorization: `Bearer ${SHOP_KEY}` },
    });
    expect(branded.statusCode).toBe(200);
    const logoUrl = branded.json().logo.url as string;
    const id = await detractor(shop, smtp, 'dana', 2, 'Arrived broken');
    await queuesIdle(shop.system.ctx.queues);
    const mailsBefore = smtp.messages.length;
    const message = 'We are sorry. A replacement is on its way.';

    const preview = await owner.submit(`/app/cases/${id}`, `/app/cases/${id}/resolve/preview`, {
      resolution: 'Sent a replacement',
      closingMessage: message,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('The customer will get this email, to dana@example.com');
    expect(preview.body).toContain('About your feedback to Shop');
    expect(preview.body).toContain(message);
    expect(preview.headers['content-security-policy']).toContain("frame-src 'self'");
    const frame = /<iframe[^>]+src="([^"]+)"/.exec(preview.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const email = await owner.get(frame);
    expect(email.statusCode).toBe(200);
    expect(email.body).toContain(message);
    expect(email.headers['content-security-policy']).toContain('sandbox');

    // Nothing sent, nothing changed.
    await queuesIdle(shop.system.ctx.queues);
    expect(smtp.messages.length).toBe(mailsBefore);
    expect(
      await shop.system.ctx.database
        .sql`select count(*)::int as n from notifications where kind = 'case_closed'`,
    ).toEqual([{ n: 0 }]);
    expect((await shop.api('GET', `/v1/cases/${id}`)).json().status).toBe('open');

    const sent = await owner.postFrom(`/app/cases/${id}`, `/app/cases/${id}/resolve`, {
      resolution: 'Sent a replacement',
      closingMessage: message,
    });
    expect(sent.headers.location).toBe(`/app/cases/${id}?done=told`);
    const mail = await smtp.waitFor(
      (m) => m.to.includes('dana@example.com') && m.subject === 'About your feedback to Shop',
    );
    expect(mail.text.replace(/\s+/g, ' ')).toContain(message);
    expect(mail.html).toBe(email.body);
    // The workspace's logo (by its public URL), as the invitation and the follow-up message wear it (the accent
    // colours their buttons; a closing message has none).
    expect(mail.html).toContain(`<img src="${logoUrl}" alt="Shop"`);
    expect((await owner.get(`/app/cases/${id}?done=told`)).body).toContain(
      'The closing message is on its way to the customer.',
    );
  });

  test('a viewer reads cases without forms and gets 403 on every POST; a form without its CSRF token is refused', {
    timeout: 120_000,
  }, async ({ shopWith, smtp }) => {
    const { shop, owner } = await shopWithCases(shopWith, smtp);
    const vic = await invite(shop, smtp, owner, 'vic@shop.test', 'viewer');
    const id = await detractor(shop, smtp, 'dana', 2, 'Arrived broken');

    const page = await vic.get(`/app/cases/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Viewers read cases');
    expect(page.body).not.toContain('<form method="post" action="/app/cases/');
    expect((await vic.get('/app/cases?view=all')).statusCode).toBe(200);

    const posts: [string, Record<string, string>][] = [
      [`/app/cases/${id}/assign`, { assigneeId: '' }],
      [`/app/cases/${id}/acknowledge`, {}],
      [`/app/cases/${id}/note`, { note: 'hi' }],
      [`/app/cases/${id}/resolve/preview`, { resolution: 'x', closingMessage: 'y' }],
      [`/app/cases/${id}/resolve`, { resolution: 'x' }],
    ];
    for (const [action, fields] of posts) {
      const res = await vic.postFrom('/app/team', action, fields);
      expect(res.statusCode, action).toBe(403);
      expect(res.body, action).toContain('cases.work');
    }
    expect((await vic.get(`/app/cases/${id}/resolve/preview.html?closingMessage=y`)).statusCode).toBe(403);
    for (const [action, fields] of posts) {
      expect((await owner.postWithoutToken(action, fields)).statusCode, action).toBe(403);
    }
    const view = (await shop.api('GET', `/v1/cases/${id}`)).json();
    expect(view.status).toBe('open');
    expect(view.history).toHaveLength(1);
  });
});
