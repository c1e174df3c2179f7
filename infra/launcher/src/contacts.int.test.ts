// A contact corrected and erased through the API: what identifies them goes, their anonymous score stays, they are never asked again.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { test } from './testing.ts';

describe('contacts', () => {
  test('PATCH corrects details (a new address clears a bounce); DELETE erases the person but keeps the score', async ({
    shopWith,
    smtp,
  }) => {
    const { system, api } = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const sql = system.ctx.database.sql;
    // Nobody listens: deliveries stay pending, so what they would carry can be read.
    await api('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/nobody',
      eventTypes: ['response.created', 'case.created', 'contact.unsubscribed'],
    });
    await api('POST', '/v1/events', {
      id: 'o-1',
      type: 'order.delivered',
      contact: { id: 'c-1', email: 'eve@example.com', name: 'Eve Adams' },
      properties: { address: '1 Main St' },
    });
    const mail = await smtp.waitFor((m) => m.to.includes('eve@example.com'));
    const path = /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(mail.html ?? '')?.[1] ?? '';
    await system.app.inject({
      method: 'POST',
      url: path,
      payload: { score: 2, comment: 'Eve here, call me on 555-0101' },
    });
    await smtp.waitFor((m) => m.subject.startsWith('Detractor alert'));
    await waitFor(async () => (await sql`select 1 from case_events where detail ? 'comment'`).length === 1);

    const [{ id: caseId }] = (await api('GET', '/v1/cases')).json().data;
    await api('PATCH', `/v1/cases/${caseId}`, { note: 'Called Eve Adams back' });
    await waitFor(
      async () => (await sql`select 1 from webhook_deliveries where body like '%555-0101%'`).length > 0,
    );

    // Correcting.
    const bad = await api('PATCH', '/v1/contacts/c-1', { email: 'nope', locale: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['email', 'locale']);
    expect((await api('PATCH', '/v1/contacts/nobody', { name: 'X' })).statusCode).toBe(404);
    await sql`update contacts set email_bounced_at = now()`;
    const fixed = await api('PATCH', '/v1/contacts/c-1', {
      email: 'eve.adams@example.com',
      timezone: 'Europe/Warsaw',
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json()).toMatchObject({
      email: 'eve.adams@example.com',
      timezone: 'Europe/Warsaw',
    });
    expect((await sql`select email_bounced_at from contacts`)[0]?.email_bounced_at).toBeNull();

    // Erasing.
    expect((await api('DELETE', '/v1/contacts/c-1')).statusCode).toBe(204);
    expect((await api('DELETE', '/v1/contacts/nobody')).statusCode).toBe(404);
    expect(await sql`select email, phone, name, opted_out_at is not null as out from contacts`).toEqual([
      { email: null, phone: null, name: null, out: true },
    ]);
    expect(await sql`select score, comment, properties from responses`).toEqual([
      { score: 2, comment: null, properties: {} },
    ]);
    expect(await sql`select properties from events`).toEqual([{ properties: {} }]);
    const leftovers =
      await sql`select text, html from notifications where text like '%555-0101%' or html like '%Eve%'`;
    expect(leftovers).toEqual([]);
    expect(await sql`select count(*)::int as n from cases`).toEqual([{ n: 1 }]);
    expect(await sql`select count(*)::int as n from case_events where detail ? 'comment'`).toEqual([
      { n: 0 },
    ]);

    expect(
      await sql`select count(*)::int as n from webhook_deliveries
      where body like '%eve@example.com%' or body like '%555-0101%' or body like '%Eve Adams%'`,
    ).toEqual([{ n: 0 }]);
    expect(await sql`select count(*)::int as n from case_events where detail::text like '%Eve%'`).toEqual([
      { n: 0 },
    ]);
    expect((await api('PATCH', '/v1/contacts/c-1', { name: 'Eve' })).statusCode).toBe(404);

    // The score still counts; the person is never asked again.
    const [survey] = (await api('GET', '/v1/surveys')).json().data;
    expect((await api('GET', `/v1/metrics?surveyId=${survey.id}`)).json()).toMatchObject({
      n: 1,
      detractors: 1,
    });
    await sql`update invitations set send_at = send_at - interval '400 days'`;
    await api('POST', '/v1/events', {
      id: 'o-2',
      type: 'order.delivered',
      contact: { id: 'c-1', email: 'eve@example.com' },
    });
    await waitFor(async () =>
      expect((await api('GET', '/v1/events/o-2')).json().decisions[0]).toMatchObject({
        reason: 'opted_out',
      }),
    );
    // The new event did not bring the details back.
    expect(await sql`select email, name from contacts`).toEqual([{ email: null, name: null }]);
  });
});
