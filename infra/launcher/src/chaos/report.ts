// The one table a chaos run prints, and its verdict: lost 0 and double sends 0 are the gate; interrupted is reported.
import type { ChaosResult } from './scenario.ts';

export type Row = { measure: string; value: string; target: string; ok: string };

const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(2)} %` : '–');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Lost or double-sent mail, or a replay that changed anything, fails a run; interrupted sends are only reported. */
export function failed(r: ChaosResult): boolean {
  return r.lost > 0 || r.doubleSends > 0 || (r.replays !== null && !replaysClean(r.replays));
}

const replaysClean = (r: NonNullable<ChaosResult['replays']>) => r.changed.length === 0 && r.badAnswers === 0;

export function chaosTable(r: ChaosResult): Row[] {
  const kills = r.workerKillsDone;
  const invited = r.invitations;
  const statuses = Object.entries(r.byStatus)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const reasons = Object.entries(r.failureReasons)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lostWhy = Object.entries(r.lostDetail)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  const exits = Object.entries(r.unexpectedExits)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const mark = (good: boolean) => (good ? 'yes' : 'NO');
  return [
    {
      measure: 'events posted (incl. duplicates)',
      value: String(r.posted),
      target: `${r.plan.events} + ${Math.round(r.plan.events * r.plan.duplicateShare)}`,
      ok: mark(r.posted >= r.plan.events),
    },
    {
      measure: 'events accepted (distinct ids, 202)',
      value: `${r.acceptedIds} (${r.duplicatesAcknowledged} acknowledged as duplicate, ${r.requestRetries} requests retried)`,
      target: String(r.plan.events),
      ok: mark(r.acceptedIds === r.plan.events),
    },
    {
      measure: 'events stored',
      value: String(r.eventsStored),
      target: `= accepted (${r.acceptedIds})`,
      ok: mark(r.eventsStored === r.acceptedIds),
    },
    { measure: 'invitations made', value: String(invited), target: `≤ ${r.plan.events}`, ok: '' },
    { measure: '  by status', value: statuses || '–', target: '', ok: '' },
    { measure: '  failure reasons', value: reasons || '–', target: '', ok: '' },
    {
      measure: 'messages received by the SMTP server',
      value: `${r.smtpMessages} (${r.smtpRecipients} distinct recipients)`,
      target: `= invitations sent (${r.byStatus.sent ?? 0})`,
      ok: '',
    },
    {
      measure: 'double sends',
      value: `${r.doubleSends} (${pct(r.doubleSends, invited)})`,
      target: '0',
      ok: mark(r.doubleSends === 0),
    },
    {
      measure: 'lost',
      value: `${r.lost} (${pct(r.lost, invited)})${lostWhy ? ` — ${lostWhy}` : ''}`,
      target: '0',
      ok: mark(r.lost === 0),
    },
    {
      measure: 'interrupted (claimed by a killed worker)',
      value: `${r.interrupted} over ${kills} SIGKILLs (${kills ? (r.interrupted / kills).toFixed(2) : '–'} per kill)`,
      target: '≤ 1 per SIGKILL',
      ok: mark(r.interrupted <= kills),
    },
    {
      measure: '  of which never reached the SMTP server',
      value: String(r.interruptedNotReceived),
      target: '0 (claim after the crash point)',
      ok: mark(r.interruptedNotReceived === 0),
    },
    {
      measure: "  of which still 'sending' at the end",
      value: String(r.stuckSending),
      target: '0 (marked without waiting 10 min)',
      ok: mark(r.stuckSending === 0),
    },
    {
      measure: '  where the unfinished jobs were',
      value:
        Object.entries(r.jobStates)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ') || '–',
      target: '',
      ok: '',
    },
    {
      measure: 'heal time after FLUSHALL (every lost job back in Redis)',
      value: r.plan.flushAll
        ? r.healMs === null
          ? r.healItems === 0
            ? 'n/a (nothing in flight at the flush)'
            : `not healed (${r.healItems} items in flight at the flush)`
          : `${s(r.healMs)} (${r.healItems} items in flight at the flush)`
        : 'not in this run',
      target: '≤ 15 s',
      ok: r.plan.flushAll && r.healItems > 0 ? mark(r.healMs !== null && r.healMs <= 15_000) : '',
    },
    {
      measure: '  backlog drained after FLUSHALL (every such row moved on)',
      value: r.plan.flushAll && r.healItems > 0 ? (r.drainMs === null ? 'not drained' : s(r.drainMs)) : '–',
      target: '(includes outages and queue depth)',
      ok: '',
    },
    {
      measure: 'Twilio replays (signed answers, STOP, status callbacks posted again)',
      value: r.replays
        ? `${r.replays.replayed} replayed over ${r.replays.texted} SMS invitations; ${r.replays.badAnswers} answered unlike a replay; changed: ${r.replays.changed.join(', ') || 'nothing'}`
        : 'not in this run',
      target: 'changes nothing',
      ok: r.replays ? mark(replaysClean(r.replays)) : '',
    },
    {
      measure: 'failed jobs (BullMQ failed sets, after the flush)',
      value: String(r.bullmqFailed),
      target: '0',
      ok: mark(r.bullmqFailed === 0),
    },
    {
      measure: 'faults injected',
      value: [
        `${kills} worker SIGKILLs`,
        r.plan.redisKill ? 'redis kill -9 + restart' : '',
        r.plan.flushAll ? 'FLUSHALL' : '',
        r.plan.smtpOutageMs ? `SMTP outage ${s(r.plan.smtpOutageMs)} (421; stands in for 10 min)` : '',
        r.plan.smtpDownMs ? `SMTP server down ${s(r.plan.smtpDownMs)} (connection refused)` : '',
        r.plan.twilioReplays ? 'Twilio replays' : '',
      ]
        .filter(Boolean)
        .join(', '),
      target: '',
      ok: '',
    },
    { measure: 'unexpected process exits', value: exits || '0', target: '0', ok: mark(!exits) },
    {
      measure: 'time',
      value: `${s(r.timings.totalMs)} total, ${s(r.timings.ingestMs)} posting, ${s(r.timings.settleMs)} settling${r.timings.settled ? '' : ' (wait ran out)'}`,
      target: '',
      ok: '',
    },
  ];
}
