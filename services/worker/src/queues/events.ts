// Queue "events": plans each accepted event into decisions and invitation rows.
import { type AppContext, jobs, planStoredEvent } from '@surveyflow/core';
import type { Job } from 'bullmq';

export function eventsProcessor(ctx: AppContext, onDue: () => void) {
  return async (job: Job) => {
    const { eventId } = jobs['event.plan'].payload.parse(job.data);
    const outcome = await planStoredEvent(ctx.database, eventId, ctx.clock.now());
    // An invitation due now should not wait for the scanner's next tick.
    if (outcome.dueNow) onDue();
    return { planned: outcome.planned, invitations: outcome.invitationIds.length };
  };
}
