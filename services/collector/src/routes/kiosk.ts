// /k/:code — a location in kiosk mode: a tablet in the shop, one customer after another. Answers carry their own key
// (recorded once however often sent) and a device answers at most KIOSK_ANSWERS_PER_WINDOW times per 10 minutes.
import { randomUUID } from 'node:crypto';
import {
  type AppContext,
  findLocationByCode,
  KIOSK_ANSWERS_PER_WINDOW,
  type LocationLink,
  localized,
  pickLocale,
  recordKioskAnswer,
  renderQuestion,
  uiText,
} from '@surveyflow/core';
import { type HttpApp, text, wantsHtml } from '@surveyflow/http';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';
import { scriptNonce } from '../page-scope.ts';
import { kioskCommentPage, kioskStartPage, kioskThanksPage } from '../pages/kiosk.ts';
import { AnswerBody, checkScore, PageError, renderPageError } from './answer.ts';
import { deviceOf } from './location.ts';
import { CodeParams, htmlPage, pageError, pageOrJson } from './responses.ts';

const KioskBody = AnswerBody.pick({ score: true, comment: true }).extend({
  key: text(64)
    .regex(/^[A-Za-z0-9-]{16,64}$/, 'must be the answer key the page made (16–64 letters, digits, dashes)')
    .describe("The answer's own id, made by the page: the same key again is the same answer"),
});

const KioskAnswerView = z.object({
  responseId: z.uuid(),
  status: z.enum(['created', 'updated', 'unchanged']),
});

export function kioskRoutes(app: HttpApp, ctx: AppContext) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:');

  async function open(code: string, acceptLanguage: string | undefined): Promise<LocationLink> {
    const link = /^[a-z2-9]{10}$/.test(code) ? await findLocationByCode(ctx.database, code) : null;
    if (!link?.location.kiosk) throw PageError.unknownLink(pickLocale(acceptLanguage));
    return link;
  }

  const page = (link: LocationLink, locale: ReturnType<typeof pickLocale>) => ({
    locale,
    kind: link.survey.kind,
    question: renderQuestion(link.survey.question, locale, link.workspace.name),
    followup: localized(link.survey.followupQuestion, locale),
    company: link.workspace.name,
    brand: `${link.workspace.name} · ${link.location.name}`,
    actionUrl: `/k/${link.location.code}`,
  });

  const kioskErrors = {
    400: pageError('A code or field that cannot be read (named in details)'),
    404: pageError('A code we never issued, or a location not in kiosk mode'),
  };

  app.get(
    '/k/:code',
    {
      schema: {
        tags: ['respondents'],
        summary: "A kiosk location's start page: the question and large score buttons",
        params: CodeParams,
        response: { 200: htmlPage('The start page (sets the device cookie)'), ...kioskErrors },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const link = await open(request.params.code, request.headers['accept-language']);
      deviceOf(request, reply, '/k', secure);
      const locale = pickLocale(request.headers['accept-language']);
      return reply
        .type('text/html; charset=utf-8')
        .send(kioskStartPage({ ...page(link, locale), answerKey: randomUUID(), nonce: scriptNonce(reply) }));
    },
  );

  app.post(
    '/k/:code',
    {
      schema: {
        tags: ['respondents'],
        summary: 'Answer at a kiosk: score, then optionally a comment under the same key',
        description: `The same key again is the same answer (a resend after a network loss records nothing new; with a comment it adds the comment inside the edit window). A device gives at most ${KIOSK_ANSWERS_PER_WINDOW} new answers per 10 minutes (429 after).`,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: CodeParams,
        body: KioskBody,
        response: {
          200: pageOrJson(
            'The comment step or the thank-you; JSON: the answer as it stands',
            KioskAnswerView,
          ),
          201: KioskAnswerView.describe('JSON: the answer, recorded'),
          ...kioskErrors,
          429: pageError('This device has answered too often in the last 10 minutes'),
        },
      },
      config: { renderError: renderPageError },
    },
    async (request, reply) => {
      const link = await open(request.params.code, request.headers['accept-language']);
      const locale = pickLocale(request.headers['accept-language']);
      const answer = checkScore(link.survey.kind, { ...request.body }, locale);
      const outcome = await recordKioskAnswer(
        ctx.database,
        link,
        deviceOf(request, reply, '/k', secure),
        { key: request.body.key, score: answer.score, comment: answer.comment },
        ctx.clock.now(),
        ctx.config.EDIT_WINDOW_MINUTES,
      );
      if (outcome.status === 'device_limit') {
        const timeZone = link.workspace.timezone;
        const time = `${outcome.until.toLocaleString(locale, { timeZone, timeStyle: 'short' })} (${timeZone})`;
        throw new PageError(
          locale,
          'device_limit',
          'rate_limited',
          uiText(locale, 'deviceLimitMessage', { time }),
        );
      }
      const html = wantsHtml(request.headers.accept);
      // The page's script sends the whole answer at once; a form sends the score first, the comment after.
      const complete = !html || outcome.response.comment !== null;
      if (outcome.status !== 'unchanged')
        await scheduleFollowup(ctx, outcome.response, outcome.status, complete);
      if (!html) {
        return reply
          .status(outcome.status === 'created' ? 201 : 200)
          .send({ responseId: outcome.response.id, status: outcome.status });
      }
      const p = page(link, locale);
      reply.type('text/html; charset=utf-8');
      if (outcome.status === 'created' && outcome.response.comment === null) {
        return reply.send(
          kioskCommentPage({ ...p, answerKey: request.body.key, score: outcome.response.score }),
        );
      }
      return reply.send(kioskThanksPage(p));
    },
  );
}
