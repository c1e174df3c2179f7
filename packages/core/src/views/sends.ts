// What the API and the console show of a list send: its settings, progress counters and first bad rows.

import type { sendRows } from '../store/schema.ts';
import type { SendProgress } from '../usecases/sends.ts';

/** A list of sends carries no bad rows (`firstBad` is absent there, not empty); one send's view does. */
export function sendView({
  send,
  sent,
  answered,
  firstBad,
}: Omit<SendProgress, 'firstBad'> & { firstBad?: SendProgress['firstBad'] }) {
  const skippedTotal = Object.values(send.skipped).reduce((a, b) => a + b, 0);
  return {
    id: send.id,
    surveyId: send.surveyId,
    channels: send.channels,
    sendAt: send.sendAt,
    sendWindow: send.sendWindow,
    throttleDays: send.throttleDays,
    sampleRate: send.sampleRate,
    dryRun: send.dryRun,
    state: send.state,
    fileName: send.fileName,
    progress: {
      read: send.rowsRead,
      planned: send.planned,
      pending: Math.max(0, send.rowsRead - send.planned),
      invited: send.invited,
      skipped: skippedTotal,
      skippedByReason: send.skipped,
      bad: send.bad,
      sent,
      answered,
    },
    ...(firstBad && {
      firstBad: firstBad.map((b) => ({ line: b.line, contactId: b.externalId, reason: b.reason ?? '' })),
    }),
    createdAt: send.createdAt,
    updatedAt: send.updatedAt,
    finishedAt: send.finishedAt,
  };
}

export type SendView = ReturnType<typeof sendView>;

export function sendRowView(r: typeof sendRows.$inferSelect) {
  return {
    line: r.line,
    contactId: r.externalId,
    outcome: r.outcome,
    reason: r.reason,
    detail: r.detail,
    invitationId: r.invitationId,
  };
}
