// The on-site widget: GET /w.js (the script) and its JSON API under /w/v1/:key, callable only from the key's origins.
import { readFileSync } from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import {
  type AppContext,
  AppError,
  findPublishableKey,
  localized,
  originAllowed,
  type PublishableKeyLink,
  parsePublishableKey,
  recordWidgetAnswer,
  renderQuestion,
  scoreRange,
  showWidget,
  widgetTexts,
} from '@surveyflow/core';
import { ErrorBody, jsonObject, text, uuid, zodRoutes } from '@surveyflow/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';

/** Read once at start: plain JavaScript, no build step (services/collector/src/widget/w.js). */
export const widgetScript = readFileSync(new URL('../widget/w.js', import.meta.url), 'utf8');

declare module 'fastify' {
  interface FastifyRequest {
    publishableKey?: PublishableKeyLink;
  }
}

const KeyParams = z.object({ key: text(100).describe('The publishable key (pk_…)') });

const ShowBody = z
  .object({
    visitor: z
      .object({
        id: text(200).trim().min(1).describe("The shop's own id for the visitor (the same as in its events)"),
        email: z.email('must be an email address').max(320).optional(),
        locale: text(35).optional(),
        properties: jsonObject.optional(),
        signature: text(128)
          .optional()
          .describe(
            "HMAC-SHA256 of id under the key's identity secret, hex, computed on the shop's server; required when the key requires identity verification",
          ),
      })
      .strict()
      .nullish()
      .describe('Who the shop says the visitor is; absent or null: anonymous (only if the survey allows it)'),
    surveyId: uuid.optional().describe("One of the key's surveys (default: its first)"),
  })
  .strict();

const ShowView = z.union([
  z.object({
    show: z.literal(false),
    reason: z.string().describe('opted_out, global_rule, throttled, anonymous_not_allowed or no_survey'),
  }),
  z.object({
    show: z.literal(true),
    token: z.string().describe('Answers this one showing, once (edits inside the edit window)'),
    locale: z.string(),
    kind: z.string(),
    min: z.int(),
    max: z.int(),
    texts: z.record(z.string(), z.string()),
  }),
]);

const WidgetAnswerBody = z
  .object({
    token: text(400),
    score: z.int('must be a whole number').min(0).max(10),
    comment: text(5000)
      .nullish()
      .transform((v) => v?.trim() || null),
  })
  .strict();

const WidgetAnswerView = z.object({ responseId: z.uuid(), status: z.enum(['created', 'updated']) });

/**
 * The key and the caller's Origin are checked before anything else, preflight included: an unknown key or an
 * origin the key does not list gets a 403 (404 for a malformed key) and no CORS headers, so the shop's page
 * can read nothing. No cookies are set or read: the answer token is the only credential.
 */
async function checkCaller(ctx: AppContext, request: FastifyRequest) {
  const { key } = request.params as { key?: string };
  const parsed = parsePublishableKey(key);
  const link = parsed ? await findPublishableKey(ctx.database, parsed) : null;
  if (!link) throw AppError.notFound('Publishable key');
  if (!originAllowed(request.headers.origin, link.key.allowedOrigins)) {
    throw AppError.forbidden('This origin is not allowed for this key');
  }
  request.publishableKey = link;
}

