// What console routes declare: pages, redirects, errors as pages for browsers (and the one JSON error body otherwise).
import { ErrorBody, text } from '@surveyflow/http';
import { z } from 'zod';

/** Fastify picks a response schema by content type; a string sent as text/html is sent as it is. */
export const htmlPage = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
});

const pageOrError = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() }, 'application/json': { schema: ErrorBody } },
});

export const redirect = (description: string) => z.null().describe(description);

/** The answers every console form can get besides its own. */
export const formErrors = {
  400: pageOrError('A field that cannot be read (named in details)'),
  403: pageOrError('No CSRF token, or your role may not do this'),
};

/** The hidden CSRF field of every form (checked before the body is validated, so it is optional here). */
export const csrfField = { _csrf: text(200).optional().describe('The form’s CSRF token') };

export const FormOnly = z.object(csrfField);

/**
 * A console form's POST: urlencoded, the CSRF token checked before the body is validated, signed in. The
 * schema's parts as given (params, body, response), so the handler is typed by them.
 */
export const formPost = <
  C,
  H,
  S extends { summary: string; body: z.ZodType; response: Record<number, unknown> },
>(
  app: { csrfProtection: C },
  signedIn: H,
  schema: S,
) => ({
  schema: { tags: ['console'], consumes: ['application/x-www-form-urlencoded'], ...schema },
  preValidation: app.csrfProtection,
  preHandler: signedIn,
});
