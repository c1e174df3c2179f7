// JSON bodies parsed as Fastify would (prototype poisoning refused), with the exact bytes kept, and the check of signed requests over them.
import { AppError, verifyWebhook } from '@surveyflow/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for signature checks. */
    rawBody: string;
  }
}

export function keepRawJson(app: FastifyInstance) {
  app.decorateRequest('rawBody', '');
  // The API speaks JSON only: plain text is a 415 like any other type, not a body that fails validation.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text === '') {
      done(AppError.validation([{ field: 'body', message: 'The JSON body is empty' }]), undefined);
      return;
    }
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      done(
        new AppError('invalid_json', 'invalid', `The body is not valid JSON: ${reason}`, [
          { field: 'body', message: 'not valid JSON' },
        ]),
        undefined,
      );
    }
  });
}

/**
 * A workspace with an event-signing secret takes only requests signed with it (Standard Webhooks:
 * webhook-id, webhook-timestamp within 5 minutes, webhook-signature over the exact body): events,
 * and changes to the secret itself, so a leaked API key alone can neither inject events nor switch
 * the signing off.
 */
export function requireSignedBody(request: FastifyRequest, now: Date): void {
  const secret = request.eventSigningSecret;
  if (!secret) return;
  if (!verifyWebhook(secret, request.headers as Record<string, string | undefined>, request.rawBody, now)) {
    throw new AppError(
      'invalid_signature',
      'unauthenticated',
      'This workspace takes signed requests only: webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks) over the exact body',
    );
  }
}

/** A preValidation hook: an unsigned request to a signing workspace is a 401 before its body is even looked at. */
export function signedBody(now: () => Date) {
  return async (request: FastifyRequest) => requireSignedBody(request, now());
}
