// Zendesk webhooks → events: a ticket solved (from a trigger on "ticket is solved"), with the requester as contact.
import { compact, type EventDraft, ignored, type Mapped, missing, obj, str } from './mapped.ts';

/**
 * The JSON body to paste into the Zendesk webhook's trigger action. Zendesk fills in the
 * placeholders; `tags` arrives as one space-separated string.
 */
export const zendeskBodyTemplate = {
  ticket: {
    id: '{{ticket.id}}',
    status: '{{ticket.status}}',
    group: '{{ticket.group.name}}',
    assignee: '{{ticket.assignee.name}}',
    tags: '{{ticket.tags}}',
    channel: '{{ticket.via}}',
    requester: {
      id: '{{ticket.requester.id}}',
      email: '{{ticket.requester.email}}',
      name: '{{ticket.requester.first_name}}',
      locale: '{{ticket.requester.locale}}',
    },
  },
} as const;

export const zendeskEventId = (ticketId: string) => `zendesk:${ticketId}:ticket.solved`;

/** Zendesk leaves an empty placeholder as "" and a missing value sometimes as "-". */
const filled = (v: unknown) => {
  const s = str(v);
  return s === '-' ? undefined : s;
};

export function mapZendesk(payload: unknown): Mapped {
  const ticket = obj(obj(payload).ticket);
  const ticketId = filled(ticket.id);
  if (!ticketId) return missing('ticket.id');
  const status = filled(ticket.status)?.toLowerCase();
  if (!status) return missing('ticket.status');
  if (status !== 'solved') return ignored(`ticket status is ${status}, not solved`);
  const requester = obj(ticket.requester);
  const requesterId = filled(requester.id);
  const email = filled(requester.email);
  if (!requesterId && !email) return missing('ticket.requester');
  const tags =
    typeof ticket.tags === 'string'
      ? ticket.tags.split(/\s+/).filter(Boolean)
      : Array.isArray(ticket.tags)
        ? ticket.tags.map(String)
        : [];
  const event: EventDraft = {
    id: zendeskEventId(ticketId),
    type: 'ticket.solved',
    contact: compact({
      id: requesterId ? `zendesk:${requesterId}` : (email as string),
      email,
      name: filled(requester.name),
      // Only a language tag (en, pt-BR); a language name ("English") is left out rather than refused.
      locale: /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(filled(requester.locale) ?? '')
        ? filled(requester.locale)
        : undefined,
    }) as EventDraft['contact'],
    properties: compact({
      source: 'zendesk',
      ticketId,
      group: filled(ticket.group),
      assignee: filled(ticket.assignee),
      tags: tags.length > 0 ? tags : undefined,
      channel: filled(ticket.channel),
    }),
  };
  return { kind: 'event', event };
}
