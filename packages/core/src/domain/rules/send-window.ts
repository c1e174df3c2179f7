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
 * wholly inside the gap does not exist that day.
 */
export function nextInWindow(at: Date, window: SendWindow | null, zone: string): Date {
  if (!window) return at;
  const start = minutes(window.start);
  const end = minutes(window.end);
  const local = DateTime.fromJSDate(at, { zone });
  const localMinutes = local.hour * 60 + local.minute;
  // Two weeks: a weekly window can be lost to a DST gap once.
  for (let day = 0; day < 15; day++) {
    const date = local.startOf('day').plus({ days: day });
    if (!window.days.includes(date.weekday)) continue;
    // In a spring-forward gap luxon moves a missing opening forward; if that lands at or past the
    // end, the window does not exist that day.
    let opens = date.set({ hour: Math.floor(start / 60), minute: start % 60 });
    if (opens.hour * 60 + opens.minute >= end) continue;
    // On a fall-back day a wall time in the repeated hour happens twice, and luxon gives the first. From the
    // second pass of that hour, before the opening, the opening still to come is its second occurrence.
    const shift = opens.offset - local.offset;
    if (day === 0 && opens <= local && localMinutes < start && shift > 0) {
      const again = opens.plus({ minutes: shift });
      if (again.hour === opens.hour && again.minute === opens.minute) opens = again;
    }
    if (local < opens) return opens.toJSDate();
    if (day === 0 && localMinutes >= start && localMinutes < end) return local.toJSDate();
  }
  throw new RangeError('send window has no allowed day');
}

/** Whether an instant is inside the window in `zone` (what the property tests check). */
export function isInWindow(at: Date, window: SendWindow, zone: string): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const m = local.hour * 60 + local.minute;
  return window.days.includes(local.weekday) && m >= minutes(window.start) && m < minutes(window.end);
}

/** Local hours nobody should be disturbed in, e.g. 21:00–08:00 (it may cross midnight). */
export type QuietHours = { start: string; end: string };

export const quietHoursSchema = z
  .object({ start: hhmm, end: hhmm })
  .refine((q) => q.start !== q.end, { message: 'must differ from start', path: ['end'] });

/** Whether an instant falls in the quiet hours in `zone`. */
export function isQuiet(at: Date, quiet: QuietHours, zone: string): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const m = local.hour * 60 + local.minute;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The first instant at or after `at` outside the quiet hours in `zone` (their end, local time). */
export function afterQuietHours(at: Date, quiet: QuietHours | null, zone: string): Date {
  if (!quiet || !isQuiet(at, quiet, zone)) return at;
  const local = DateTime.fromJSDate(at, { zone });
  const end = minutes(quiet.end);
  const endToday = local.startOf('day').set({ hour: Math.floor(end / 60), minute: end % 60 });
  return (endToday > local ? endToday : endToday.plus({ days: 1 })).toJSDate();
}

/**
 * The send time honouring both the trigger's window and the workspace's quiet hours: each move can
 * push the time out of the other, so alternate until neither moves it (a handful of rounds at most).
 */
export function settleSendTime(
  at: Date,
  window: SendWindow | null,
  quiet: QuietHours | null,
  zone: string,
): Date {
  let t = at;
  for (let round = 0; round < 16; round++) {
    const next = afterQuietHours(nextInWindow(t, window, zone), quiet, zone);
    if (next.getTime() === t.getTime()) return t;
    t = next;
  }
  throw new RangeError('the send window lies wholly inside the quiet hours');
}
