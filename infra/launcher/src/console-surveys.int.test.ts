// Surveys, triggers and events in the console on the whole system, through the forms a browser without JavaScript posts:
// create and edit a survey and a trigger, a bad field is a 400 naming it that stores nothing, the actions' messages
// previewed, the dry run's invite / skip-by-filter / skip-by-throttle, the events list and one event; a viewer only looks.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { type Agent, consoleAgent, linkFromMail, signedInOwner } from './console-agent.ts';
import { type Shop, test } from './testing.ts';

const sql = (shop: Shop) => shop.system.ctx.database.sql;

/** The bootstrap survey and its trigger (order.delivered, email, 30-day throttle). */
async function seeded(shop: Shop) {
  const [row] = await sql(shop)<{ survey: string; trigger: string }[]>`
    select s.id as survey, t.id as trigger from surveys s join triggers t on t.survey_id = s.id order by s.created_at limit 1`;
  if (!row) throw new Error('no seeded survey');
  return row;
}

/** The trigger form as its page shows it, with `changes` on top: what a browser posts. */
function triggerForm(body: string, changes: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of body.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name || name === '_csrf') continue;
    const type = /type="([^"]+)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    // A form post here holds one value a name: the days are left unticked (every day, as the API's default).
    if (type === 'checkbox') {
      if (name !== 'sendWindow.days' && /\schecked/.test(attrs)) fields[name] = value || 'on';
    } else fields[name] = value.replaceAll('&quot;', '"').replaceAll('&amp;', '&');
  }
  for (const m of body.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    // An empty value renders as a bare `value` attribute.
    const options = [...(m[2] ?? '').matchAll(/<option([^>]*)>/g)].map((o) => ({
      value: /value="([^"]*)"/.exec(o[1] ?? '')?.[1] ?? '',
      selected: /\sselected/.test(o[1] ?? ''),
    }));
    const selected = options.find((o) => o.selected)?.value;
    const first = options[0]?.value;
    if (m[1] && m[1] !== 'event') fields[m[1]] = selected ?? first ?? '';
  }
  return { ...fields, ...changes };
}

const sendEvent = (shop: Shop, id: string, contact: string, total: number) =>
  shop.api('POST', '/v1/events', {
    id,
    type: 'order.delivered',
    contact: { id: contact, email: `${contact}@example.com`, name: 'Jane' },
    properties: { orderId: id, total },
  });

const pasted = (contact: string, total: number) =>
  JSON.stringify({
    id: `try-${contact}`,
    type: 'order.delivered',
    contact: { id: contact, email: `${contact}@example.com` },
    properties: { total },
  });

async function viewer(shop: Shop, smtp: Parameters<typeof signedInOwner>[1], owner: Agent) {
  const before = smtp.messages.length;
  const res = await owner.submit('/app/team', '/app/team/invite', { email: 'vic@shop.test', role: 'viewer' });
  expect(res.statusCode).toBe(303);
  const link = await linkFromMail(smtp, 'vic@shop.test', before);
  const agent = consoleAgent(shop);
  expect((await agent.submit(link, link)).statusCode).toBe(303);
  return agent;
}

