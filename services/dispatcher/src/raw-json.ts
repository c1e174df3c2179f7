// JSON bodies parsed as Fastify would (prototype poisoning refused), with the exact bytes kept: signed events are verified over them.
import { AppError } from '@surveyflow/core';
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for signature checks. */
    rawBody: string;
  }
}

export function keepRawJson(app: FastifyInstance) {
  app.decorateRequest('rawBody', '');
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
        new AppError('invalid_json', 400, `The body is not valid JSON: ${reason}`, [
          { field: 'body', message: 'not valid JSON' },
        ]),
        undefined,
      );
    }
  });
}
