// A mirrored case as Zendesk sees it: the ticket body, the note on resolve, and the retry schedule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zendeskResolvedComment, zendeskRetryDelayMs, zendeskTicketFor } from './zendesk-ticket.ts';

const facts = {
  caseId: '5f0c2a1e-1111-4a4a-9d55-6c1c5c6f0a11',
  surveyName: 'Post-delivery NPS',
  score: 2,
  segment: 'detractor',
  comment: 'Arrived broken',
  contact: { externalId: 'shopify:115310627314723954', email: 'john@example.com', name: 'John' },
  eventType: 'order.delivered',
  eventId: 'shopify:820982911946154508:order.delivered',
  properties: { orderId: '820982911946154508', total: 403, productTypes: ['Cult Products'], note: null },
  caseUrl: 'https://surveyflow.example.com/app/cases/5f0c2a1e-1111-4a4a-9d55-6c1c5c6f0a11',
  tags: ['nps'],
  priority: 'high' as const,
};

describe('zendeskTicketFor', () => {
  it('names the requester, the score and comment, the event and its plain properties, and links back; external_id is the case', () => {
    const ticket = zendeskTicketFor(facts);
    expect(ticket).toMatchObject({
      subject: 'Post-delivery NPS: 2 from John',
      requester: { email: 'john@example.com', name: 'John' },
      external_id: facts.caseId,
      tags: ['surveyflow', 'detractor', 'nps'],
      priority: 'high',
      comment: { public: false },
    });
    expect(ticket.comment.body.split('\n')).toEqual([
      'John answered 2 on "Post-delivery NPS" (detractor).',
      '',
      'Their comment: "Arrived broken"',
      '',
      'After: order.delivered (shopify:820982911946154508:order.delivered)',
      '',
      'Event properties:',
      '- orderId: 820982911946154508',
      '- total: 403',
      '',
      `The case in Surveyflow: ${facts.caseUrl}`,
    ]);
  });

  it('without an email there is no requester (Zendesk then files it as the API user); without a contact it says so', () => {
    const ticket = zendeskTicketFor({ ...facts, contact: null, comment: null, priority: undefined });
    expect('requester' in ticket).toBe(false);
    expect('priority' in ticket).toBe(false);
    expect(ticket.subject).toBe('Post-delivery NPS: 2 from an anonymous respondent');
    expect(ticket.comment.body).toContain('No comment was given.');
  });
});

describe('the note on resolve and the retries', () => {
  it('the note carries the resolution and the link, as an internal note', () => {
    expect(zendeskResolvedComment('Refunded', 'https://x/app/cases/1')).toEqual({
      comment: { body: 'Resolved in Surveyflow: Refunded\n\nhttps://x/app/cases/1', public: false },
    });
  });

  it('waits 10 s, then doubles, never more than an hour, never less than the try before', () => {
    expect([1, 2, 3].map(zendeskRetryDelayMs)).toEqual([10_000, 20_000, 40_000]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (n) => {
        expect(zendeskRetryDelayMs(n + 1)).toBeGreaterThanOrEqual(zendeskRetryDelayMs(n));
        expect(zendeskRetryDelayMs(n)).toBeLessThanOrEqual(3_600_000);
      }),
    );
  });
});
