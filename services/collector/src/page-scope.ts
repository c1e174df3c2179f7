// The scope respondents' pages run in: security headers (helmet) with a script nonce, signed cookies, and HTML for browsers by default.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';

const scriptNonces = new WeakMap<ServerResponse, string>();

/** This response's script nonce: a <script> carrying it runs, no other does. */
export const scriptNonce = (reply: FastifyReply): string => scriptNonces.get(reply.raw) ?? '';

/**
 * Registers what every respondent's page needs. The pages hold a credential (a token) or a
 * per-device cookie: keep them out of caches, search engines and Referer headers.
 */
export async function pageScope(pages: FastifyInstance, options: { cookieSecret: string }) {
  await pages.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // Our own nonce rather than helmet's enableCSPNonces: that one also nonces styles, which
        // switches off the inline styles (and style attributes) the pages are built with.
        scriptSrc: [
          (_request, response) => {
            const nonce = randomBytes(16).toString('base64');
            scriptNonces.set(response, nonce);
            return `'nonce-${nonce}'`;
          },
        ],
        styleSrc: ["'unsafe-inline'"],
        // The workspace's logo, served by this collector (/brand/…).
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await pages.register(cookie, { secret: options.cookieSecret });
  pages.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
    // A link opened or a form posted without saying what it accepts is a browser's: it gets pages
    // (errors included, through the shell's error handler); an API client sends JSON or asks for it.
    const { accept } = request.headers;
    if ((accept === undefined || accept === '*/*') && !isJson(request.headers['content-type'])) {
      request.headers.accept = 'text/html';
    }
  });
}

const isJson = (contentType: string | undefined) => contentType?.includes('json') === true;
