// Queue "events": plans each accepted event into decisions and invitation rows.
import { type AppContext, planStoredEvent } from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

export function eventsJobs(ctx: AppContext, onDue: () => void): QueueJobs<'events'> {
  return {
    'event.plan': defineJob('event.plan', async ({ eventId }) => {
      const outcome = await planStoredEvent(ctx.database, eventId, ctx.clock.now());
      // An invitation due now should not wait for the scanner's next tick.
      if (outcome.dueNow) onDue();
      return { planned: outcome.planned, invitations: outcome.invitationIds.length };
    }),
  };
}
