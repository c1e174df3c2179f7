// Twilio message statuses in the order they can happen: callbacks arrive late, twice and out of order, and never move one back.
export const smsStatusOrder = ['accepted', 'queued', 'sending', 'sent'] as const;
export const finalSmsStatuses = ['delivered', 'undelivered', 'failed'] as const;

const rank = (status: string): number => {
  if ((finalSmsStatuses as readonly string[]).includes(status)) return smsStatusOrder.length;
  const i = (smsStatusOrder as readonly string[]).indexOf(status);
  return i; // -1 for a status we do not know: it never replaces one we do
};

/**
 * The status to keep when `incoming` arrives while `current` is stored: only a later stage replaces
 * an earlier one, and the first final status (delivered, undelivered, failed) stands for good.
 */
export function mergeSmsStatus(current: string | null, incoming: string): string {
  if (current === null) return incoming;
  return rank(incoming) > rank(current) ? incoming : current;
}

export const isFinalSmsStatus = (status: string) => (finalSmsStatuses as readonly string[]).includes(status);
