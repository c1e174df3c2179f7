// When a response's follow-up runs: shared by every way an answer arrives (page, SMS reply).
import type { AppContext } from '@surveyflow/core';

/**
 * A score without a comment waits a little before its follow-up runs, so the "why?" typed next
 * makes it into the alert; the comment (or a skip) arriving runs the waiting follow-up at once.
 */
export async function scheduleFollowup(
  ctx: AppContext,
  responseId: string,
  status: 'created' | 'updated',
  answerComplete: boolean,
  followedUp: boolean,
) {
  try {
    if (status === 'created') {
      const delayMs = answerComplete ? 0 : ctx.config.FOLLOWUP_COMMENT_WAIT_MS;
      await ctx.queues.add('response.followup', { responseId }, { delayMs });
    } else if (answerComplete && !followedUp) {
      if (!(await ctx.queues.promote('response.followup', { responseId }))) {
        await ctx.queues.add('response.followup', { responseId });
      }
    }
  } catch (err) {
    // The response is stored; the reconciler runs its follow-up once Redis answers again.
    ctx.log.error({ err, responseId }, 'could not enqueue follow-up');
  }
}