export function widgetRoutes(ctx: AppContext) {
  return async function widget(scope: FastifyInstance) {
    // Per network address, shared by every process through Redis: the contact rules bound what one visitor
    // sees, this bounds a script minting visitors; anonymous answers have their own daily cap per address.
    await scope.register(rateLimit, {
      global: false,
      redis: ctx.redis,
      nameSpace: `${ctx.config.QUEUE_PREFIX}:widget-limit:`,
      errorResponseBuilder: (_request, context) =>
        new AppError(
          'rate_limited',
          'rate_limited',
          `Too many widget requests: try again in ${context.after}`,
        ),
    });
    const app = zodRoutes(scope);
    const perAddress = (max: number) => app.rateLimit({ max, timeWindow: '10 minutes' });

    app.get(
      '/w.js',
      {
        schema: {
          tags: ['respondents'],
          summary: 'The on-site widget script (add it with data-key="pk_…")',
          response: {
            200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } },
          },
        },
      },
      async (_request, reply) =>
        reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(widgetScript),
    );

    await scope.register(async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        await checkCaller(ctx, request);
        const origin = request.headers.origin ?? '';
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
        if (request.method === 'OPTIONS') {
          return reply
            .status(204)
            .header('access-control-allow-methods', 'POST')
            .header('access-control-allow-headers', 'content-type')
            .header('access-control-max-age', '600')
            .send();
        }
      });
      const routes = zodRoutes(api);
      for (const path of ['/w/v1/:key/show', '/w/v1/:key/answer']) {
        routes.options(
          path,
          { schema: { hide: true, params: KeyParams, response: { 204: z.null() } } },
          // The onRequest hook has answered already.
          async (_request, reply) => reply,
        );
      }

      routes.post(
        '/w/v1/:key/show',
        {
          onRequest: perAddress(120),
          schema: {
            tags: ['respondents'],
            summary:
              'Widget: whether to ask this visitor now, the texts in their language, and a one-time token',
            description:
              'Called by /w.js from a page of one of the key’s origins (CORS). The same contact rules as every channel: opted out, the workspace’s global contact rule, the survey’s widgetThrottleDays; showing records an invitation on channel widget. A key that requires identity verification refuses an identify without `visitor.signature` (400) or with a wrong one (403 `invalid_signature`).',
            params: KeyParams,
            body: ShowBody,
            response: { 200: ShowView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
          },
        },
        async (request) => {
          const link = request.publishableKey as PublishableKeyLink;
          const outcome = await showWidget(
            ctx.database,
            link,
            {
              surveyId: request.body.surveyId,
              visitor: request.body.visitor ?? null,
              acceptLanguage: request.headers['accept-language'],
            },
            ctx.clock.now(),
            ctx.config.SECRET_KEY,
          );
          if (!outcome.show) return { show: false as const, reason: outcome.reason };
          const { survey, locale } = outcome;
          const company = link.workspace.name;
          return {
            show: true as const,
            token: outcome.token,
            locale,
            kind: survey.kind,
            ...scoreRange[survey.kind],
            texts: {
              ...widgetTexts(locale, survey.kind, company),
              question: renderQuestion(survey.question, locale, company),
              followup: localized(survey.followupQuestion, locale),
            },
          };
        },
      );

      routes.post(
        '/w/v1/:key/answer',
        {
          onRequest: perAddress(60),
          schema: {
            tags: ['respondents'],
            summary: 'Widget: record the answer to a showing (score and optional comment)',
            description:
              'Recorded and routed like any answer (alerts, cases, thanks). The same token again inside the edit window changes the answer; it is never a second response.',
            params: KeyParams,
            body: WidgetAnswerBody,
            response: {
              201: WidgetAnswerView,
              200: WidgetAnswerView,
              400: ErrorBody,
              403: ErrorBody,
              404: ErrorBody,
              409: ErrorBody,
              410: ErrorBody,
              429: ErrorBody,
            },
          },
        },
        async (request, reply) => {
          const link = request.publishableKey as PublishableKeyLink;
          const { token, score, comment } = request.body;
          const outcome = await recordWidgetAnswer(
            ctx.database,
            link,
            token,
            { score, comment },
            {
              now: ctx.clock.now(),
              secret: ctx.config.SECRET_KEY,
              editWindowMinutes: ctx.config.EDIT_WINDOW_MINUTES,
              address: request.ip,
            },
          );
          // The widget sends score and comment together: nothing more is coming, route it now.
          await scheduleFollowup(ctx, outcome.response, outcome.status, true);
          return reply
            .status(outcome.status === 'created' ? 201 : 200)
            .send({ responseId: outcome.response.id, status: outcome.status });
        },
      );
    });
  };
}
