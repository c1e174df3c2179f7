// /sms/status and /sms/inbound — Twilio's webhooks: delivery progress, and replies (scores, the "why?", STOP/START/HELP).

import {
  type AppContext,
  AppError,
  classifyInbound,
  devMessageSid,
  forwardCustomerReply,
  isFinalSmsStatus,
  localized,
  onceForInboundSms,
  onceForSmsStatus,
  optInPhone,
  optOutMessageRecipient,
  optOutPhone,
  pickLocale,
  recordResponse,
  recordSmsStatus,
  type SmsReplyKey,
  type SurveyLink,
  scoreRange,
  smsConversation,
  smsReply,
  storeDevOutboxMessage,
  TWILIO_OPTED_OUT,
} from '@surveyflow/core';
import { ErrorBody, type HttpApp, text } from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { z } from 'zod';
import { scheduleFollowup } from '../followup.ts';
import { noBody, twimlDocument } from './responses.ts';

const required = (max: number) => text(max).min(1, 'is required');

/** Twilio's status callback: the fields we read (it sends many more, which are ignored). */
const StatusBody = z.object({
  MessageSid: required(64),
  MessageStatus: required(32),
  ErrorCode: text(16).optional(),
});

/** An incoming text: the fields we read (it sends many more, which are ignored). */
const InboundBody = z.object({
  MessageSid: required(64),
  From: required(64),
  Body: text(1600).default(''),
});

const DevReplyBody = z.object({
  from: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +48600100200'),
  body: text(1600).trim().min(1, 'is required'),
});

/** What a refused webhook answers: 403 for a missing or wrong signature, 400 naming a field Twilio never leaves out. */
const webhookErrors = { 400: ErrorBody, 403: ErrorBody };

/** Who we are in a reply when the number was never sent a survey. */
const FALLBACK_COMPANY = 'Surveyflow';

