// The throttle rules: how long an invitation keeps a contact from being asked again — by the same
// survey (the trigger's throttleDays) and by any survey (the workspace's globalContactDays).

export const DAY_MS = 86_400_000;

/** An invitation already made, as far as throttling and dedupe are concerned. */
export type PastInvitation = {
  surveyId: string;
  sendAt: Date;
  triggerId?: string | null;
  dedupeValue?: string | null;
};

/** The windows that apply to one survey; without a survey (null) only the workspace's global rule. */
export type ThrottleRules = { surveyId: string | null; throttleDays: number; globalContactDays: number };

export type ThrottleReason = 'global_rule' | 'throttled';

/** The windows in the order they are checked: the workspace's global rule first, then the survey's own. */
export function throttleWindows(rules: ThrottleRules) {
  const windows: { reason: ThrottleReason; setting: string; surveyId: string | null; days: number }[] = [
    { reason: 'global_rule', setting: 'globalContactDays', surveyId: null, days: rules.globalContactDays },
  ];
  if (rules.surveyId !== null) {
    windows.push({
      reason: 'throttled',
      setting: 'throttleDays',
      surveyId: rules.surveyId,
      days: rules.throttleDays,
    });
  }
  return windows;
}

/** When the window an invitation sent at `sendAt` opens closes again; null when the window is off (0 days). */
export function windowEnd(sendAt: Date, days: number): Date | null {
  return days > 0 ? new Date(sendAt.getTime() + days * DAY_MS) : null;
}

/**
 * The earliest invitation less than `days` away from `sendAt`, on either side: to the same survey,
 * or to any survey when surveyId is null (the workspace's global rule).
 */
export function throttledBy(
  history: readonly PastInvitation[],
  surveyId: string | null,
  sendAt: Date,
  days: number,
): PastInvitation | undefined {
  if (days <= 0) return undefined;
  const window = days * DAY_MS;
  return history
    .filter(
      (h) =>
        (surveyId === null || h.surveyId === surveyId) &&
        Math.abs(h.sendAt.getTime() - sendAt.getTime()) < window,
    )
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime())[0];
}

/** Why an invitation at `sendAt` may not be made (the first window it falls in), or null when the throttles allow it. */
export function throttleCheck(
  history: readonly PastInvitation[],
  rules: ThrottleRules,
  sendAt: Date,
): { reason: ThrottleReason; detail: Record<string, string | number> } | null {
  for (const w of throttleWindows(rules)) {
    const previous = throttledBy(history, w.surveyId, sendAt, w.days);
    if (!previous) continue;
    return {
      reason: w.reason,
      detail: {
        [w.setting]: w.days,
        previousSendAt: previous.sendAt.toISOString(),
        until: (windowEnd(previous.sendAt, w.days) ?? previous.sendAt).toISOString(),
      },
    };
  }
  return null;
}

/**
 * The earliest time, from `now` on, the throttles allow the next invitation: once the window of the
 * latest invitation has closed, for every window that applies. globalRuleUntil is when the
 * workspace's global rule ends, if it still holds at `now`.
 */
export function nextEligible(
  history: readonly PastInvitation[],
  rules: ThrottleRules,
  now: Date,
): { earliest: Date; globalRuleUntil: Date | null } {
  let earliest = now;
  let globalRuleUntil: Date | null = null;
  for (const w of throttleWindows(rules)) {
    const latest = history
      .filter((h) => w.surveyId === null || h.surveyId === w.surveyId)
      .reduce<Date | null>((a, h) => (a && a >= h.sendAt ? a : h.sendAt), null);
    const end = latest ? windowEnd(latest, w.days) : null;
    if (end && end > earliest) earliest = end;
    if (w.reason === 'global_rule' && end && end > now) globalRuleUntil = end;
  }
  return { earliest, globalRuleUntil };
}
