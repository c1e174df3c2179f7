// Factories that arrange state through the same core functions the services use, never by hand-written SQL.
import {
  claimDueInvitations,
  claimInvitationForSend,
  createSurvey,
  createTrigger,
  createWorkspace,
  type Database,
  defaultActions,
  defaultFollowupQuestion,
  type IncomingEvent,
  ingestEvents,
  planStoredEvent,
  type SurveyAction,
  type SurveyKind,
  settleInvitation,
} from '@surveyflow/core';
import { TEST_SECRET } from './secret.ts';

export async function seedWorkspace(
  database: Database,
  opts: {
    kind?: SurveyKind;
    throttleDays?: number;
    delay?: string;
    alertEmail?: string | null;
    /** The survey's actions; by default the detractor alert and case, and no messages to customers. */
    actions?: SurveyAction[];
  } = {},
) {
  const { workspaceId, apiKey } = await createWorkspace(database, {
    name: 'Acme Shop',
    alertEmail: opts.alertEmail === undefined ? 'support@shop.test' : opts.alertEmail,
  });
  const survey = await createSurvey(database, workspaceId, {
    kind: opts.kind ?? 'nps',
    name: 'Delivery survey',
    question: { en: 'How likely are you to recommend {company}?', pl: 'Czy polecisz {company}?' },
    followupQuestion: defaultFollowupQuestion,
    actions:
      opts.actions ??
      defaultActions()
        .filter((a) => a.type === 'alert' || a.type === 'case')
        .map((a) => (a.type === 'case' ? { ...a, acknowledge: false } : a)),
  });
  const trigger = await createTrigger(database, workspaceId, {
    surveyId: survey.id,
    name: 'after delivery',
    eventTypes: ['order.delivered'],
    channels: ['email'],
    delay: opts.delay ?? 'PT0S',
    throttleDays: opts.throttleDays ?? 30,
    enabled: true,
  });
  return { workspaceId, apiKey, survey, trigger };
}

export function anEvent(id: string, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    id,
    type: 'order.delivered',
    // Now, not a fixed date: planning compares it with the real clock (late events expire).
    occurredAt: new Date(),
    contact: { id: 'cust-1', email: 'jane@example.com', name: 'Jane', locale: 'en' },
    properties: { orderId: id },
    ...overrides,
  };
}

/** Ingests and plans an event, returning its row id and the invitations made. */
export async function plannedEvent(
  database: Database,
  workspaceId: string,
  event: IncomingEvent,
  now = new Date(),
) {
  const [result] = await ingestEvents(database, workspaceId, [event]);
  if (!result?.eventId) throw new Error(`event ${event.id} was a duplicate`);
  const plan = await planStoredEvent(database, result.eventId, now);
  return { eventId: result.eventId, ...plan };
}

/** An invitation that went out: its id and the survey link token the customer holds. */
export async function sentInvitation(
  database: Database,
  workspaceId: string,
  event: IncomingEvent = anEvent('order-1'),
  now = new Date(),
) {
  const { invitationIds } = await plannedEvent(database, workspaceId, event, now);
  const [invitationId] = invitationIds;
  if (!invitationId) throw new Error('the event made no invitation');
  await claimDueInvitations(database, new Date(now.getTime() + 365 * 86_400_000), 100);
  const claimed = await claimInvitationForSend(database, invitationId, now, {
    tokenTtlDays: 30,
    secret: TEST_SECRET,
  });
  if (!claimed) throw new Error('the invitation could not be claimed');
  await settleInvitation(database, invitationId, { sent: `<${invitationId}@test>`, at: now });
  return { invitationId, token: claimed.token };
}
