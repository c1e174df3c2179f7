// What a mirrored case looks like in Zendesk: the ticket (requester, score, comment, event properties, link back) and the comment when the case is resolved here.

export type TicketFacts = {
  caseId: string;
  surveyName: string;
  score: number;
  segment: string;
  comment: string | null;
  contact: { externalId: string; email: string | null; name: string | null } | null;
  eventType: string | null;
  eventId: string | null;
  properties: Record<string, unknown>;
  /** Where the case lives in the console. */
  caseUrl: string;
  tags: readonly string[];
  priority?: 'low' | 'normal' | 'high' | 'urgent' | undefined;
};

/** The body of POST /api/v2/tickets.json. external_id is the case id, so the ticket can always be found again. */
export function zendeskTicketFor(f: TicketFacts) {
  const who = f.contact?.name ?? f.contact?.email ?? f.contact?.externalId ?? 'an anonymous respondent';
  const props = Object.entries(f.properties)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `- ${k}: ${String(v)}`);
  const lines = [
    `${who} answered ${f.score} on "${f.surveyName}" (${f.segment}).`,
    '',
    f.comment ? `Their comment: "${f.comment}"` : 'No comment was given.',
    ...(f.eventType ? ['', `After: ${f.eventType}${f.eventId ? ` (${f.eventId})` : ''}`] : []),
    ...(props.length > 0 ? ['', 'Event properties:', ...props] : []),
    '',
    `The case in Surveyflow: ${f.caseUrl}`,
  ];
  return {
    subject: `${f.surveyName}: ${f.score} from ${who}`,
    comment: { body: lines.join('\n'), public: false },
    ...(f.contact?.email
      ? { requester: { email: f.contact.email, name: f.contact.name ?? f.contact.email } }
      : {}),
    external_id: f.caseId,
    tags: ['surveyflow', f.segment, ...f.tags],
    ...(f.priority ? { priority: f.priority } : {}),
  };
}

/** The internal note added to the ticket when the case is resolved in Surveyflow. */
export function zendeskResolvedComment(resolution: string | null, caseUrl: string) {
  return {
    comment: {
      body: `Resolved in Surveyflow: ${resolution ?? '(no note)'}\n\n${caseUrl}`,
      public: false,
    },
  };
}

/** Until when a failed call waits before the next try (doubling from 10 s, at most an hour). */
export function zendeskRetryDelayMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}
