// The whole path on real Postgres, Redis and SMTP: event → invitation email → scanner GET → answer → alert → metrics.
import { waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { test } from './testing.ts';

describe('the spine', () => {
  test('an order.delivered event becomes an email, a scored answer, a detractor alert and an NPS with its interval', async ({
    shopWith,
    smtp,
  }) => {
    const { system, api } = await shopWith({ env: { PUBLIC_URL: 'http://surveys.test' } });
    // Alerts go to the workspace's alert address.
    await api('PATCH', '/v1/workspace', { alertEmail: 'support@shop.test' });
    // 1. The shop reports a delivery.
    const accepted = await api('POST', '/v1/events', {
      id: 'evt-1001',
      type: 'order.delivered',
      contact: { id: 'cust-42', email: 'jane@example.com', name: 'Jane Doe', locale: 'en' },
      properties: { orderId: '1001', total: 129.9, store: 'Warsaw' },
    });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toEqual({ id: 'evt-1001', duplicate: false });

    // 2. The invitation arrives by real SMTP, with a 0–10 scale of links.
    const invitation = await smtp.waitFor((m) => m.to.includes('jane@example.com'));
    expect(invitation.subject).toBeTruthy();
    expect(invitation.html).toContain('Jane');
    const links = [
      ...(invitation.html ?? '').matchAll(/href="(http:\/\/surveys\.test\/s\/[^"?]+)\?score=(\d+)"/g),
    ];
    expect(links.map((l) => Number(l[2]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(invitation.text).toContain('http://surveys.test/s/');
    const path = new URL(links[3]?.[1] ?? '').pathname;

    // 3. A link scanner fetches every link: the page renders, nothing is recorded.
    for (const [, url = '', score] of links) {
      const page = await system.app.inject({
        method: 'GET',
        url: `${new URL(url).pathname}?score=${score}`,
      });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
    }
    expect((await api('GET', '/v1/responses')).json().data).toEqual([]);

    // 4. The customer answers 3 with a comment.
    const answered = await system.app.inject({
      method: 'POST',
      url: path,
      payload: 'score=3&comment=The+parcel+arrived+late',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toMatch(/thank/i);

    // 5. The response is listed with its contact and the event's properties.
    const listed = (await api('GET', '/v1/responses')).json().data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      score: 3,
      segment: 'detractor',
      comment: 'The parcel arrived late',
      channel: 'email',
      contact: { id: 'cust-42', email: 'jane@example.com' },
      event: { id: 'evt-1001', type: 'order.delivered' },
      properties: { orderId: '1001', store: 'Warsaw' },
    });

    // 6. The support team gets a detractor alert with score, comment, contact and properties.
    const alert = await smtp.waitFor((m) => m.to.includes('support@shop.test'));
    expect(alert.text).toContain('The parcel arrived late');
    expect(alert.text).toContain('jane@example.com');
    expect(alert.text).toContain('1001');
    expect(alert.subject).toContain('3');

    // 7. NPS −100 with n = 1 and the adjusted-Wald interval.
    const surveyId = listed[0].surveyId as string;
    const metrics = (await api('GET', `/v1/metrics?surveyId=${surveyId}`)).json();
    expect(metrics).toMatchObject({
      kind: 'nps',
      n: 1,
      detractors: 1,
      passives: 0,
      promoters: 0,
      score: -100,
    });
    expect(metrics.ci).toEqual({ low: -98.5, high: 48.5, level: 0.95 });

    // 8. The event explains itself: invited, and the invitation was sent with its Message-ID.
    const event = (await api('GET', '/v1/events/evt-1001')).json();
    expect(event.status).toBe('planned');
    expect(event.decisions).toHaveLength(1);
    expect(event.decisions[0]).toMatchObject({
      outcome: 'invited',
      invitation: { status: 'sent', channel: 'email' },
    });
    await waitFor(async () => {
      const [row] = await system.ctx.database.sql<{ provider_message_id: string }[]>`
        select provider_message_id from invitations`;
      expect(row?.provider_message_id).toBe(invitation.messageId);
    });
  });
});
