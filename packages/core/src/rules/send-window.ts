// Send windows: days of the week and local hours in the contact's time zone; DST is luxon's job, not ours.
import { DateTime } from 'luxon';
import { z } from 'zod';

/** ISO weekdays (1 = Monday … 7 = Sunday) and a [start, end) time of day, e.g. 09:00–20:00. */
export type SendWindow = { days: number[]; start: string; end: string };

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00–23:59');
export const sendWindowSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start < w.end, {
    message: 'must be later than start (windows cannot cross midnight)',
    path: ['end'],
  });

const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/**
 * The first instant at or after `at` that falls inside the window in `zone`. Local times that do not
 * exist (the spring-forward gap) are moved forward the way luxon resolves them; a window that lies
 * wholly inside the gap is skipped for that day.
 */
export function nextInWindow(at: Date, window: SendWindow | null, zone: string): Date {
  if (!window) return at;
  const start = minutes(window.start);
  const end = minutes(window.end);
  let local = DateTime.fromJSDate(at, { zone });
  for (let day = 0; day < 8; day++) {
    const candidateDay = local.startOf('day');
    if (window.days.includes(candidateDay.weekday)) {
      const opens = candidateDay.set({ hour: Math.floor(start / 60), minute: start % 60 });
      const closes = candidateDay.set({ hour: Math.floor(end / 60), minute: end % 60 });
      // A window lying wholly in a spring-forward gap does not exist that day: luxon moves both ends
      // past the gap, so opens is no longer before closes.
      if (opens < closes) {
        if (local < opens) return opens.toJSDate();
        if (local < closes) return local.toJSDate();
      }
    }
    local = candidateDay.plus({ days: 1 });
  }
  throw new RangeError('send window has no allowed day');
}

/** Whether an instant is inside the window in `zone` (what the property tests check). */
export function isInWindow(at: Date, window: SendWindow, zone: string): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const m = local.hour * 60 + local.minute;
  return window.days.includes(local.weekday) && m >= minutes(window.start) && m < minutes(window.end);
}
