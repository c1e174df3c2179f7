// Referral metrics: clicks and orders per period, as operators see them.
import { promoterMin } from '../domain/scoring.ts';
import type { Database } from '../store/client.ts';

export type ReferralPeriod = 'day' | 'week' | 'month';

/**
 * Per period: promoters (NPS 9–10, CSAT 4–5, CES 5–7), referral links sent, clicks, conversions —
 * the recommendations that really happened beside the NPS that predicts them.
 */
export async function referralMetrics(
  { sql: raw }: Database,
  workspaceId: string,
  q: { from: Date; to: Date; period: ReferralPeriod },
) {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const rows = await raw<
    { period: string; promoters: number; links: number; clicks: number; conversions: number }[]
  >`
    with buckets as (
      select date_trunc(${q.period}, r.created_at at time zone 'UTC') as period, 'promoters' as what, count(*) as n
        from responses r join surveys s on s.id = r.survey_id
        where r.workspace_id = ${workspaceId} and r.created_at >= ${from} and r.created_at < ${to}
          and r.score >= case s.kind when 'nps' then ${promoterMin('nps')}::int
            when 'csat' then ${promoterMin('csat')}::int else ${promoterMin('ces')}::int end
        group by 1
      union all
      select date_trunc(${q.period}, created_at at time zone 'UTC'), 'links', count(*) from referrals
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
      coalesce(sum(n) filter (where what = 'promoters'), 0)::int as promoters,
      coalesce(sum(n) filter (where what = 'links'), 0)::int as links,
      coalesce(sum(n) filter (where what = 'clicks'), 0)::int as clicks,
      coalesce(sum(n) filter (where what = 'conversions'), 0)::int as conversions
    from buckets group by period order by period`;
  return rows.map((r) => ({ ...r }));
}
