// Test support for the console: a browser-like caller over inject (keeps cookies, reads CSRF tokens) and sign-in by the emailed link.
import { bootstrapOwner, svgToPng } from '@surveyflow/core';
import type { SmtpSink } from '@surveyflow/testkit';
import type { Shop } from './testing.ts';

export const OWNER = 'owner@shop.test';

export type Agent = ReturnType<typeof consoleAgent>;

/** A posted form: a list is one name posted once per value (ticked boxes). */
export type Fields = Record<string, string | string[]>;

/** A browser without JavaScript: cookies kept between requests, forms posted as a browser posts them. */
export function consoleAgent(shop: Shop) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  async function request(method: 'GET' | 'POST', url: string, form?: Fields) {
    const res = await shop.system.app.inject({
      method,
      url,
      headers: {
        accept: 'text/html',
        cookie: cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      // A list is a repeated name, as ticked boxes post.
      ...(form
        ? {
            payload: new URLSearchParams(
              Object.entries(form).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x])),
            ).toString(),
          }
        : {}),
    });
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    return res;
  }
  return {
    jar,
    get: (url: string) => request('GET', url),
    /** GETs the page holding the form, then posts the form with that page's CSRF token. */
    async submit(pageUrl: string, action: string, fields: Fields = {}) {
      const page = await request('GET', pageUrl);
      return request('POST', action, { _csrf: csrfToken(page.body), ...fields });
    },
    /** Posts with a token from a page of our own (the form's own page may no longer show the form). */
    async postFrom(tokenPage: string, action: string, fields: Fields = {}) {
      const page = await request('GET', tokenPage);
      return request('POST', action, { _csrf: csrfToken(page.body), ...fields });
    },
    /** Posts without a CSRF token (a forged cross-site form). */
    postWithoutToken: (action: string, fields: Fields = {}) => request('POST', action, fields),
  };
}

export function csrfToken(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error(`no CSRF field in the page: ${body.slice(0, 300)}`);
  return token;
}

/** The sign-in link path (/app/sign-in/<token>) in the newest mail to `to`. */
export async function linkFromMail(smtp: SmtpSink, to: string, after = 0): Promise<string> {
  const mail = await smtp.waitFor((m) => m.to.includes(to) && smtp.messages.indexOf(m) >= after);
  const path = /\/app\/sign-in\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
  if (!path) throw new Error(`no sign-in link in the mail to ${to}: ${mail.text}`);
  return path;
}

/** The Shop's bootstrap owner, signed in through the form, the emailed link and its button. */
export async function signedInOwner(shop: Shop, smtp: SmtpSink): Promise<Agent> {
  const [ws] = await shop.system.ctx.database.sql<
    { id: string }[]
  >`select id from workspaces order by created_at limit 1`;
  await bootstrapOwner(shop.system.ctx.database, {
    email: OWNER,
    workspaceId: ws?.id ?? '',
    now: new Date(),
    secret: shop.system.ctx.config.SECRET_KEY,
  });
  return signIn(shop, smtp, OWNER);
}

export async function signIn(shop: Shop, smtp: SmtpSink, email: string): Promise<Agent> {
  const agent = consoleAgent(shop);
  const before = smtp.messages.length;
  const sent = await agent.submit('/app/sign-in', '/app/sign-in', { email });
  if (sent.statusCode !== 200) throw new Error(`sign-in form: ${sent.statusCode} ${sent.body}`);
  const link = await linkFromMail(smtp, email, before);
  const done = await agent.submit(link, link);
  if (done.statusCode !== 303) throw new Error(`sign-in link: ${done.statusCode} ${done.body}`);
  return agent;
}

/** A small PNG logo (a teal badge reading SHOP), drawn by the same renderer as the digest's charts. */
export async function logoPng(): Promise<Buffer> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="8" fill="#0f766e"/><circle cx="20" cy="20" r="10" fill="#fff"/><text x="38" y="27" font-size="18" font-weight="700" fill="#fff">SHOP</text></svg>';
  return (await svgToPng(svg, 120)).png;
}
