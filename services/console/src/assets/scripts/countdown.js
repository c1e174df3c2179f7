// Keeps every SLA countdown live: each <time data-countdown datetime="…"> is recomputed every 30 s from its
// datetime, in the words its data attributes carry. The server already wrote the same text; without this it just ages.
const units = (el) => {
  const [d, h, min] = (el.dataset.units ?? 'd|h|min').split('|');
  return { d, h, min };
};

// The rule of pages/countdown.ts: at most two units, rounded down.
function shortDuration(ms, u) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} ${u.d} ${hours} ${u.h}` : `${days} ${u.d}`;
  if (hours > 0) return mins > 0 ? `${hours} ${u.h} ${mins} ${u.min}` : `${hours} ${u.h}`;
  return `${mins} ${u.min}`;
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll('time[data-countdown]')) {
    const due = Date.parse(el.getAttribute('datetime') ?? '');
    if (Number.isNaN(due)) continue;
    const overdue = due <= now;
    const words = (overdue ? el.dataset.overdueBy : el.dataset.dueIn) ?? '{time}';
    const text = words.replace('{time}', shortDuration(due - now, units(el)));
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('overdue', overdue);
  }
}

tick();
setInterval(tick, 30000);
