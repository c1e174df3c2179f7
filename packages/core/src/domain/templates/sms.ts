// Text messages: the invitation in as few billed segments as the words allow, and the short replies of an SMS conversation.
import type { SurveyKind } from '../kinds.ts';
import { scoreRange } from '../scoring.ts';
import { smsSegments } from '../sms/segments.ts';
import { type Locale, uiText } from './locales.ts';

/**
 * The invitation text. Candidates go from most to least helpful (with the company, the link and the
 * opt-out hint, then without the link); the first that fits the fewest segments wins, so a text
 * spills into a second paid segment only when even the shortest form does. Polish strings are
 * written without diacritics on purpose: one "ą" turns a 160-character GSM-7 text into 70-character UCS-2.
 */
export function invitationSms(input: {
  locale: Locale;
  kind: SurveyKind;
  question: string;
  workspaceName: string;
  surveyUrl: string;
}): { body: string; segments: number } {
  const { locale } = input;
  const { min, max } = scoreRange[input.kind];
  const reply = uiText(locale, 'smsReplyHint', { min: String(min), max: String(max) });
  const link = uiText(locale, 'smsLinkHint', { url: input.surveyUrl });
  const stop = uiText(locale, 'smsStopHint');
  const company = `${input.workspaceName}:`;
  const candidates = [
    `${company} ${input.question} ${reply} ${link}. ${stop}`,
    `${company} ${input.question} ${reply}. ${stop}`,
    `${input.question} ${reply}. ${stop}`,
  ];
  let best = { body: candidates[0] as string, segments: Number.POSITIVE_INFINITY };
  for (const body of candidates) {
    const { segments } = smsSegments(body);
    if (segments < best.segments) best = { body, segments };
  }
  return best;
}

export type SmsReplyKey =
  | 'smsThanks'
  | 'smsStopped'
  | 'smsStarted'
  | 'smsHelp'
  | 'smsNotUnderstood'
  | 'smsNoSurvey';

/** One of the conversation's fixed replies, with the company and the survey's scale filled in. */
export function smsReply(
  locale: Locale,
  key: SmsReplyKey,
  company: string,
  kind: SurveyKind = 'nps',
): string {
  const { min, max } = scoreRange[kind];
  return uiText(locale, key, { company, min: String(min), max: String(max) });
}
