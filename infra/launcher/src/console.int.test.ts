// The console's people half on the whole system: sign-in by emailed link, sessions, CSRF, the team and who may change it.
import { queuesIdle } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import { consoleAgent, linkFromMail, OWNER, signedInOwner, signIn } from './console-agent.ts';
import { type Shop, test } from './testing.ts';

const sessions = async (shop: Shop) =>
  Number(
    (await shop.system.ctx.database.sql`select count(*) from sessions where revoked_at is null`)[0]?.count,
  );

describe('signing in by emailed link', () => {
  test('the link is emailed; opening it (a scanner) signs nobody in; its button does; the same link again is refused', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    expect((await owner.get('/app')).statusCode).toBe(200);
    await shop.system.ctx.database.sql`update sessions set revoked_at = now()`;

    const agent = consoleAgent(shop);
    const before = smtp.messages.length;
    const sent = await agent.submit('/app/sign-in', '/app/sign-in', { email: 'Owner@Shop.test' });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('owner@shop.test');
    const link = await linkFromMail(smtp, OWNER, before);
    const [stored] = await shop.system.ctx.database
      .sql`select token_hash from sign_in_links order by created_at desc limit 1`;
    const token = link.split('/').pop() ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored?.token_hash).not.toContain(token);
    // Nothing in Postgres opens a session: the stored mail carries a slot that only the sender fills.
    const mails = await shop.system.ctx.database
      .sql`select html, text from notifications where kind = 'sign_in' and recipient = ${OWNER}`;
    expect(mails.length).toBeGreaterThan(0);
    for (const mail of mails) {
      expect(`${mail.html}${mail.text}`).not.toContain(token);
      expect(mail.text).toContain('/app/sign-in/sign-in-token');
    }

    // A mail scanner opens every link: it sees a button, and nothing happens.
    for (let i = 0; i < 3; i++) {
      const page = await consoleAgent(shop).get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<form method="post" action="${link}"`);
    }
    expect(await sessions(shop)).toBe(0);

    const done = await agent.submit(link, link);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/app');
    const cookie = done.cookies.find((c) => c.name === 'sf_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/app' });
    expect(cookie?.secure).toBeFalsy();
    const home = await agent.get('/app');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Signed in as owner@shop.test');
    expect(await sessions(shop)).toBe(1);

    // Replayed: the button of the same link, from another browser.
    const replay = await consoleAgent(shop).postFrom('/app/sign-in', link);
    expect(replay.statusCode).toBe(410);
    expect(replay.body).toContain('already used');
    expect(await sessions(shop)).toBe(1);

    const audit = await shop.system.ctx.database
      .sql`select action, actor_label from audit_log where action = 'sign_in'`;
    expect(audit).toEqual([
      { action: 'sign_in', actor_label: OWNER },
      { action: 'sign_in', actor_label: OWNER },
    ]);
  });

  test('an expired link is refused and signs nobody in', async ({ shop, smtp }) => {
    await signedInOwner(shop, smtp);
    await shop.system.ctx.database.sql`update sessions set revoked_at = now()`;
    const agent = consoleAgent(shop);
    const before = smtp.messages.length;
    await agent.submit('/app/sign-in', '/app/sign-in', { email: OWNER });
    const link = await linkFromMail(smtp, OWNER, before);
    expect((await agent.get(link)).statusCode).toBe(200);
    await shop.system.ctx.database
      .sql`update sign_in_links set expires_at = now() - interval '1 second' where used_at is null`;
    expect((await agent.get(link)).statusCode).toBe(410);
    const res = await agent.postFrom('/app/sign-in', link);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('expired');
    expect(await sessions(shop)).toBe(0);
  });

  test('an unknown address gets the same page as a known one, and no email', async ({ shop, smtp }) => {
    await signedInOwner(shop, smtp);
    const known = await consoleAgent(shop).submit('/app/sign-in', '/app/sign-in', { email: OWNER });
    const unknown = await consoleAgent(shop).submit('/app/sign-in', '/app/sign-in', {
      email: 'nobody@shop.test',
    });
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body.replace('nobody@shop.test', OWNER)).toBe(known.body);
    await queuesIdle(shop.system.ctx.queues);
    expect(smtp.messages.filter((m) => m.to.includes('nobody@shop.test'))).toEqual([]);
  });

  test('every console route is schema-first and in the OpenAPI document', async ({ shop }) => {
    expect(shop.system.app.schemaGaps).toEqual([]);
    const doc = (await shop.system.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/app', '/app/sign-in', '/app/sign-in/{token}', '/app/team', '/app/team/invite']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const css = await shop.system.app.inject({ method: 'GET', url: '/app' });
    const href = /href="(\/app\/assets\/console\.[0-9a-f]{12}\.css)"/.exec(
      (await shop.system.app.inject({ method: 'GET', url: '/app/sign-in' })).body,
    )?.[1];
    expect(css.headers['content-security-policy']).toContain("default-src 'none'");
    const asset = await shop.system.app.inject({ method: 'GET', url: String(href) });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  test('bad input names the field; a link we never sent is a 404 page', async ({ shop }) => {
    const agent = consoleAgent(shop);
    const res = await agent.submit('/app/sign-in', '/app/sign-in', { email: 'not an address' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('email');
    const json = await shop.system.app.inject({
      method: 'GET',
      url: '/app/sign-in/x',
      headers: { accept: 'application/json' },
    });
    expect(json.statusCode).toBe(404);
    expect((await agent.get(`/app/sign-in/${'A'.repeat(43)}`)).statusCode).toBe(404);
  });

  test('links are limited per address (the same for unknown ones) and per client address', async ({
    shopWith,
  }) => {
    const shop = await shopWith({ env: { SIGN_IN_LIMIT_PER_EMAIL: '2', SIGN_IN_LIMIT_PER_CLIENT: '5' } });
    const ask = (email: string) => consoleAgent(shop).submit('/app/sign-in', '/app/sign-in', { email });
    const statuses = async (email: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await ask(email)).statusCode);
      return out;
    };
    expect(await statuses('a@shop.test', 3)).toEqual([200, 200, 429]);
    expect(await statuses('b@shop.test', 3)).toEqual([200, 200, 429]);
    // Six asked from this client so far (refused ones count too): past its five.
    const limited = await ask('c@shop.test');
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many');
  });
});

describe('sessions', () => {
  test('a form posted without its CSRF token is refused and changes nothing', async ({ shop, smtp }) => {
    const owner = await signedInOwner(shop, smtp);
    const forged = await owner.postWithoutToken('/app/sign-out');
    expect(forged.statusCode).toBe(403);
    expect((await owner.get('/app')).statusCode).toBe(200);
    const invite = await owner.postWithoutToken('/app/team/invite', { email: 'x@shop.test', role: 'admin' });
    expect(invite.statusCode).toBe(403);
    expect(await shop.system.ctx.database.sql`select 1 from users where email = 'x@shop.test'`).toHaveLength(
      0,
    );
    const signInForged = await consoleAgent(shop).postWithoutToken('/app/sign-in', { email: OWNER });
    expect(signInForged.statusCode).toBe(403);
  });

  test('sign out ends this session; sign out everywhere ends all of them', async ({ shop, smtp }) => {
    const phone = await signedInOwner(shop, smtp);
    const laptop = await signIn(shop, smtp, OWNER);
    const tablet = await signIn(shop, smtp, OWNER);
    const out = await phone.submit('/app', '/app/sign-out');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/app/sign-in');
    expect((await phone.get('/app')).headers.location).toBe('/app/sign-in');
    expect((await laptop.get('/app')).statusCode).toBe(200);

    expect((await laptop.submit('/app', '/app/sign-out-everywhere')).statusCode).toBe(303);
    expect((await laptop.get('/app')).statusCode).toBe(303);
    expect((await tablet.get('/app')).statusCode).toBe(303);
  });

  test('a session idle past SESSION_IDLE_MINUTES, or past SESSION_MAX_DAYS, is over', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({ env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_DAYS: '1' } });
    const owner = await signedInOwner(shop, smtp);
    expect((await owner.get('/app')).statusCode).toBe(200);
    await shop.system.ctx.database.sql`update sessions set last_seen_at = now() - interval '31 minutes'`;
    expect((await owner.get('/app')).statusCode).toBe(303);

    const again = await signIn(shop, smtp, OWNER);
    const [row] = await shop.system.ctx.database
      .sql`select expires_at - created_at as span from sessions where revoked_at is null order by created_at desc limit 1`;
    expect(row?.span).toBe('1 day');
    await shop.system.ctx.database.sql`update sessions set expires_at = now() - interval '1 second'`;
    expect((await again.get('/app')).statusCode).toBe(303);
  });

  test('a session cookie is Secure when PUBLIC_URL is https', async ({ shopWith, smtp }) => {
    const shop = await shopWith({ env: { PUBLIC_URL: 'https://feedback.shop.test' } });
    await signedInOwner(shop, smtp).catch(() => undefined);
    const agent = consoleAgent(shop);
    const before = smtp.messages.length;
    await agent.submit('/app/sign-in', '/app/sign-in', { email: OWNER });
    const link = new URL(`https://x${await linkFromMail(smtp, OWNER, before)}`).pathname;
    const done = await agent.submit(link, link);
    expect(done.cookies.find((c) => c.name === 'sf_session')?.secure).toBe(true);
  });
});
