import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultFollowupQuestion } from '../../usecases/workspaces.ts';
import { defaultActions } from '../actions.ts';
import { surveyKinds } from '../kinds.ts';
import { personalize } from '../personalize.ts';
import { type Segment, scoreRange, segmentRange } from '../scoring.ts';
import { alertEmail, invitationEmail } from './emails.ts';
import { everyLocale, fill, locales, localized } from './locales.ts';
import { invitationSms, type SmsReplyKey, smsReply } from './sms.ts';

const SLA_HOURS = 48;

/** The numbers a text names, once links and timestamps (which carry digits of their own) are gone. */
function numbersIn(text: string): number[] {
  const plain = text.replace(/https?:\/\/\S+/g, ' ').replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, ' ');
  return [...plain.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

/**
 * Every number a default text names must be on its survey's scale (its ends, or the customer's own
 * score), or the case's promised hours: a CSAT 3-of-5 customer is never asked for a 10.
 */
function expectFitsScale(
  text: string,
  kind: (typeof surveyKinds)[number],
  score: number,
  extra: number[] = [],
) {
  const { min, max } = scoreRange[kind];
  const allowed = new Set([min, max, score, ...extra]);
  const wrong = numbersIn(text).filter((n) => !allowed.has(n));
  expect(wrong, `${kind}: "${text}"`).toEqual([]);
}

const facts = (score: number) => ({ name: 'Jane', company: 'Acme', score });
const segments: Segment[] = ['detractor', 'passive', 'promoter'];

describe('default texts fit their survey’s kind and scale, in every language', () => {
  for (const kind of surveyKinds) {
    for (const locale of locales) {
      it(`${kind}, ${locale}: messages, case acknowledgement, referral and review texts, alerts, invitations, SMS replies`, () => {
        const { max } = scoreRange[kind];
        for (const segment of segments) {
          const [low, high] = segmentRange(kind, segment);
          for (let score = low; score <= high; score++) {
            for (const action of defaultActions(kind)) {
              if (action.type !== 'message' || !action.segments.includes(segment)) continue;
              const body = personalize(localized(action.body, locale), facts(score), null);
              const subject = personalize(localized(action.subject ?? {}, locale), facts(score), null);
              expectFitsScale(body, kind, score);
              expectFitsScale(subject, kind, score);
            }
            const alert = alertEmail({
              workspaceName: 'Acme',
              surveyName: 'Survey',
              kind,
              score,
              segment,
              comment: null,
              contact: { externalId: 'c', name: 'Jane', email: null, phone: null },
              eventType: 'order.delivered',
              properties: {},
              answeredAt: new Date('2026-11-20T10:00:00Z'),
            });
            expectFitsScale(alert.subject, kind, score);
            expectFitsScale(alert.text, kind, score);
            expect(alert.subject).toContain(`${score}/${max}`);
            if (kind !== 'nps') expect(alert.text.toLowerCase()).not.toContain('detractor');
            for (const text of [
              everyLocale((t) => t.referralBody),
              everyLocale((t) => t.reviewBody),
              everyLocale((t) => t.reviewInvite),
              everyLocale((t) => t.caseAckSubject),
              everyLocale((t) => fill(t.caseAckBody, { hours: String(SLA_HOURS) })),
              defaultFollowupQuestion,
            ]) {
              expectFitsScale(
                personalize(localized(text, locale), facts(score), 'https://g.page/r/x/review'),
                kind,
                score,
                [SLA_HOURS],
              );
            }
          }
        }
        const invitation = invitationEmail({
          locale,
          kind,
          question: 'Q',
          contactName: 'Jane',
          workspaceName: 'Acme',
          surveyUrl: 'https://s.example/s/t',
        });
        expectFitsScale(invitation.subject, kind, scoreRange[kind].min);
        const sms = invitationSms({
          locale,
          kind,
          question: 'Q',
          workspaceName: 'Acme',
          surveyUrl: 'https://s.example/s/t',
        });
        expectFitsScale(sms.body, kind, scoreRange[kind].min);
        const keys: SmsReplyKey[] = ['smsThanks', 'smsStopped', 'smsStarted', 'smsHelp', 'smsNotUnderstood'];
        for (const key of keys)
          expectFitsScale(smsReply(locale, key, 'Acme', kind), kind, scoreRange[kind].min);
      });
    }
  }

  it('the passive is asked about the top of their own scale: a 10 for NPS, a 5 for CSAT, "easier" for CES', () => {
    const passive = (kind: (typeof surveyKinds)[number]) => {
      const action = defaultActions(kind).find((a) => a.type === 'message');
      return action?.type === 'message' ? action : null;
    };
    expect(passive('nps')?.subject?.en).toBe('What would make it a 10?');
    expect(passive('csat')?.subject?.en).toBe('What would make it a 5?');
    expect(passive('ces')?.subject?.en).toBe('What would have made it easier?');
    for (const locale of locales) {
      expect(numbersIn(passive('nps')?.body[locale] ?? '')).toEqual([10]);
      expect(numbersIn(passive('csat')?.body[locale] ?? '')).toEqual([5]);
      expect(numbersIn(passive('ces')?.body[locale] ?? '')).toEqual([]);
    }
  });

  it('property: any kind, locale, score and name — the default passive message names no number off the scale', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...surveyKinds),
        fc.constantFrom(...locales),
        fc.option(fc.string({ maxLength: 20 }).filter((s) => !/\d/.test(s))),
        (kind, locale, name) => {
          const [low, high] = segmentRange(kind, 'passive');
          for (let score = low; score <= high; score++) {
            for (const action of defaultActions(kind)) {
              if (action.type !== 'message') continue;
              const text = personalize(
                localized(action.body, locale),
                { name, company: 'Acme', score },
                null,
              );
              expectFitsScale(text, kind, score);
            }
          }
        },
      ),
    );
  });
});
