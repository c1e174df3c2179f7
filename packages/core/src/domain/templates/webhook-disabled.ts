// The email that tells a workspace its webhook endpoint was switched off, and how to switch it back on.
import { type RenderedEmail, textFromHtml } from './emails.ts';
import { html } from './html.ts';

export function webhookDisabledEmail(input: {
  workspaceName: string;
  webhookId: string;
  url: string;
  failures: number;
  lastFailure: string;
  disabledAt: Date;
}): RenderedEmail {
  const markup = String(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Webhook disabled</title></head>
<body style="font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2430;">
<p style="font-size:13px;color:#b91c1c;font-weight:700;text-transform:uppercase;">Webhook disabled</p>
<h1 style="font-size:20px;">We stopped sending events to ${input.url}</h1>
<p>The endpoint failed ${input.failures} attempts in a row; the last one: ${input.lastFailure}.
New events are not recorded for it, and deliveries that come due while it is off fail without being sent.</p>
<p>Once the endpoint answers with a 2xx again, switch it back on with
<code>POST /v1/webhooks/${input.webhookId}/enable</code>; the delivery log is at
<code>GET /v1/webhooks/${input.webhookId}/deliveries</code>.</p>
<p style="font-size:12px;color:#6b7280;">Sent by Surveyflow to ${input.workspaceName}'s alert address at ${input.disabledAt.toISOString()}.</p>
</body></html>`);
  return {
    subject: `Webhook disabled: ${input.url} — ${input.workspaceName}`,
    html: markup,
    text: textFromHtml(markup),
  };
}