describe('surveys and triggers in the console', () => {
  test('an owner creates and edits a survey through the form; a bad field is a 400 naming it and stores nothing; the actions’ messages are previewed', {
    timeout: 60_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const list = await owner.get('/app/surveys');
    expect(list.statusCode).toBe(200);
    const { survey: seededSurvey, trigger: seededTrigger } = await seeded(shop);
    expect(list.body).toContain(`href="/app/surveys/${seededSurvey}"`);
    expect(list.body).toContain(`href="/app/triggers/${seededTrigger}"`);
    expect(list.body).toContain(`href="/app/responses?survey=${seededSurvey}"`);

    // Created with the kind's default actions.
    const created = await owner.submit('/app/surveys/new', '/app/surveys', {
      name: 'After support',
      kind: 'csat',
      'question.en': 'How satisfied are you with {company}?',
      'question.pl': 'Jak bardzo jesteś zadowolony z {company}?',
      'question.ru': '',
      'followupQuestion.en': 'Why?',
      questions: '',
      actions: '',
    });
    expect(created.statusCode).toBe(303);
    const id =
      /\/app\/surveys\/([0-9a-f-]{36})\?done=created/.exec(created.headers.location ?? '')?.[1] ?? '';
    const [row] = await sql(shop)<
      { kind: string; question: Record<string, string>; actions: { type: string }[] }[]
    >`
      select kind, question, actions from surveys where id = ${id}`;
    expect(row?.kind).toBe('csat');
    expect(row?.question).toEqual({
      en: 'How satisfied are you with {company}?',
      pl: 'Jak bardzo jesteś zadowolony z {company}?',
    });
    expect(row?.actions.map((a) => a.type)).toEqual(['alert', 'case', 'message', 'referral']);
    const page = await owner.get(`/app/surveys/${id}?done=created`);
    expect(page.body).toContain('Created.');
    // The preview renders every message: the team's alert and the detractor's case acknowledgement.
    expect(page.body).toContain('Dissatisfied customer alert');
    expect(page.body).toContain('jane@example.com');
    // The promoters' referral needs the workspace's referral page: the preview says so rather than show nothing.
    expect(page.body).toContain('Action 4 (referral) sends nothing yet: the workspace has no referral page');

    // A bad field: the form again (400), the field named next to it, nothing stored.
    const count = async () => Number((await sql(shop)`select count(*)::int as n from surveys`)[0]?.n);
    const before = await count();
    const bad = await owner.submit('/app/surveys/new', '/app/surveys', {
      name: '',
      kind: 'nps',
      'question.en': 'Q?',
      'actions[0].type': 'message',
      'actions[0].segments': 'passive',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Nothing was saved.');
    expect(bad.body).toMatch(/id="f-name-error"/);
    // The message's texts are refused at their own control, and the form keeps the row as typed.
    expect(bad.body).toContain('id="f-actions-0--body-error"');
    expect(bad.body).toMatch(/name="actions\[0\]\.segments" value="passive" checked/);

    expect(await count()).toBe(before);

    // Edited: a thank-you message for promoters; its preview is the message as sent, personalised.
    const actions = {
      'actions[0].type': 'message',
      'actions[0].segments': 'promoter',
      'actions[0].channel': 'auto',
      'actions[0].subject.en': 'Thanks from {company}',
      'actions[0].body.en': 'Thank you, {name}: a {score} makes our day.',
    };
    const previewed = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}/preview`, {
      name: 'After support',
      'question.en': 'How satisfied are you?',
      ...actions,
    });
    expect(previewed.statusCode).toBe(200);
    expect(previewed.body).toContain('Thanks from Shop');
    expect(previewed.body).toContain('Thank you, Jane Doe: a 5 makes our day.');
    expect(previewed.body).toContain('not yet saved');
    expect((await sql(shop)`select name from surveys where id = ${id}`)[0]?.name).toBe('After support');

    const saved = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}`, {
      name: 'After a support ticket',
      'question.en': 'How satisfied are you?',
      'question.ru': 'Насколько вы довольны?',
      ...actions,
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/app/surveys/${id}?done=saved`);
    const [after] = await sql(shop)<
      { name: string; kind: string; question: Record<string, string>; actions: unknown[] }[]
    >`
      select name, kind, question, actions from surveys where id = ${id}`;
    expect(after).toMatchObject({
      name: 'After a support ticket',
      kind: 'csat',
      question: { en: 'How satisfied are you?', ru: 'Насколько вы довольны?' },
    });
    expect(after?.actions).toHaveLength(1);

    // A bad edit names the action's field and changes nothing.
    const badEdit = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}`, {
      name: 'Renamed',
      'question.en': 'Q?',
      'actions[0].type': 'review',
      'actions[0].segments': ['detractor', 'passive', 'promoter'],
      'actions[0].url': 'not a url',
    });
    expect(badEdit.statusCode).toBe(400);
    expect(badEdit.body).toContain('id="f-actions-0--url-error"');
    expect(badEdit.body).toContain('value="not a url"');
    expect((await sql(shop)`select name from surveys where id = ${id}`)[0]?.name).toBe(
      'After a support ticket',
    );

    // Without JavaScript, "add" posts the form to its preview and it comes back with the new row, values kept.
    const grown = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}/preview`, {
      name: 'After a support ticket',
      'question.en': 'How satisfied are you?',
      ...actions,
      op: 'add-action',
      newAction: 'alert',
    });
    expect(grown.statusCode).toBe(200);
    expect(grown.body).toContain('name="actions[1].emails"');
    expect(grown.body).toContain('value="Thanks from {company}"');
    expect(grown.body).not.toContain('Nothing was saved.');
    const asked = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}/preview`, {
      name: 'After a support ticket',
      'question.en': 'How satisfied are you?',
      op: 'add-question',
      newQuestion: 'choice',
    });
    expect(asked.body).toContain('name="questions[0].options[1].id"');
    const withQuestion = await owner.submit(`/app/surveys/${id}`, `/app/surveys/${id}`, {
      name: 'After a support ticket',
      'question.en': 'How satisfied are you?',
      ...actions,
      'questions[0].id': 'delivery',
      'questions[0].type': 'rating',
      'questions[0].label.en': 'Delivery',
      'questions[0].scale': '1-5',
      'questions[0].importance': '2',
    });
    expect(withQuestion.statusCode).toBe(303);
    expect((await sql(shop)`select questions from surveys where id = ${id}`)[0]?.questions).toEqual([
      { id: 'delivery', type: 'rating', label: { en: 'Delivery' }, scale: '1-5', importance: 2 },
    ]);
  });

  test('a trigger is created and edited through its form; a bad field is a 400 naming it; the dry run invites, skips by filter and by throttle', {
    timeout: 90_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const { survey, trigger: seededTrigger } = await seeded(shop);
    const triggers = async () => Number((await sql(shop)`select count(*)::int as n from triggers`)[0]?.n);

    const newPage = await owner.get(`/app/triggers/new?survey=${survey}`);
    expect(newPage.statusCode).toBe(200);
    const before = await triggers();
    const bad = await owner.submit(
      `/app/triggers/new?survey=${survey}`,
      '/app/triggers',
      triggerForm(newPage.body, { delay: 'soon' }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="f-delay-error"');
    expect(bad.body).toContain('ISO 8601 duration');
    expect(await triggers()).toBe(before);
    // On a Russian operator's page the same rule speaks Russian; the API's body stays English.
    await sql(shop)`update users set locale = 'ru'`;
    const ru = await owner.submit(
      `/app/triggers/new?survey=${survey}`,
      '/app/triggers',
      triggerForm(newPage.body, { delay: 'soon' }),
    );
    expect(ru.body).toContain('неотрицательная длительность ISO 8601, например PT0S, PT2H или P3D');
    expect(ru.body).not.toContain('must be a non-negative ISO 8601 duration');
    const api = await shop.api('POST', '/v1/triggers', {
      surveyId: survey,
      eventTypes: ['a'],
      delay: 'soon',
    });
    expect(api.json().error.details[0].message).toBe(
      'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D',
    );
    await sql(shop)`update users set locale = 'en'`;

    const created = await owner.submit(
      `/app/triggers/new?survey=${survey}`,
      '/app/triggers',
      triggerForm(newPage.body, {
        name: 'Big orders',
        eventTypes: 'order.shipped',
        'filter.0.field': 'properties.total',
        'filter.0.op': 'gte',
        'filter.0.value': '100',
        delay: 'P2D',
        'sendWindow.start': '09:00',
        'sendWindow.end': '18:00',
        'channels.1': 'sms',
        'channels.2': 'email',
      }),
    );
    expect(created.statusCode, /role="alert">([\s\S]*?)<\/div>/.exec(created.body)?.[1]).toBe(303);
    const id =
      /\/app\/triggers\/([0-9a-f-]{36})\?done=created/.exec(created.headers.location ?? '')?.[1] ?? '';
    const [stored] = await sql(
      shop,
    )`select name, event_types, filter, delay, send_window, channels from triggers where id = ${id}`;
    expect(stored).toMatchObject({
      name: 'Big orders',
      event_types: ['order.shipped'],
      filter: { all: [{ field: 'properties.total', op: 'gte', value: 100 }] },
      delay: 'P2D',
      send_window: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '18:00' },
      channels: ['sms', 'email'],
    });

    // Edited: cancel-on without a dedupe key is refused, naming cancelOn; with one it is saved.
    const page = await owner.get(`/app/triggers/${id}`);
    const refused = await owner.submit(
      `/app/triggers/${id}`,
      `/app/triggers/${id}`,
      triggerForm(page.body, { cancelOn: 'order.refunded' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="f-cancelOn-error"');
    const edited = await owner.submit(
      `/app/triggers/${id}`,
      `/app/triggers/${id}`,
      triggerForm(page.body, {
        cancelOn: 'order.refunded',
        dedupeKey: 'properties.orderId',
        throttleDays: '14',
      }),
    );
    expect(edited.statusCode).toBe(303);
    expect(
      (await sql(shop)`select cancel_on, dedupe_key, throttle_days from triggers where id = ${id}`)[0],
    ).toEqual({
      cancel_on: ['order.refunded'],
      dedupe_key: 'properties.orderId',
      throttle_days: 14,
    });

    // The dry run on the seeded trigger: a picked event (c-1 has just been invited by it, for real).
    expect((await sendEvent(shop, 'order-1', 'c-1', 150)).statusCode).toBe(202);
    await waitFor(async () => (await sql(shop)`select 1 from invitations`).length > 0, { timeoutMs: 30_000 });
    const seededPage = await owner.get(`/app/triggers/${seededTrigger}`);
    expect(seededPage.body).toContain('<option value="order-1"');
    const form = triggerForm(seededPage.body);
    const tryIt = (changes: Record<string, string>, fragment = true) =>
      owner.submit(
        `/app/triggers/${seededTrigger}`,
        `/app/triggers/${seededTrigger}/try${fragment ? '?fragment=1' : ''}`,
        { ...form, ...changes },
      );

    // A new contact: invite, at once, by email.
    const invite = await tryIt({ eventJson: pasted('c-2', 150) });
    expect(invite.statusCode).toBe(200);
    expect(invite.body).toContain('data-outcome="invite"');
    expect(invite.body).toMatch(/Would invite by email at [^<]*2\d{3}/);
    // The filter as edited, not yet saved: properties.total ≥ 200 skips it.
    const filtered = await tryIt({
      eventJson: pasted('c-2', 150),
      'filter.0.field': 'properties.total',
      'filter.0.op': 'gte',
      'filter.0.value': '200',
    });
    expect(filtered.body).toContain('data-reason="filtered_out"');
    expect(filtered.body).toContain(
      'Would skip: the filter did not match: properties.total gte 200 (was 150)',
    );
    // The picked event's contact was invited to this survey moments ago: the throttle says so.
    const throttled = await tryIt({ event: 'order-1' }, false);
    expect(throttled.statusCode).toBe(200);
    expect(throttled.body).toContain('data-reason="throttled"');
    expect(throttled.body).toMatch(
      /Would skip: invited to this survey (today|now|0 days ago) \(throttle, 30 days\)/,
    );
    // The page came back whole, the choice kept; and nothing was stored by any of it.
    expect(throttled.body).toContain('<option value="order-1" selected');
    expect((await sql(shop)`select filter from triggers where id = ${seededTrigger}`)[0]?.filter).toBeNull();
    expect(Number((await sql(shop)`select count(*)::int as n from invitations`)[0]?.n)).toBe(1);
    // An unreadable form or event says what to fix.
    expect((await tryIt({ eventJson: pasted('c-2', 150), delay: 'soon' })).body).toContain(
      'Fix the form first: delay',
    );
    expect((await tryIt({ eventJson: '{"id":"x"}' })).body).toContain('That event cannot be read: type');
  });

  test('a new trigger, not saved yet, is tried as the form stands: the same dry run, and nothing is stored', {
    timeout: 60_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const { survey } = await seeded(shop);
    const count = async (table: 'triggers' | 'invitations' | 'event_decisions') =>
      Number((await sql(shop)`select count(*)::int as n from ${sql(shop)(table)}`)[0]?.n);
    const before = { triggers: await count('triggers'), invitations: await count('invitations') };
    const newPage = await owner.get(`/app/triggers/new?survey=${survey}`);
    expect(newPage.body).toContain('formaction="/app/triggers/new/try"');
    expect(newPage.body).toContain('data-dry-run="/app/triggers/new/try?fragment=1"');
    const form = triggerForm(newPage.body, { eventTypes: 'order.shipped' });
    const tryNew = (changes: Record<string, string>, fragment = true) =>
      owner.submit(
        `/app/triggers/new?survey=${survey}`,
        `/app/triggers/new/try${fragment ? '?fragment=1' : ''}`,
        {
          ...form,
          ...changes,
        },
      );
    const shipped = (total: number) =>
      JSON.stringify({
        id: 'try-new',
        type: 'order.shipped',
        contact: { id: 'c-new', email: 'new@example.com' },
        properties: { total },
      });
    const invite = await tryNew({ eventJson: shipped(150) });
    expect(invite.statusCode).toBe(200);
    expect(invite.body).toContain('data-outcome="invite"');
    const filtered = await tryNew({
      eventJson: shipped(150),
      'filter.0.field': 'properties.total',
      'filter.0.op': 'gte',
      'filter.0.value': '200',
    });
    expect(filtered.body).toContain('data-reason="filtered_out"');
    // Another event type than the form's: the trigger would not fire.
    expect((await tryNew({ eventJson: pasted('c-2', 150) })).body).toContain('data-reason="no_trigger"');
    expect((await tryNew({ eventJson: shipped(150), delay: 'soon' })).body).toContain(
      'Fix the form first: delay',
    );
    // Without JavaScript the whole new-trigger form comes back with the outcome and the values typed.
    const page = await tryNew({ eventJson: shipped(150), name: 'Shipped' }, false);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-outcome="invite"');
    expect(page.body).toContain('value="Shipped"');
    expect(page.body).toContain('action="/app/triggers"');
    expect({ triggers: await count('triggers'), invitations: await count('invitations') }).toEqual(before);
  });

  test('locations: each QR code with its links; kiosk mode switched on and off as PATCH /v1/locations does; a viewer only looks', {
    timeout: 60_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const empty = await owner.get('/app/surveys/locations');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No locations yet');
    expect((await owner.get('/app/surveys')).body).toContain('href="/app/surveys/locations"');
    const { survey } = await seeded(shop);
    const created = await shop.api('POST', '/v1/locations', { surveyId: survey, name: 'Kraków store' });
    expect(created.statusCode).toBe(201);
    const location = created.json();
    const page = await owner.get('/app/surveys/locations');
    expect(page.body).toContain('Kraków store');
    expect(page.body).toContain(`href="${location.url}"`);
    expect(page.body).toContain(`src="/app/locations/${location.id}/qr.svg"`);
    expect(page.body).toContain('data-kiosk="off"');
    const svg = await owner.get(`/app/locations/${location.id}/qr.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    expect((await owner.get(`/app/locations/${location.id}/qr.png`)).headers['content-type']).toBe(
      'image/png',
    );

    const on = await owner.submit('/app/surveys/locations', `/app/locations/${location.id}/kiosk`, {
      kiosk: 'on',
    });
    expect(on.statusCode).toBe(303);
    const api = (await shop.api('GET', `/v1/locations/${location.id}`)).json();
    expect(api).toMatchObject({ kiosk: true, kioskUrl: expect.stringMatching(/\/k\/[a-z0-9]+$/) });
    const after = await owner.get(String(on.headers.location));
    expect(after.body).toContain('Kiosk mode is on for Kraków store');
    expect(after.body).toContain(`href="${api.kioskUrl}"`);
    expect(after.body).toContain('data-kiosk="on"');
    const kioskPage = await shop.system.app.inject({
      method: 'GET',
      url: new URL(api.kioskUrl).pathname,
      headers: { accept: 'text/html' },
    });
    expect(kioskPage.statusCode).toBe(200);
    expect(
      (await owner.submit('/app/surveys/locations', `/app/locations/${location.id}/kiosk`, { kiosk: 'off' }))
        .statusCode,
    ).toBe(303);
    expect((await shop.api('GET', `/v1/locations/${location.id}`)).json()).toMatchObject({
      kiosk: false,
      kioskUrl: null,
    });
    // Each switch is on record, by whom and which way.
    const audit = (await shop.api('GET', '/v1/audit?limit=100')).json().data as {
      action: string;
      actor: { kind: string };
      target: { id: string };
      detail: Record<string, unknown>;
    }[];
    expect(
      audit
        .filter((e) => e.action === 'location.update' && e.target.id === location.id)
        .map((e) => [e.actor.kind, e.detail]),
    ).toEqual([
      ['user', { kiosk: false }],
      ['user', { kiosk: true }],
    ]);
    const bad = await owner.submit('/app/surveys/locations', `/app/locations/${location.id}/kiosk`, {
      kiosk: 'maybe',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('kiosk');

    const vic = await viewer(shop, smtp, owner);
    const seen = await vic.get('/app/surveys/locations');
    expect(seen.body).toContain('Kraków store');
    expect(seen.body).not.toContain(`action="/app/locations/${location.id}/kiosk"`);
    const refused = await vic.postFrom('/app', `/app/locations/${location.id}/kiosk`, {
      kiosk: 'on',
    });
    expect(refused.statusCode).toBe(403);
  });

  test('events: the list with outcomes and paging, one event with its decisions; the empty state says how to send one', {
    timeout: 60_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const empty = await owner.get('/app/events');
    expect(empty.body).toContain('No events yet.');
    expect(empty.body).toContain(`curl -s ${shop.publicUrl}/v1/events`);
    expect(empty.body).toContain('href="/app/keys"');

    expect((await sendEvent(shop, 'order-1', 'c-1', 150)).statusCode).toBe(202);
    expect((await sendEvent(shop, 'order-2', 'c-1', 80)).statusCode).toBe(202);
    const other = await shop.api('POST', '/v1/events', {
      id: 'ticket-1',
      type: 'ticket.solved',
      contact: { id: 'c-3' },
    });
    expect(other.statusCode).toBe(202);
    await waitFor(async () => (await sql(shop)`select 1 from events where planned_at is null`).length === 0, {
      timeoutMs: 30_000,
    });

    const list = await owner.get('/app/events');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/app/events/order-1"');
    expect(list.body).toContain('href="/app/contacts/c-1"');
    expect(list.body).toContain('invited');
    expect(list.body).toContain('skipped: throttle');
    expect(list.body).toContain('no trigger matched');
    const byType = await owner.get('/app/events?type=ticket.solved');
    expect(byType.body).toContain('ticket-1');
    expect(byType.body).not.toContain('order-1');
    const badType = await owner.get('/app/events?type=no%20spaces');
    expect(badType.statusCode).toBe(200);
    expect(badType.body).toContain('id="event-type-error"');

    // Keyset paging through the API's cursors: 55 more events make a second page.
    const batch = Array.from({ length: 55 }, (_, i) => ({
      id: `bulk-${i}`,
      type: 'bulk.test',
      contact: { id: `b-${i}` },
    }));
    expect((await shop.api('POST', '/v1/events/batch', { events: batch })).statusCode).toBeLessThan(300);
    const first = await owner.get('/app/events?type=bulk.test');
    const next = /href="(\/app\/events\?type=bulk\.test&amp;cursor=[^"]+)" rel="next"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await owner.get((next ?? '').replaceAll('&amp;', '&'));
    const ids = (body: string) => [...body.matchAll(/href="\/app\/events\/(bulk-\d+)"/g)].map((m) => m[1]);
    expect(ids(first.body)).toHaveLength(50);
    expect(ids(second.body)).toHaveLength(5);
    expect(new Set([...ids(first.body), ...ids(second.body)]).size).toBe(55);
    expect(second.body).toContain('← First page');

    const detail = await owner.get('/app/events/order-2');
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('&quot;total&quot;: 80');
    expect(detail.body).toContain('Skipped');
    expect(detail.body).toMatch(/invited to this survey (today|now|0 days ago) \(throttle, 30 days\)/);
    const invited = await owner.get('/app/events/order-1');
    expect(invited.body).toContain('Invited');
    expect(invited.body).toMatch(/scheduled|queued|sending|sent/);
    expect((await owner.get('/app/events/nope')).statusCode).toBe(404);
  });

  test('a viewer sees surveys, triggers and events without a form to change them, and every change is a 403', {
    timeout: 60_000,
  }, async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const vic = await viewer(shop, smtp, owner);
    const { survey, trigger } = await seeded(shop);
    const list = await vic.get('/app/surveys');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('href="/app/surveys/new"');
    const surveyPage = await vic.get(`/app/surveys/${survey}`);
    expect(surveyPage.statusCode).toBe(200);
    expect(surveyPage.body).not.toContain('<form method="post"');
    expect(surveyPage.body).toContain('Detractor alert');
    const triggerPage = await vic.get(`/app/triggers/${trigger}`);
    expect(triggerPage.statusCode).toBe(200);
    expect(triggerPage.body).not.toContain(`action="/app/triggers/${trigger}"`);
    expect(triggerPage.body).not.toContain('dry-run');
    expect((await vic.get('/app/surveys/new')).statusCode).toBe(403);
    expect((await vic.get(`/app/triggers/new?survey=${survey}`)).statusCode).toBe(403);
    expect((await vic.get('/app/events')).statusCode).toBe(200);

    const posts: [string, Record<string, string>][] = [
      ['/app/surveys', { name: 'X', kind: 'nps', 'question.en': 'Q?' }],
      [`/app/surveys/${survey}`, { name: 'X', 'question.en': 'Q?' }],
      [`/app/surveys/${survey}/preview`, { name: 'X', 'question.en': 'Q?' }],
      ['/app/triggers', { surveyId: survey, eventTypes: 'a.b' }],
      [`/app/triggers/${trigger}`, { eventTypes: 'a.b' }],
      [`/app/triggers/${trigger}/try`, { eventTypes: 'order.delivered' }],
      [`/app/triggers/${trigger}/delete`, {}],
    ];
    for (const [url, fields] of posts) {
      const res = await vic.postFrom('/app', url, fields);
      expect(res.statusCode, url).toBe(403);
    }
    expect((await sql(shop)`select name from surveys where id = ${survey}`)[0]?.name).not.toBe('X');
    expect((await sql(shop)`select 1 from triggers where id = ${trigger}`).length).toBe(1);
    // Without a CSRF token the owner is refused too.
    expect((await owner.postWithoutToken(`/app/triggers/${trigger}/delete`)).statusCode).toBe(403);
  });
});
