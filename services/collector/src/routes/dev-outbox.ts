// /dev/outbox: every message the dev outbox kept instead of sending (only when no SMTP server is configured).
import { type AppContext, html, schema } from '@surveyflow/core';
import type { HttpApp } from '@surveyflow/http';
import { desc } from 'drizzle-orm';
import { z } from 'zod';
import { htmlPage } from './responses.ts';

const LIMIT = 100;

/** The links a reader could click, in order, without duplicates (from the HTML part, else the text). */
export function linksIn(body: { html: string | null; text: string }): string[] {
  const fromHtml = [...(body.html ?? '').matchAll(/href="([^"]+)"/g)].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&'),
  );
  const found = fromHtml.length
    ? fromHtml
    : [...body.text.matchAll(/https?:\/\/[^\s<>"\])]+/g)].map((m) => m[0]);
  return [...new Set(found.filter((l) => /^https?:\/\//.test(l)))];
}

const OutboxMessage = z.object({
  id: z.int(),
  channel: z.string(),
  messageId: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string().nullable(),
  text: z.string(),
  html: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  /** The links a reader could click, in order (what a test follows). */
  links: z.array(z.string()),
  createdAt: z.iso.datetime(),
});

export function devOutboxRoutes(app: HttpApp, ctx: AppContext) {
  // Texts kept here can be answered from here (POST /dev/sms/reply), standing in for the phone.
  const smsReplies = ctx.config.SMS_DEV_OUTBOX;
  const latest = async () => {
    const rows = await ctx.database.db
      .select()
      .from(schema.devOutbox)
      .orderBy(desc(schema.devOutbox.id))
      .limit(LIMIT);
    return rows.map((m) => ({
      id: m.id,
      channel: m.channel,
      messageId: m.messageId,
      from: m.sender,
      to: m.recipient,
      subject: m.subject,
      text: m.text,
      html: m.html,
      headers: m.headers,
      links: linksIn(m),
      createdAt: m.createdAt,
    }));
  };

  app.get(
    '/dev/outbox.json',
    {
      schema: {
        tags: ['dev'],
        summary: `The last ${LIMIT} messages kept instead of sent, newest first`,
        response: { 200: z.object({ messages: z.array(OutboxMessage) }).describe('Newest first') },
      },
    },
    async () => ({
      messages: (await latest()).map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    }),
  );

  const page = {
    schema: {
      tags: ['dev'],
      summary: 'The dev outbox as a page: mail rendered, texts answerable',
      response: { 200: htmlPage(`The last ${LIMIT} messages, newest first`) },
    },
  };
  app.get('/dev/outbox', page, async (_request, reply) => {
    const messages = await latest();
    const items = messages.map(
      (m) => html`<article>
        <header><strong>${m.subject ?? (m.channel === 'sms' ? 'Text message' : '(no subject)')}</strong><span>${m.channel} · to ${m.to} · ${m.createdAt.toISOString()}</span></header>
        ${m.html ? html`<iframe sandbox title="${m.subject ?? ''}" srcdoc="${m.html}"></iframe>` : html`<pre>${m.text}</pre>`}
        ${m.channel === 'sms' && smsReplies ? html`<form method="post" action="/dev/sms/reply" class="reply"><input type="hidden" name="from" value="${m.to}"><input name="body" placeholder="Reply as ${m.to} (a score, a reason, STOP, HELP…)" required><button>Reply</button></form>` : ''}
        <details><summary>Text part and links</summary><pre>${m.text}</pre>
          <ul>${m.links.map((l) => html`<li><a href="${l}">${l}</a></li>`)}</ul></details>
      </article>`,
    );
    return reply.type('text/html; charset=utf-8').send(
      String(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev outbox · Surveyflow</title><style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1f2430}
main{max-width:760px;margin:0 auto;padding:24px 16px}
article{background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002;margin:0 0 20px;overflow:hidden}
article header{padding:12px 16px;border-bottom:1px solid #e6e8ec;display:flex;flex-direction:column}
article header span{color:#666;font-size:13px}
iframe{width:100%;height:720px;border:0}
details{padding:8px 16px 12px;border-top:1px solid #e6e8ec}
pre{white-space:pre-wrap;font-size:13px;padding:0 16px}
details pre{padding:0}
form.reply{display:flex;gap:8px;padding:0 16px 12px}
form.reply input[name=body]{flex:1;padding:8px;border:1px solid #ccd;border-radius:6px;font:inherit}
form.reply button{padding:8px 14px;border:0;border-radius:6px;background:#4f46e5;color:#fff;font:inherit}
</style></head><body><main><h1>Dev outbox</h1>
<p>Nothing here was sent: set <code>SMTP_URL</code> to deliver mail and the <code>TWILIO_*</code> settings to send texts. Newest first; JSON at <a href="/dev/outbox.json">/dev/outbox.json</a>.</p>
${items.length ? items : html`<p>No messages yet. Send an event to <code>POST /v1/events</code>.</p>`}
</main></body></html>`),
    );
  });
}
