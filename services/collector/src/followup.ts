// When a response's follow-up runs: shared by every way an answer arrives (page, SMS reply).
import type { AppContext } from '@surveyflow/core';

/**
 * A score without a comment waits a little before its follow-up runs, so the "why?" typed next
 * makes it into the alert; the comment (or a skip) arriving runs the waiting follow-up at once.
 */
export async function scheduleFollowup(
  ctx: AppContext,
  response: { id: string; followedUpAt: Date | null; updatedAt: Date },
  status: 'created' | 'updated',
  answerComplete: boolean,
) {
  const responseId = response.id;
  try {
    if (status === 'created') {
      const delayMs = answerComplete ? 0 : ctx.config.FOLLOWUP_COMMENT_WAIT_MS;
      await ctx.queues.add('response.followup', { responseId }, { delayMs });
    } else if (response.followedUpAt) {
      // Changed after its follow-up ran: route this version (webhook, and actions if the segment moved).
      await ctx.queues.add('response.reroute', { responseId, version: response.updatedAt.getTime() });
    } else if (answerComplete) {
      if (!(await ctx.queues.promote('response.followup', { responseId }))) {
        await ctx.queues.add('response.followup', { responseId });
      }
    }
  } catch (err) {
    // The response is stored; the reconciler runs its follow-up once Redis answers again.
    ctx.log.error({ err, responseId }, 'could not enqueue follow-up');
  }
}
