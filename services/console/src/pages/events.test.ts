// Decisions in the operator's words: every skip reason reads as a sentence with its facts, in en, ru and pl.
import { skipReasons } from '@surveyflow/core';
import { describe, expect, it } from 'vitest';
import { reasonText, testEventCommand } from './events.tsx';

const now = new Date('2026-12-14T09:00:00Z');
const opts = { now, zone: 'Europe/Warsaw' };

describe('decision reasons', () => {
  it('a throttle or global rule says how long ago, and the window', () => {
    const detail = {
      throttleDays: 30,
      previousSendAt: '2026-12-11T09:00:00Z',
      until: '2027-01-10T09:00:00Z',
    };
    expect(reasonText('en', 'throttled', detail, opts)).toBe(
      'invited to this survey 3 days ago (throttle, 30 days)',
    );
    expect(reasonText('ru', 'throttled', detail, opts)).toBe(
      'приглашён в этот опрос 3 дня назад (пауза 30 дн.)',
    );
    expect(
      reasonText('pl', 'global_rule', { globalContactDays: 7, previousSendAt: '2026-12-11T09:00:00Z' }, opts),
    ).toBe('kontaktowany 3 dni temu (ogólna reguła kontaktu, 7 dni)');
    // An invitation still ahead is named by its date, not as "in 2 days ago".
    expect(
      reasonText('en', 'throttled', { throttleDays: 30, previousSendAt: '2026-12-16T09:00:00Z' }, opts),
    ).toMatch(/already due Dec 16, 2026, 10:00 AM GMT\+1/);
  });

  it('every skip reason reads as words of its own in every language, never the bare code', () => {
    for (const locale of ['en', 'ru', 'pl'] as const) {
      for (const reason of Object.keys(skipReasons)) {
        const text = reasonText(locale, reason, { previousSendAt: '2026-12-11T09:00:00Z' }, opts);
        expect(text, `${locale} ${reason}`).not.toBe(reason);
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('the empty state’s command sends a valid test event to this instance', () => {
    const cmd = testEventCommand('https://feedback.example.com');
    expect(cmd).toContain('curl -s https://feedback.example.com/v1/events');
    const body = JSON.parse(/-d '(.+)'/.exec(cmd)?.[1] ?? '{}');
    expect(body).toMatchObject({ id: 'test-1', type: 'order.delivered', contact: { id: 'cust-1' } });
  });
});