export function smsRoutes(app: HttpApp, ctx: AppContext) {
  /**
   * Twilio signs each webhook with the auth token over the URL it called and the form fields. The URL
   * is ours as the world sees it (PUBLIC_URL), not as the proxy in front of us rewrote it. Checked
   * before validation, over the fields exactly as they came.
   */
  async function verify(request: FastifyRequest) {
    const token = ctx.config.TWILIO_AUTH_TOKEN;
    if (!token) throw AppError.forbidden('SMS webhooks are off: TWILIO_AUTH_TOKEN is not set');
    const signature = request.headers['x-twilio-signature'];
    const params = (request.body ?? {}) as Record<string, string>;
    const url = `${ctx.config.PUBLIC_URL}${request.url}`;
    if (typeof signature !== 'string' || !twilio.validateRequest(token, signature, url, params)) {
      throw AppError.forbidden('X-Twilio-Signature is missing or does not match this request');
    }
  }

  app.post(
    '/sms/status',
    {
      schema: {
        tags: ['providers'],
        summary: "Twilio's delivery status callback (signed with X-Twilio-Signature)",
        consumes: ['application/x-www-form-urlencoded'],
        body: StatusBody,
        response: { 204: noBody('Recorded'), ...webhookErrors },
      },
      preValidation: verify,
    },
    async (request, reply) => {
      const update = request.body;
      const now = ctx.clock.now();
      // A replay (the same SID and status again) is acknowledged and changes nothing.
      await onceForSmsStatus(
        ctx.database,
        { messageSid: update.MessageSid, status: update.MessageStatus },
        now,
        async () => {
          const status = await recordSmsStatus(
            ctx.database,
            {
              messageSid: update.MessageSid,
              status: update.MessageStatus,
              errorCode: update.ErrorCode ?? null,
            },
            now,
          );
          if (isFinalSmsStatus(status) && update.ErrorCode === TWILIO_OPTED_OUT) {
            await optOutMessageRecipient(ctx.database, update.MessageSid, now);
          }
        },
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/sms/inbound',
    {
      schema: {
        tags: ['providers'],
        summary: 'A text to our number (signed by Twilio): a score, the "why?", STOP, START or HELP',
        consumes: ['application/x-www-form-urlencoded'],
        body: InboundBody,
        response: {
          200: twimlDocument('TwiML: the <Message> Twilio sends back, or an empty <Response/>'),
          ...webhookErrors,
        },
      },
      preValidation: verify,
    },
    async (request, reply) => {
      const { From: phone, Body: text, MessageSid: messageSid } = request.body;
      // A text we already applied (a replay, or Twilio delivering it twice) gets an empty <Response/>
      // and changes nothing: no second answer, opt-out or opt-in, and no second reply.
      const once = await onceForInboundSms(ctx.database, messageSid, ctx.clock.now(), () =>
        converse(phone, text, messageSid),
      );
      return twiml(reply, once.replay ? null : once.value);
    },
  );

  // Without a Twilio account, texts land in the dev outbox; this lets a developer answer one from
  // there, through the same conversation, and see the reply appear beside it.
  if (ctx.config.SMS_DEV_OUTBOX) {
    app.post(
      '/dev/sms/reply',
      {
        schema: {
          tags: ['dev'],
          summary: 'Answer a text in the dev outbox as its recipient',
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          body: DevReplyBody,
          response: { 303: noBody('Back to /dev/outbox, where the reply appears'), 400: ErrorBody },
        },
      },
      async (request, reply) => {
        const { from, body } = request.body;
        const answer = await converse(from, body, devMessageSid());
        if (answer) {
          await storeDevOutboxMessage(ctx.database, {
            channel: 'sms',
            messageId: devMessageSid(),
            sender: ctx.config.TWILIO_FROM ?? 'dev',
            recipient: from,
            subject: `Reply to “${body.slice(0, 60)}”`,
            text: answer,
          });
        }
        return reply.redirect('/dev/outbox', 303);
      },
    );
  }

  /** The conversation with a phone: what its text means, what it changes, and what we answer (null: nothing). */
  async function converse(phone: string, text: string, messageSid: string): Promise<string | null> {
    const now = ctx.clock.now();
    const link = await smsConversation(ctx.database, phone, ctx.config.SECRET_KEY);
    const kind = link?.survey.kind ?? 'nps';
    const intent = classifyInbound(text, scoreRange[kind]);
    const say = (key: SmsReplyKey) =>
      smsReply(pickLocale(link?.contact.locale), key, link?.workspace.name ?? FALLBACK_COMPANY, kind);

    switch (intent.kind) {
      case 'stop':
        await optOutPhone(ctx.database, phone, now);
        return say('smsStopped');
      case 'start':
        await optInPhone(ctx.database, phone, now);
        return say('smsStarted');
      case 'help':
        return say('smsHelp');
    }
    // After STOP, nothing but the confirmation goes to the number.
    if (link?.contact.optedOutAt) return null;
    if (!link || (link.invitation.tokenExpiresAt && link.invitation.tokenExpiresAt <= now))
      return say('smsNoSurvey');
    if (intent.kind === 'score') return answerScore(link, intent.score, now);
    // Free text is the "why?" when a score is waiting for one; after that it is a reply for the team.
    if (!link.response) return say('smsNotUnderstood');
    if (link.response.comment !== null || link.response.editableUntil <= now) {
      const notice = await forwardCustomerReply(ctx.database, {
        workspace: link.workspace,
        contact: link.contact,
        messageSid,
        text: intent.text.slice(0, 1600),
        receivedAt: now,
      });
      if (notice) await ctx.queues.addNotificationSends([notice]);
      return say('smsThanks');
    }
    const outcome = await recordResponse(
      ctx.database,
      link,
      { score: link.response.score, comment: intent.text.slice(0, 5000) },
      now,
      ctx.config.EDIT_WINDOW_MINUTES,
    );
    if (outcome.status !== 'edit_window_closed') {
      await scheduleFollowup(ctx, outcome.response, 'updated', true);
    }
    return say('smsThanks');
  }

  /** A score answers the open survey (or changes the answer inside the edit window), then asks "why?". */
  async function answerScore(link: SurveyLink, score: number, now: Date): Promise<string> {
    const locale = pickLocale(link.contact.locale);
    const outcome = await recordResponse(
      ctx.database,
      link,
      { score, comment: null },
      now,
      ctx.config.EDIT_WINDOW_MINUTES,
    );
    if (outcome.status === 'edit_window_closed') {
      return smsReply(locale, 'smsThanks', link.workspace.name, link.survey.kind);
    }
    const { response } = outcome;
    await scheduleFollowup(ctx, response, outcome.status, response.comment !== null);
    return localized(link.survey.followupQuestion, locale);
  }
}

/** Twilio sends whatever <Message> we answer with as the reply; an empty <Response/> sends nothing. */
function twiml(reply: FastifyReply, message: string | null) {
  const response = new twilio.twiml.MessagingResponse();
  if (message) response.message(message);
  return reply.type('text/xml; charset=utf-8').send(response.toString());
}
