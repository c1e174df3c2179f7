// Lists through the whole system: filters that a support team and an integration use, cursors that never skip
// or repeat a row while new ones arrive, and the CSV export parsed back.
import { parse } from 'csv-parse/sync';
import { describe, expect } from 'vitest';
import { type Shop, test } from './testing.ts';

type Api = Shop['api'];

/** Pages through a list with the given limit, returning every item's id in order. */
async function pageAll(api: Api, path: string, limit: number, between?: () => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { data: { id: string }[]; next: string | null };
    ids.push(...page.data.map((d) => d.id));
    cursor = page.next;
    await between?.();
  } while (cursor);
  return ids;
}

const order = (id: string, who: string, properties: Record<string, unknown> = {}) => ({
  id,
  type: 'order.created',
  contact: { id: who, email: `${who}@example.com`, phone: '+48600100200' },
  properties,
});

describe('lists and export', () => {
  test('paging 10,000 events while new ones arrive gives every event exactly once', async ({ shop }) => {
    const { api } = shop;
    for (let b = 0; b < 10; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => order(`e-${b}-${i}`, `c-${i % 50}`));
      const res = await api('POST', '/v1/events/batch', { events });
      expect(res.json().accepted).toBe(1000);
    }
    let extra = 0;
    const seen = await pageAll(api, '/v1/events', 500, async () => {
      // New events land while the client pages: they may or may not show, but nothing repeats or goes missing.
      const res = await api('POST', '/v1/events', order(`late-${extra++}`, 'c-late'));
      expect(res.statusCode).toBe(202);
    });
    expect(new Set(seen).size).toBe(seen.length);
    const original = seen.filter((id) => id.startsWith('e-'));
    expect(original.length).toBe(10_000);
    expect(extra).toBeGreaterThanOrEqual(20);
  }, 120_000);

  test('events, contacts, invitations and responses filter as documented; the CSV parses back', async ({
    shop,
  }) => {
    const { system, api } = shop;
    const surveyId = (await api('GET', '/v1/surveys')).json().data[0].id;
    for (const [i, who] of ['anna', 'bert', 'cleo'].entries()) {
      await api('POST', '/v1/events', order(`o-${who}`, who, { store: i === 0 ? 'Warsaw' : 'Kraków', n: i }));
    }
    await api('POST', '/v1/contacts/cleo/unsubscribe');

    // Contacts: a prefix of the id, the email or the phone; opted-out ones on their own.
    const byPrefix = (await api('GET', '/v1/contacts?q=an')).json().data.map((c: { id: string }) => c.id);
    expect(byPrefix).toEqual(['anna']);
    const byEmail = (await api('GET', '/v1/contacts?q=bert%40ex'))
      .json()
      .data.map((c: { id: string }) => c.id);
    expect(byEmail).toEqual(['bert']);
    const optedOut = (await api('GET', '/v1/contacts?optedOut=true'))
      .json()
      .data.map((c: { id: string }) => c.id);
    expect(optedOut).toEqual(['cleo']);
    expect((await api('GET', '/v1/contacts?q=%25')).json().data).toEqual([]);

    // Events: by type and contact.
    const forAnna = (await api('GET', '/v1/events?type=order.created&contact=anna')).json().data;
    expect(forAnna.map((e: { id: string }) => e.id)).toEqual(['o-anna']);
    expect((await api('GET', '/v1/events?type=order.delivered')).json().data).toEqual([]);

    // Invitations by hand on the QR channel, answered on their page.
    const answers: [string, number, string | null][] = [
      ['anna', 2, 'Late, and the box was "crushed", sadly'],
      ['bert', 10, null],
    ];
    for (const [who, score, comment] of answers) {
      const inv = await api('POST', '/v1/invitations', { channel: 'qr', surveyId, eventId: `o-${who}` });
      expect(inv.statusCode, inv.body).toBe(201);
      const answered = await system.app.inject({
        method: 'POST',
        url: new URL(inv.json().url).pathname,
        payload: { score, ...(comment ? { comment } : {}) },
      });
      expect(answered.statusCode, answered.body).toBeLessThan(300);
    }
    const qr = (await api('GET', '/v1/invitations?channel=qr')).json().data;
    expect(qr).toHaveLength(2);
    expect(qr[0]).toMatchObject({ channel: 'qr', contact: { id: 'bert' }, event: 'o-bert' });
    expect((await api('GET', '/v1/invitations?channel=sms')).json().data).toEqual([]);

    // Responses: by segment and by whether they carry a comment.
    const detractors = (await api('GET', '/v1/responses?segment=detractor')).json().data;
    expect(detractors.map((r: { contact: { id: string } }) => r.contact.id)).toEqual(['anna']);
    const silent = (await api('GET', '/v1/responses?hasComment=false')).json().data;
    expect(silent.map((r: { score: number }) => r.score)).toEqual([10]);

    // Events by outcome: invited by hand does not count as a trigger's invitation; a bad filter names its field.
    const bad = await api('GET', '/v1/responses?segment=angry&from=0000-01-01T00:00:00Z');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['from', 'segment']);

    // The export: RFC 4180 (quotes and commas survive), extra property columns on request.
    const csv = await api('GET', '/v1/responses.csv?columns=properties.store,properties.n');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    const anna = rows.find((r) => r.contact_id === 'anna');
    expect(anna).toMatchObject({
      score: '2',
      segment: 'detractor',
      comment: 'Late, and the box was "crushed", sadly',
      'properties.store': 'Warsaw',
      'properties.n': '0',
      channel: 'qr',
    });
    const promotersOnly = parse((await api('GET', '/v1/responses.csv?segment=promoter')).body, {
      columns: true,
    }) as Record<string, string>[];
    expect(promotersOnly.map((r) => r.contact_id)).toEqual(['bert']);
  });
});
