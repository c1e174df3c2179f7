// /v1/metrics: a survey's score with its counts and 95 % confidence interval, whole or per group, and its change
// against another period; /drivers, /csi, /themes: what moves it; /v1/metrics/referrals: the recommendations that really happened.
import {
  type AppContext,
  AppError,
  commentThemes,
  comparedSummaries,
  csi,
  csiAttributes,
  csiRespondents,
  defaultAlpha,
  drivers,
  getSurvey,
  groupedScoreHistograms,
  previousPeriod,
  type ReliabilitySettings,
  type ResponseGrouping,
  readableSummary,
  referralMetrics,
  reliability,
  reliabilitySettings,
  type SurveyKind,
  scoreHistogram,
  themeComments,
} from '@surveyflow/core';
import { errors, type HttpApp } from '@surveyflow/http';
import {
  CsiQuery,
  CsiResult,
  DriversQuery,
  DriversResult,
  MetricsQuery,
  MetricsResult,
  ReferralMetrics,
  ReferralQuery,
  ThemesQuery,
  ThemesResult,
} from '../schemas/metrics.ts';

const tags = ['metrics'];
const security = [{ apiKey: [] }];
const DAY_MS = 86_400_000;
/** More groups than this is a question asked too finely; the answer is a 400, not a cut list. */
const MAX_GROUPS = 500;
/** Metrics read answers. */
const config = { permission: 'data.read' } as const;

const readable = readableSummary;

