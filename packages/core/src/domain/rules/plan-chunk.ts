// Planning many subjects at once: the rules of plan.ts applied in order to a chunk, each subject seeing
// the invitations made for earlier ones in the same chunk, as if they had been planned one by one.
import { dedupeValue } from './filters.ts';
import {
  type ContactFacts,
  type Decision,
  planEvent,
  subjectOf,
  type TriggerRule,
  type WorkspaceRules,
} from './plan.ts';
import type { PastInvitation } from './throttle.ts';

/** One thing to plan: an event (or a row of a list send) for a contact, with the rules that apply to it. */
export type ChunkSubject = {
  /** Groups the history: subjects of the same contact see each other's new invitations. */
  contactKey: string;
  event: { type: string; occurredAt: Date; properties: Record<string, unknown> };
  contact: ContactFacts;
  triggers: readonly TriggerRule[];
};

/** What the store knows before the chunk: each contact's recent invitations, and those sharing a dedupe value. */
export type ChunkHistory = {
  byContact: ReadonlyMap<string, readonly PastInvitation[]>;
  /** Invitations of any contact carrying a (trigger, dedupe value) some subject of the chunk has. */
  keyed: readonly PastInvitation[];
};

const keyOf = (triggerId: string | null | undefined, value: string | null | undefined) =>
  `${triggerId ?? ''}\u0000${value ?? ''}`;

/**
 * Decides every subject, in order. The history a subject is planned with is what the store had plus
 * what this chunk already invited — for its contact (throttle, global rule) and for its dedupe values
 * (any contact) — so one chunk decides exactly what planning the same subjects one at a time would.
 */
export function planChunk(input: {
  now?: Date;
  workspace: WorkspaceRules;
  subjects: readonly ChunkSubject[];
  history: ChunkHistory;
}): Decision[][] {
  const byContact = new Map<string, PastInvitation[]>();
  const keyed = new Map<string, PastInvitation[]>();
  for (const h of input.history.keyed) {
    const k = keyOf(h.triggerId, h.dedupeValue);
    keyed.set(k, [...(keyed.get(k) ?? []), h]);
  }
  return input.subjects.map((subject) => {
    let own = byContact.get(subject.contactKey);
    if (!own) {
      own = [...(input.history.byContact.get(subject.contactKey) ?? [])];
      byContact.set(subject.contactKey, own);
    }
    const sameKey = subject.triggers.flatMap((t) => {
      const value = dedupeOf(t, subject);
      return value === null ? [] : (keyed.get(keyOf(t.id, value)) ?? []);
    });
    const decisions = planEvent({
      event: subject.event,
      now: input.now,
      contact: subject.contact,
      workspace: input.workspace,
      triggers: subject.triggers,
      history: [...own, ...sameKey],
    });
    for (const d of decisions) {
      if (d.outcome !== 'invited') continue;
      const made: PastInvitation = {
        surveyId: d.surveyId,
        sendAt: d.sendAt,
        triggerId: d.triggerId,
        dedupeValue: d.dedupeValue,
      };
      own.push(made);
      if (d.dedupeValue !== null) {
        const k = keyOf(d.triggerId, d.dedupeValue);
        keyed.set(k, [...(keyed.get(k) ?? []), made]);
      }
    }
    return decisions;
  });
}

/** The dedupe value a trigger reads from a subject (null: the trigger has no key, or the subject no value). */
export function dedupeOf(
  trigger: TriggerRule,
  subject: Pick<ChunkSubject, 'event' | 'contact'>,
): string | null {
  return dedupeValue(trigger.dedupeKey ?? null, subjectOf(subject.event, subject.contact));
}
