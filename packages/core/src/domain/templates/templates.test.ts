import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsSegments } from '../sms/segments.ts';
import { newSurveyToken, sealToken, unsealToken } from '../tokens.ts';
import { alertEmail, invitationEmail } from './emails.ts';
import { html, raw } from './html.ts';
import { localized, pickLocale, renderQuestion, strings, uiText } from './locales.ts';
import { invitationSms } from './sms.ts';

describe('html', () => {
  it('property: no interpolated string can open a tag or leave a quoted attribute', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = String(html`<a title="${value}">${value}</a>`);
        const middle = out.slice('<a title="'.length, -'</a>'.length);
        const escaped = middle.slice(0, (middle.length - 2) / 2);
        expect(middle).toBe(`${escaped}">${escaped}`);
        expect(escaped).not.toMatch(/[<>"']/);
      }),
    );
  });

  it('keeps nested html and raw markup, and joins arrays', () => {
    expect(String(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}</ul>${raw('<br>')}`)).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul><br>',
    );
  });
});

describe('locales', () => {
  it('picks a locale from tags and Accept-Language lists, falling back to English', () => {
    expect(['pl-PL', 'ru_RU', 'de-DE,ru;q=0.8', '', null, 'xx'].map(pickLocale)).toEqual([
      'pl',
      'ru',
      'ru',
      'en',
      'en',
      'en',
    ]);
  });

  it('weighs an Accept-Language list by its q-values, not its order', () => {
    expect(pickLocale('pl;q=0.5, ru;q=0.9')).toBe('ru');
    expect(pickLocale('de;q=1, pl-PL;q=0.2, ru;q=0.1')).toBe('pl');
    expect(pickLocale('pl, ru')).toBe('pl');
    expect(pickLocale('pl;q=0, de')).toBe('en');
    expect(pickLocale('*')).toBe('en');
  });

  it('every locale has every string', () => {
    for (const locale of ['ru', 'pl'] as const) {
      expect(Object.keys(strings[locale]).sort()).toEqual(Object.keys(strings.en).sort());
    }
  });

  it('a question falls back to English, then to whatever exists, and names the company', () => {
    expect(localized({ en: 'E', pl: 'P' }, 'ru')).toBe('E');
    expect(localized({ pl: 'P' }, 'ru')).toBe('P');
    expect(renderQuestion({ en: 'Recommend {company}?' }, 'en', 'Acme')).toBe('Recommend Acme?');
  });
});

describe('invitationEmail', () => {
  const base = {
    locale: 'en' as const,
    question: 'How likely?',
    contactName: 'Jane',
    workspaceName: 'Acme',
    surveyUrl: 'https://s.test/s/TOKEN',
  };

  it('the text part lists one score link per line, readable in a plain-text mail client', () => {
    const { text } = invitationEmail({ ...base, kind: 'nps' });
    expect(text).toMatch(/^10\s+\[https:\/\/s\.test\/s\/TOKEN\?score=10\]$/m);
    expect(text.split('\n').filter((line) => line.includes('?score=')).length).toBe(11);
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it.each([
    ['nps', 0, 10],
    ['csat', 1, 5],
    ['ces', 1, 7],
  ] as const)('%s: one link per score from %i to %i, in the HTML and in the text part', (kind, min, max) => {
    const mail = invitationEmail({ ...base, kind });
    const scores = [...mail.html.matchAll(/href="https:\/\/s\.test\/s\/TOKEN\?score=(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(scores).toEqual(Array.from({ length: max - min + 1 }, (_, i) => min + i));
    for (const s of scores) expect(mail.text).toContain(`https://s.test/s/TOKEN?score=${s}`);
  });

  it('speaks the contact’s language', () => {
    const subjects = (['en', 'ru', 'pl'] as const).map(
      (locale) => invitationEmail({ ...base, locale, kind: 'nps' }).subject,
    );
    expect(new Set(subjects).size).toBe(3);
    expect(invitationEmail({ ...base, locale: 'pl', kind: 'nps' }).html).toContain('lang="pl"');
  });

  it('a hostile name or question is escaped', () => {
    const mail = invitationEmail({
      ...base,
      kind: 'nps',
      contactName: '<script>x</script>',
      question: '"><img src=x>',
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
  });
});

describe('alertEmail', () => {
  it('carries score, comment, contact and every event property, escaped', () => {
    const mail = alertEmail({
      workspaceName: 'Acme',
      surveyName: 'NPS',
      kind: 'nps',
      score: 2,
      segment: 'detractor',
      comment: 'Box <b>crushed</b>',
      contact: { externalId: 'c-1', name: 'Jane', email: 'jane@example.com', phone: null },
      eventType: 'order.delivered',
      properties: { orderId: '1001', items: [1, 2] },
      answeredAt: new Date('2026-11-20T10:00:00Z'),
    });
    expect(mail.subject).toBe('Detractor alert: 2/10 from Jane — Acme');
    expect(mail.html).toContain('Box &lt;b&gt;crushed&lt;/b&gt;');
    for (const part of ['jane@example.com', '1001', '[1,2]', 'order.delivered'])
      expect(mail.text).toContain(part);
  });
});

describe('sealed survey tokens', () => {
  it('open with the same secret only, and never look like the token', () => {
    const { token } = newSurveyToken();
    const sealed = sealToken(token, 'a'.repeat(32));
    expect(sealed).not.toContain(token);
    expect(unsealToken(sealed, 'a'.repeat(32))).toBe(token);
    expect(() => unsealToken(sealed, 'b'.repeat(32))).toThrow();
    expect(sealToken(token, 'a'.repeat(32))).not.toBe(sealed); // a fresh IV every time
  });
});

describe('invitationSms', () => {
  const base = { locale: 'en' as const, kind: 'nps' as const, workspaceName: 'Shop' };
  const url = 'https://s.example.com/s/AbCdEfGhIjKlMnOpQrStUvWxYz012345';

  it('keeps the link when it fits one segment, and drops it rather than pay for a second', () => {
    const short = invitationSms({ ...base, question: 'Recommend us?', surveyUrl: url });
    expect(short).toEqual({
      body: `Shop: Recommend us? Reply 0-10 or tap ${url}. STOP to opt out`,
      segments: 1,
    });
    const long = invitationSms({
      ...base,
      question: 'How likely are you to recommend Shop to a friend or a colleague of yours?',
      surveyUrl: url,
    });
    expect(long.body).not.toContain(url);
    expect(long.segments).toBe(1);
  });

  it('never costs more segments than the shortest candidate, whatever the question', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('en', 'ru', 'pl'), (question, locale) => {
        const sms = invitationSms({ ...base, locale, question, surveyUrl: url });
        const shortest = smsSegments(
          `${question} ${uiText(locale, 'smsReplyHint', { min: '0', max: '10' })}. ${uiText(locale, 'smsStopHint')}`,
        );
        expect(sms.segments).toBeLessThanOrEqual(shortest.segments);
        expect(sms.segments).toBe(smsSegments(sms.body).segments);
        expect(sms.body).toContain(question);
      }),
    );
  });
});
