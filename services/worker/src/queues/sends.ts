// Queue "sends": plans a list send's staged rows, chunk after chunk, until it is done, paused or cancelled.
import { type AppContext, runSend } from '@surveyflow/core';
import { defineJob, type QueueJobs } from '../job-registry.ts';

export function sendsJobs(ctx: AppContext, onDue: () => void): QueueJobs<'sends'> {
  return {
    'send.plan': defineJob('send.plan', async ({ sendId }) => {
      const result = await runSend(ctx.database, sendId, () => ctx.clock.now());
      // Invitations due now should not wait for the scanner's next tick.
      onDue();
      return { result };
    }),
  };
}
