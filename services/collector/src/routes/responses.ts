// How the collector's routes declare what they answer besides JSON: pages, TwiML, redirects, and errors that are pages for browsers.
import { ErrorBody, text } from '@surveyflow/http';
import { z } from 'zod';

/**
 * Fastify picks a response schema by content type; a string sent as text/html or text/xml is never
 * serialized, so the markup goes out as it is, and the OpenAPI document names the media type.
 */
const markup = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: z.string() } },
});

/** An HTML page. */
export const htmlPage = (description: string) => markup('text/html', description);

/** A TwiML document (Twilio sends its <Message> as the reply). */
export const twimlDocument = (description: string) => markup('text/xml', description);

/** An HTML page for browsers, or the given JSON for API clients (by Accept, or JSON sent). */
export const pageOrJson = (description: string, json: z.ZodType) => ({
  description,
  content: { 'text/html': { schema: z.string() }, 'application/json': { schema: json } },
});

/** An error of a respondent's page: the page for browsers, the error body for API clients. */
export const pageError = (description: string) => pageOrJson(description, ErrorBody);

/** A response without a body (a redirect, or 204). */
export const noBody = (description: string) => z.null().describe(description);

/** The link a respondent was sent: bounded, so a hostile one is a 400 naming it; one we never issued is a 404. */
export const TokenParams = z.object({ token: text(100).describe('The survey link token') });
export const CodeParams = z.object({ code: text(100).describe('The printed or shared code') });
