// A connector's mapped event checked exactly as POST /v1/events checks one (schema, then time).
import { AppError, type EventDraft, type IncomingEvent } from '@surveyflow/core';
import { issuesToDetails } from '@surveyflow/http';
import { toIncomingEvent } from './routes/events.ts';
import { EventInput } from './schemas/events.ts';

export function connectorEvent(now: () => Date) {
  return (draft: EventDraft): IncomingEvent => {
    const parsed = EventInput.safeParse(draft);
    if (!parsed.success) throw AppError.validation(issuesToDetails(parsed.error));
    return toIncomingEvent(parsed.data, now());
  };
}
