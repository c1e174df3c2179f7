// Contacts in the console on the whole system: search by id, email or phone; why an event made no invitation, in words;
// unsubscribe and resubscribe; erasure only after its confirmation, and then the person's details are gone.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { consoleAgent, linkFromMail, signedInOwner } from './console-agent.ts';
import { type Shop, test } from './testing.ts';

async function event(shop: Shop, id: string, type: string, contact: Record<string, string>) {
  const res = await shop.api('POST', '/v1/events', { id, type, contact, properties: { orderId: id } });
  expect(res.statusCode).toBe(202);
  await waitFor(async () => (await shop.api('GET', `/v1/events/${id}`)).json().status === 'planned');
}

const jane = { id: 'cust-42', email: 'jane@example.com', phone: '+48600100200', name: 'Jane Doe' };
const bob = { id: 'cust-77', email: 'bob@example.com', name: 'Bob' };

/** The ids of the contacts a search page links to. */
const found = (body: string) => [...body.matchAll(/<a href="\/app\/contacts\/([^"?]+)">/g)].map((m) => m[1]);

describe('contacts in the console', () => {
  test('search by the start of an id, an email or a phone; an empty search says what to do next', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    expect((await owner.get('/app/contacts')).body).toContain('Contacts arrive with events.');
    await event(shop, 'order-1', 'order.delivered', jane);
    await event(shop, 'order-2', 'order.delivered', bob);

    expect(found((await owner.get('/app/contacts')).body)).toEqual(['cust-77', 'cust-42']);
    expect(found((await owner.get('/app/contacts?q=cust-4')).body)).toEqual(['cust-42']);
    expect(found((await owner.get('/app/contacts?q=BOB%40')).body)).toEqual(['cust-77']);
    expect(found((await owner.get('/app/contacts?q=%2B48600')).body)).toEqual(['cust-42']);
    const none = await owner.get('/app/contacts?q=zed');
    expect(found(none.body)).toEqual([]);
    expect(none.body).toContain('No contact’s id, email or phone starts with “zed”.');

    // Among 5,000 contacts, each of the search's three conditions is served by its index of migration 0023 (a range
    // on the prefix, not a filter over every contact of the workspace).
    const { sql } = shop.system.ctx.database;
    const [ws] = await sql<{ id: string }[]>`select id from workspaces limit 1`;
    await sql`insert into contacts (workspace_id, external_id, email, phone)
      select ${ws?.id ?? ''}, 'bulk-' || n, 'bulk' || n || '@example.com', '+1555' || lpad(n::text, 7, '0')
      from generate_series(1, 5000) n`;
    await sql`analyze contacts`;
    const conditions = {
      contacts_search_external: `lower(external_id) like lower('cust-4%')`,
      contacts_search_email: `lower(email) like lower('jane%')`,
      contacts_search_phone: `phone like '+4860%'`,
    };
    for (const [index, condition] of Object.entries(conditions)) {
      const plan = await shop.system.ctx.database.sql.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        return tx.unsafe(`explain select id from contacts where workspace_id = $1 and ${condition}`, [
          ws?.id ?? '',
        ]);
      });
      const text = plan.map((r) => String(r['QUERY PLAN'])).join('\n');
      expect(text, condition).toContain(index);
      expect(text, condition).toMatch(/Index Cond: .*~>=~/);
    }
  });

  test('a contact’s page: details, events with why no invitation was made, invitations, answers', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    await event(shop, 'order-1', 'order.delivered', jane);
    await event(shop, 'order-2', 'order.delivered', jane);
    await event(shop, 'ticket-9', 'ticket.solved', jane);

    const page = await owner.get('/app/contacts/cust-42');
    expect(page.statusCode).toBe(200);
    for (const text of ['Jane Doe (cust-42)', 'jane@example.com', '+48600100200', 'Receives surveys'])
      expect(page.body).toContain(text);
    for (const id of ['order-1', 'order-2', 'ticket-9'])
      expect(page.body).toContain(`href="/app/events/${id}"`);
    expect(page.body).toContain('invited (1)');
    expect(page.body).toContain(
      'The contact was already invited to this survey recently (the trigger’s throttle).',
    );
    expect(page.body).toContain('No enabled trigger listens for this event type.');
    expect(page.body).toContain('Post-delivery NPS');
    expect(page.body).toContain('No answers yet.');
    expect((await owner.get('/app/contacts/nobody')).statusCode).toBe(404);

    // In the operator's own language: the same reasons in Polish and in Russian.
    const { sql } = shop.system.ctx.database;
    await sql`update users set locale = 'pl' where email = 'owner@shop.test'`;
    const pl = await owner.get('/app/contacts/cust-42');
    expect(pl.body).toContain('<html lang="pl"');
    expect(pl.body).toContain('Kontakt niedawno dostał już tę ankietę (limit częstotliwości wyzwalacza).');
    expect(pl.body).toContain('Żaden włączony wyzwalacz nie czeka na zdarzenia tego typu.');
    await sql`update users set locale = 'ru' where email = 'owner@shop.test'`;
    expect((await owner.get('/app/contacts/cust-42')).body).toContain(
      'Контакт недавно уже получал этот опрос (ограничение частоты триггера).',
    );
  });

  test('unsubscribe, then resubscribe; an opted-out contact’s waiting invitation is cancelled with the reason shown', async ({
    shopWith,
    smtp,
  }) => {
    // A delay keeps the invitation waiting, so the opt-out has one to cancel.
    const shop = await shopWith();
    const [trigger] = (await shop.api('GET', '/v1/triggers')).json().data;
    await shop.api('PATCH', `/v1/triggers/${trigger.id}`, { delay: 'P1D' });
    const owner = await signedInOwner(shop, smtp);
    await event(shop, 'order-1', 'order.delivered', jane);

    const off = await owner.submit('/app/contacts/cust-42', '/app/contacts/cust-42/unsubscribe');
    expect(off.headers.location).toBe('/app/contacts/cust-42?done=unsubscribed');
    const page = await owner.get('/app/contacts/cust-42?done=unsubscribed');
    expect(page.body).toContain('Unsubscribed. Nothing more is sent to them.');
    expect(page.body).toMatch(/Opted out [^<]+ \(in the console\)/);
    expect(page.body).toContain('cancelled');
    expect(page.body).toContain('The contact had opted out of surveys.');
    expect((await shop.api('GET', '/v1/contacts/cust-42')).json().optedOutAt).not.toBeNull();

    const on = await owner.submit('/app/contacts/cust-42', '/app/contacts/cust-42/resubscribe');
    expect(on.headers.location).toBe('/app/contacts/cust-42?done=resubscribed');
    expect((await owner.get('/app/contacts/cust-42')).body).toContain('Receives surveys');
    expect((await shop.api('GET', '/v1/contacts/cust-42')).json().optedOutAt).toBeNull();
  });

  test('erasure: the confirmation names what goes; without the id typed it is refused; then the details are gone', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    await event(shop, 'order-1', 'order.delivered', jane);

    const confirm = await owner.get('/app/contacts/cust-42/erase');
    expect(confirm.statusCode).toBe(200);
    for (const text of [
      'Erase cust-42?',
      'jane@example.com',
      '+48600100200',
      'Jane Doe',
      'Events whose properties are wiped: 1.',
    ])
      expect(confirm.body).toContain(text);

    const bare = await owner.postFrom('/app/contacts/cust-42/erase', '/app/contacts/cust-42/erase');
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('confirm');
    const wrong = await owner.submit('/app/contacts/cust-42/erase', '/app/contacts/cust-42/erase', {
      confirm: 'cust-4',
    });
    expect(wrong.statusCode).toBe(400);
    expect((await shop.api('GET', '/v1/contacts/cust-42')).json().email).toBe('jane@example.com');

    const erased = await owner.submit('/app/contacts/cust-42/erase', '/app/contacts/cust-42/erase', {
      confirm: 'cust-42',
    });
    expect(erased.headers.location).toBe('/app/contacts?done=erased&id=cust-42');
    expect((await owner.get(erased.headers.location as string)).body).toContain('Contact cust-42 erased.');
    const [row] = await shop.system.ctx.database
      .sql`select email, phone, name, opted_out_at, erased_at from contacts where external_id = 'cust-42'`;
    expect(row).toMatchObject({ email: null, phone: null, name: null });
    expect(row?.opted_out_at).not.toBeNull();
    expect(row?.erased_at).not.toBeNull();
    const [props] = await shop.system.ctx.database
      .sql`select properties from events where external_id = 'order-1'`;
    expect(props?.properties).toEqual({});
    expect(found((await owner.get('/app/contacts?q=jane')).body)).toEqual([]);
    const page = await owner.get('/app/contacts/cust-42');
    expect(page.body).toContain('Erased');
    expect(page.body).not.toContain('jane@example.com');
    expect(page.body).not.toContain('action="/app/contacts/cust-42/resubscribe"');
    const audit = await shop.system.ctx.database
      .sql`select action, actor_label from audit_log where action like 'contact.%'`;
    expect(audit).toEqual([{ action: 'contact.erase', actor_label: 'owner@shop.test' }]);
  });

  test('an agent opts out but cannot erase; a viewer changes nothing; a form without its CSRF token is refused', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    await event(shop, 'order-1', 'order.delivered', jane);
    const invite = async (email: string, role: string) => {
      const before = smtp.messages.length;
      await owner.submit('/app/team', '/app/team/invite', { email, role });
      const link = await linkFromMail(smtp, email, before);
      const agent = consoleAgent(shop);
      await agent.submit(link, link);
      return agent;
    };
    const ann = await invite('ann@shop.test', 'agent');
    const vic = await invite('vic@shop.test', 'viewer');

    const annPage = await ann.get('/app/contacts/cust-42');
    expect(annPage.body).toContain('action="/app/contacts/cust-42/unsubscribe"');
    expect(annPage.body).not.toContain('href="/app/contacts/cust-42/erase"');
    expect((await ann.get('/app/contacts/cust-42/erase')).statusCode).toBe(403);
    const annErase = await ann.postFrom('/app/contacts/cust-42', '/app/contacts/cust-42/erase', {
      confirm: 'cust-42',
    });
    expect(annErase.statusCode).toBe(403);
    expect(annErase.body).toContain('contacts.erase');

    const vicPage = await vic.get('/app/contacts/cust-42');
    expect(vicPage.statusCode).toBe(200);
    expect(vicPage.body).not.toContain('<form method="post"');
    for (const action of ['unsubscribe', 'resubscribe', 'erase']) {
      const res = await vic.postFrom('/app/team', `/app/contacts/cust-42/${action}`, { confirm: 'cust-42' });
      expect(res.statusCode, action).toBe(403);
      expect((await owner.postWithoutToken(`/app/contacts/cust-42/${action}`)).statusCode, action).toBe(403);
    }
    expect((await shop.api('GET', '/v1/contacts/cust-42')).json()).toMatchObject({
      email: 'jane@example.com',
      optedOutAt: null,
    });
  });
});
