// Referral metrics: clicks and orders per period, as operators see them.
import { promoterMin } from '../domain/scoring.ts';
import type { Database } from '../store/client.ts';
import { rolledUpCounts } from '../store/queries/rollups.ts';
import type { SurveyKind } from '../store/schema.ts';

export type ReferralPeriod = 'day' | 'week' | 'month';

/**
 * Per period: promoters (NPS 9–10, CSAT 4–5, CES 5–7), referral links sent, clicks, conversions —
 * the recommendations that really happened beside the NPS that predicts them.
 */
export async function referralMetrics(
  database: Database,
  workspaceId: string,
  q: { from: Date; to: Date; period: ReferralPeriod },
) {
  const { sql: raw } = database;
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const [counted, kinds, rows] = await Promise.all([
    // Promoters from the rollups (every survey of the workspace), the referral tables as they are.
    rolledUpCounts(database, workspaceId, { ...q, bucket: { granularity: q.period, timeZone: 'UTC' } }),
    raw<{ id: string; kind: SurveyKind }[]>`select id, kind from surveys where workspace_id = ${workspaceId}`,
    raw<{ period: string; links: number; clicks: number; conversions: number }[]>`
    with buckets as (
      select date_trunc(${q.period}, created_at at time zone 'UTC') as period, 'links' as what, count(*) as n from referrals
        where workspace_id = ${workspaceId} and created_at >= ${from} and created_at < ${to} group by 1
      union all
      select date_trunc(${q.period}, c.created_at at time zone 'UTC'), 'clicks', count(*)
        from referral_clicks c join referrals f on f.id = c.referral_id
        where f.workspace_id = ${workspaceId} and c.created_at >= ${from} and c.created_at < ${to} group by 1
      union all
      select date_trunc(${q.period}, v.created_at at time zone 'UTC'), 'conversions', count(*)
        from referral_conversions v join referrals f on f.id = v.referral_id
        where f.workspace_id = ${workspaceId} and v.created_at >= ${from} and v.created_at < ${to} group by 1
    )
    select to_char(period, 'YYYY-MM-DD') as period,
      coalesce(sum(n) filter (where what = 'links'), 0)::int as links,
      coalesce(sum(n) filter (where what = 'clicks'), 0)::int as clicks,
      coalesce(sum(n) filter (where what = 'conversions'), 0)::int as conversions
    from buckets group by period`,
  ]);
  const kindOf = new Map(kinds.map((s) => [s.id, s.kind]));
  const periods = new Map<
    string,
    { period: string; promoters: number; links: number; clicks: number; conversions: number }
  >();
  const at = (period: string) => {
    const row = periods.get(period) ?? { period, promoters: 0, links: 0, clicks: 0, conversions: 0 };
    periods.set(period, row);
    return row;
  };
  for (const c of counted) {
    const kind = kindOf.get(c.surveyId);
    if (kind && c.bucket && c.score >= promoterMin(kind)) at(c.bucket).promoters += c.n;
  }
  for (const r of rows)
    Object.assign(at(r.period), { links: r.links, clicks: r.clicks, conversions: r.conversions });
  return [...periods.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
}
