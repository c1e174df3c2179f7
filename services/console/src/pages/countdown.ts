// How long until (or since) a case is due, in the few units an operator reads at a glance: "3 h 20 min", "2 d 4 h".
// assets/scripts/countdown.js repeats this rule in the browser to keep the text live; the server's text is the truth.

export type Units = { d: string; h: string; min: string };

/** A duration in at most two units, rounded down: days and hours, or hours and minutes, or minutes. */
export function shortDuration(ms: number, units: Units): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} ${units.d} ${hours} ${units.h}` : `${days} ${units.d}`;
  if (hours > 0) return mins > 0 ? `${hours} ${units.h} ${mins} ${units.min}` : `${hours} ${units.h}`;
  return `${mins} ${units.min}`;
}

/** Whether the time is still ahead (due in …) or passed (overdue by …). */
export const isOverdue = (dueAt: Date, now: Date) => dueAt.getTime() <= now.getTime();