export function metricRoutes(app: HttpApp, ctx: AppContext) {
  app.get(
    '/v1/metrics/referrals',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: 'Referral outcomes per period',
        description:
          'Per UTC day, ISO week or month (default week, the last 90 days): promoters, referral links sent, clicks by people (once a day), conversions — with the totals.',
        querystring: ReferralQuery,
        response: { 200: ReferralMetrics, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? ctx.clock.now();
      const from = q.from ?? new Date(to.getTime() - 90 * DAY_MS);
      const data = await referralMetrics(ctx.database, request.workspaceId, { from, to, period: q.period });
      const total = (k: 'promoters' | 'links' | 'clicks' | 'conversions') =>
        data.reduce((n, r) => n + r[k], 0);
      return {
        from,
        to,
        period: q.period,
        totals: {
          promoters: total('promoters'),
          links: total('links'),
          clicks: total('clicks'),
          conversions: total('conversions'),
        },
        data,
      };
    },
  );

  app.get(
    '/v1/metrics',
    {
      config: { permission: 'data.read' },
      schema: {
        tags,
        security,
        summary: "A survey's score with its 95 % interval, whole or per group",
        description:
          'NPS: counts, score −100…100, adjusted-Wald interval. CSAT: % satisfied (4–5) with its Wilson interval, and the mean. CES: mean (1–7) with its t interval, and the share of easy (5–7). `groupBy=day|week|month|channel|properties.<name>` answers one summary per group.',
        querystring: MetricsQuery,
        response: { 200: MetricsResult, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const survey = await getSurvey(ctx.database, request.workspaceId, q.surveyId);
      if (!survey) throw AppError.notFound(`Survey ${q.surveyId}`);
      const settings = await reliabilitySettings(ctx.database, request.workspaceId);
      const head = { surveyId: survey.id, from: q.from ?? null, to: q.to ?? null };
      if (!q.groupBy) {
        const to = q.to ?? ctx.clock.now();
        const current = await scoreHistogram(ctx.database, request.workspaceId, q.compare ? { ...q, to } : q);
        const summary = readable(survey.kind, current, settings);
        if (!q.compare) return { ...head, ...summary };
        // compare=previous is refused without from by the schema.
        const other = q.compare.previous ? previousPeriod({ from: q.from as Date, to }) : q.compare;
        const before = await scoreHistogram(ctx.database, request.workspaceId, {
          surveyId: survey.id,
          ...other,
        });
        return {
          ...head,
          to,
          ...summary,
          comparison: { ...other, ...comparedSummaries(survey.kind, current, before, settings) },
        };
      }
      const groups = await groupSummaries(ctx, request.workspaceId, survey.kind, settings, {
        ...q,
        groupBy: q.groupBy.grouping,
      });
      return { ...head, groupBy: q.groupBy.name, groups };
    },
  );

  app.get(
    '/v1/metrics/drivers',
    {
      schema: {
        tags,
        security,
        summary: 'What moves the score: each value of an event property against the rest',
        description:
          'For `property=store` (any copied event property), one row per value: its score and interval, the gap to all other answers with its 95 % interval and p-value (the same tests as `compare`), the Benjamini–Hochberg adjusted p-value across the values, whether the gap is significant after that correction, and impact = gap × share of answers. Sorted by |impact|, largest first. At most 500 values.',
        querystring: DriversQuery,
        response: { 200: DriversResult, ...errors },
      },
      config,
    },
    async (request) => {
      const q = request.query;
      const survey = await getSurvey(ctx.database, request.workspaceId, q.surveyId);
      if (!survey) throw AppError.notFound(`Survey ${q.surveyId}`);
      const settings = await reliabilitySettings(ctx.database, request.workspaceId);
      const { groups, hasMore } = await groupedScoreHistograms(ctx.database, request.workspaceId, {
        ...q,
        groupBy: { by: 'property', path: q.property.split('.') },
        maxGroups: MAX_GROUPS,
      });
      if (hasMore) {
        throw AppError.validation([
          {
            field: 'property',
            message: `has more than ${MAX_GROUPS} values: narrow the period or choose another property`,
          },
        ]);
      }
      const total = new Map<number, number>();
      for (const g of groups) for (const [s, c] of g.histogram) total.set(s, (total.get(s) ?? 0) + c);
      return {
        surveyId: survey.id,
        property: q.property,
        from: q.from ?? null,
        to: q.to ?? null,
        correction: 'benjamini-hochberg' as const,
        alpha: defaultAlpha,
        overall: readable(survey.kind, total, settings),
        data: drivers(
          survey.kind,
          groups.map((g) => ({ value: g.key, histogram: g.histogram })),
          { settings },
        ),
      };
    },
  );

  app.get(
    '/v1/metrics/csi',
    {
      schema: {
        tags,
        security,
        summary: "The Customer Satisfaction Index (0–100) from the survey's attribute ratings",
        description:
          "Satisfaction per rated attribute (mean rating rescaled to 0–100) weighted by its importance. Importance is `stated` when every rating question has an operator-set `importance`, else `derived`: each attribute's correlation with the main score, negative ones as 0, normalised (`equal` when none is positive). The 95 % interval is a percentile bootstrap (1,000 resamples of the answers, fixed seed 13, importance re-derived in each). `priority` = importance × (100 − satisfaction): fix the largest first. 409 for a survey without rating questions.",
        querystring: CsiQuery,
        response: { 200: CsiResult, ...errors, 409: errors[400] },
      },
      config,
    },
    async (request) => {
      const q = request.query;
      const survey = await getSurvey(ctx.database, request.workspaceId, q.surveyId);
      if (!survey) throw AppError.notFound(`Survey ${q.surveyId}`);
      const attributes = csiAttributes(survey.kind, survey.questions);
      if (!attributes.length) {
        throw AppError.conflict(
          'The survey has no rating questions: add some (questions of type rating) for a CSI',
        );
      }
      const { respondents, capped } = await csiRespondents(ctx.database, request.workspaceId, q);
      const settings = await reliabilitySettings(ctx.database, request.workspaceId);
      const index = csi(attributes, respondents);
      return {
        surveyId: survey.id,
        from: q.from ?? null,
        to: q.to ?? null,
        capped,
        ...index,
        ...reliability({ kind: 'csi', n: index.n, ci: index.ci }, settings),
      };
    },
  );

  app.get(
    '/v1/metrics/themes',
    {
      schema: {
        tags,
        security,
        summary: 'What people write about: words and two-word phrases that stand out in the comments',
        description:
          "Comments of the period (and `segment`), stemmed per language (Snowball for en and ru, nlp.js for pl; the contact's locale, else the letters), stop words removed; each term with the comments mentioning it, their share, the share of detractors among them and up to 3 examples. With `from`, the period of the same length before it is the previous one: a term with at least 3 mentions, twice its previous share and p < 0.05 (two proportions) is `rising`.",
        querystring: ThemesQuery,
        response: { 200: ThemesResult, ...errors },
      },
      config,
    },
    async (request) => {
      const q = request.query;
      const survey = await getSurvey(ctx.database, request.workspaceId, q.surveyId);
      if (!survey) throw AppError.notFound(`Survey ${q.surveyId}`);
      const to = q.to ?? ctx.clock.now();
      const previous = q.from ? previousPeriod({ from: q.from, to }) : null;
      const filter = { surveyId: survey.id, kind: survey.kind, segment: q.segment };
      const current = await themeComments(ctx.database, request.workspaceId, { ...filter, from: q.from, to });
      const before = previous
        ? await themeComments(ctx.database, request.workspaceId, { ...filter, ...previous })
        : null;
      return {
        surveyId: survey.id,
        segment: q.segment ?? null,
        from: q.from ?? null,
        to,
        previous,
        ...commentThemes(current, before, { limit: q.limit }),
      };
    },
  );
}

/** Each group's key with its summary; too many groups is a 400 naming groupBy, never a silently cut list. */
async function groupSummaries(
  ctx: AppContext,
  workspaceId: string,
  kind: SurveyKind,
  settings: ReliabilitySettings,
  f: { surveyId: string; from?: Date | undefined; to?: Date | undefined; groupBy: ResponseGrouping },
) {
  const { groups, hasMore } = await groupedScoreHistograms(ctx.database, workspaceId, {
    ...f,
    maxGroups: MAX_GROUPS,
  });
  if (hasMore) {
    throw AppError.validation([
      {
        field: 'groupBy',
        message: `more than ${MAX_GROUPS} groups: narrow the period or choose a coarser groupBy`,
      },
    ]);
  }
  return groups.map(({ key, histogram }) => ({ key, ...readable(kind, histogram, settings) }));
}
