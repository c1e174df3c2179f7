// The one rule for changing an answer that was given again inside its edit window (survey links and location codes alike).

/** What an answer given again inside the edit window changes: the score, and the comment unless it came empty. */
export function answerEdit(answer: { score: number; comment: string | null }, now: Date) {
  return {
    score: answer.score,
    ...(answer.comment !== null ? { comment: answer.comment } : {}),
    updatedAt: now,
  };
}
