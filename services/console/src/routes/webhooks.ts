// Settings → Webhooks (/app/settings/webhooks): list, add (secret shown once), edit, disable or enable, remove, the delivery
// log with its cursors, and "Send test" — the core's own use cases, the same the /v1/webhooks API calls.
import {
  type AppContext,
  AppError,
  createWebhook,
  deleteWebhook,
  disableWebhook,
  enableWebhook,
  getWebhook,
  type Locale,
  listWebhookDeliveries,
  listWebhooks,
  requirePublicUrl,
  schema,
  sendTestWebhook,
  updateWebhook,
  webhookDeliveryStatus,
} from '@surveyflow/core';
import { type HttpApp, text, uuid } from '@surveyflow/http';
import { z } from 'zod';
import { errorText } from '../error-words.ts';
import { settingsTabsFor } from '../pages/parts.tsx';
import type { FieldErrors } from '../pages/settings.tsx';
import { webhookPage, webhooksPage } from '../pages/webhooks.tsx';
import { t } from '../pages/webhooks.words.ts';
import { actorOf, localeOf, type Member, mayDo, memberOf, needSession } from '../scope.ts';
import { csrfField, FormOnly, formErrors, htmlPage, redirect } from './shapes.ts';

/** Checkboxes: one ticked comes as a string, several as an array, none not at all. */
const EndpointBody = z.object({
  url: text(3000).default(''),
  eventTypes: z
    .union([text(50), z.array(text(50)).max(20)])
    .optional()
    .transform((v) => (v === undefined ? [] : [v].flat())),
  ...csrfField,
});
const urlRule = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000);
const eventsRule = z
  .array(z.enum(schema.webhookEventTypes))
  .min(1)
  .transform((types) => [...new Set(types)]);
const IdParams = z.object({ id: uuid });
const DetailQuery = z.object({
  cursor: text(500).optional(),
  done: z.enum(['saved', 'disabled', 'enabled', 'test']).optional().catch(undefined),
  test: z.enum(['delivered', 'failed', 'pending']).optional().catch(undefined),
  outcome: text(300).optional().catch(undefined),
});
const ListQuery = z.object({ done: z.enum(['removed']).optional().catch(undefined) });

/** How long "Send test" waits for the endpoint's answer before showing the page (the log says the rest). */
const TEST_WAIT_MS = 8_000;

const manager = (session: Member) => mayDo(session, 'webhooks.manage', 'manage webhooks');

export function webhookRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];
  const frame = (session: Member, locale: ReturnType<typeof localeOf>, csrf: string) => ({
    locale,
    session,
    csrf,
    tabs: settingsTabsFor(session.workspace.role),
  });

  /** The endpoint form checked by the API's rules; the URL must be a public host (as POST /v1/webhooks). */
  async function check(body: z.infer<typeof EndpointBody>, locale: Locale) {
    const errors: FieldErrors = {};
    const url = urlRule.safeParse(body.url.trim());
    if (!url.success) errors.url = errorText(locale, url.error.issues[0]?.message ?? 'not a URL');
    const events = eventsRule.safeParse(body.eventTypes);
    if (!events.success) errors.eventTypes = 'choose at least one event';
    if (url.success) {
      try {
        await requirePublicUrl(url.data, 'url', ctx.config.OUTBOUND_ALLOW_PRIVATE);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        errors.url = errorText(locale, err.details?.[0]?.message ?? err.message);
      }
    }
    return url.success && events.success && Object.keys(errors).length === 0
      ? { ok: true as const, url: url.data, eventTypes: events.data }
      : { ok: false as const, errors };
  }

  async function detail(session: Member, id: string, cursor: string | undefined) {
    const webhook = await getWebhook(ctx.database, session.workspace.workspaceId, id);
    if (!webhook) throw AppError.notFound(`Webhook ${id}`);
    const log = await listWebhookDeliveries(ctx.database, session.workspace.workspaceId, id, {
      limit: 20,
      cursor,
    });
    return { webhook, deliveries: log?.data ?? [], next: log?.next ?? null };
  }

  app.get(
    '/app/settings/webhooks',
    {
      schema: {
        tags,
        summary: "The workspace's webhook endpoints (admins and owners)",
        querystring: ListQuery,
        response: {
          200: htmlPage('The webhooks page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      manager(session);
      const locale = localeOf(request);
      return reply.type('text/html; charset=utf-8').send(
        webhooksPage({
          ...frame(session, locale, reply.generateCsrf()),
          webhooks: await listWebhooks(ctx.database, session.workspace.workspaceId),
          notice: request.query.done === 'removed' ? t(locale, 'removed') : undefined,
        }),
      );
    },
  );

  app.post(
    '/app/settings/webhooks',
    {
      schema: {
        tags,
        summary: 'Adds an endpoint; the answer shows its signing secret, once',
        consumes: ['application/x-www-form-urlencoded'],
        body: EndpointBody,
        response: { 200: htmlPage('The webhooks page with the new secret'), ...formErrors },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      manager(session);
      const locale = localeOf(request);
      const checked = await check(request.body, localeOf(request));
      const workspaceId = session.workspace.workspaceId;
      if (!checked.ok) {
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            webhooksPage({
              ...frame(session, locale, reply.generateCsrf()),
              webhooks: await listWebhooks(ctx.database, workspaceId),
              form: { url: request.body.url, events: request.body.eventTypes },
              errors: checked.errors,
            }),
          );
      }
      const created = await createWebhook(
        ctx.database,
        workspaceId,
        { url: checked.url, eventTypes: checked.eventTypes },
        actorOf(session),
      );
      return reply.type('text/html; charset=utf-8').send(
        webhooksPage({
          ...frame(session, locale, reply.generateCsrf()),
          webhooks: await listWebhooks(ctx.database, workspaceId),
          created: { url: created.url, secret: created.secret },
        }),
      );
    },
  );

  app.get(
    '/app/settings/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'One endpoint: its state, "Send test", its delivery log (paged), edit',
        params: IdParams,
        querystring: DetailQuery,
        response: {
          200: htmlPage('The endpoint page'),
          303: redirect('Not signed in'),
          403: formErrors[403],
          404: htmlPage('Not an endpoint of this workspace'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      manager(session);
      const locale = localeOf(request);
      const { cursor, done, test, outcome } = request.query;
      const notice =
        done === 'saved'
          ? t(locale, 'saved')
          : done === 'disabled'
            ? t(locale, 'disabledNotice')
            : done === 'enabled'
              ? t(locale, 'enabledNotice')
              : done === 'test' && test === 'delivered'
                ? t(locale, 'testDelivered', { outcome: outcome ?? '' })
                : done === 'test' && test === 'pending'
                  ? t(locale, 'testPending')
                  : undefined;
      const error =
        done === 'test' && test === 'failed'
          ? t(locale, 'testFailed', { outcome: outcome ?? '' })
          : undefined;
      return reply.type('text/html; charset=utf-8').send(
        webhookPage({
          ...frame(session, locale, reply.generateCsrf()),
          ...(await detail(session, request.params.id, cursor)),
          cursor,
          notice,
          error,
        }),
      );
    },
  );

  app.post(
    '/app/settings/webhooks/:id',
    {
      schema: {
        tags,
        summary: "Changes an endpoint's URL and events",
        consumes: ['application/x-www-form-urlencoded'],
        params: IdParams,
        body: EndpointBody,
        response: { 303: redirect('Back to the endpoint'), ...formErrors, 404: htmlPage('Not an endpoint') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = memberOf(request);
      manager(session);
      const { id } = request.params;
      const checked = await check(request.body, localeOf(request));
      if (!checked.ok) {
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            webhookPage({
              ...frame(session, localeOf(request), reply.generateCsrf()),
              ...(await detail(session, id, undefined)),
              form: { url: request.body.url, events: request.body.eventTypes },
              errors: checked.errors,
            }),
          );
      }
      const updated = await updateWebhook(
        ctx.database,
        session.workspace.workspaceId,
        id,
        { url: checked.url, eventTypes: checked.eventTypes },
        actorOf(session),
      );
      if (!updated) throw AppError.notFound(`Webhook ${id}`);
      return reply.redirect(`/app/settings/webhooks/${id}?done=saved`, 303);
    },
  );

  const action = (path: string, summary: string, run: (session: Member, id: string) => Promise<string>) =>
    app.post(
      `/app/settings/webhooks/:id/${path}`,
      {
        schema: {
          tags,
          summary,
          consumes: ['application/x-www-form-urlencoded'],
          params: IdParams,
          body: FormOnly,
          response: {
            303: redirect('Back to the endpoint'),
            ...formErrors,
            404: htmlPage('Not an endpoint'),
            409: htmlPage('Disabled'),
          },
        },
        preValidation: app.csrfProtection,
        preHandler: signedIn,
      },
      async (request, reply) => {
        const session = memberOf(request);
        manager(session);
        return reply.redirect(await run(session, request.params.id), 303);
      },
    );

  action(
    'disable',
    'Switches the endpoint off by hand (nothing is sent until it is enabled)',
    async (session, id) => {
      const w = await disableWebhook(
        ctx.database,
        session.workspace.workspaceId,
        id,
        `switched off by ${session.user.email}`,
        ctx.clock.now(),
        actorOf(session),
      );
      if (!w) throw AppError.notFound(`Webhook ${id}`);
      return `/app/settings/webhooks/${id}?done=disabled`;
    },
  );

  action('enable', 'Switches the endpoint back on with a clean slate', async (session, id) => {
    if (!(await enableWebhook(ctx.database, session.workspace.workspaceId, id, actorOf(session))))
      throw AppError.notFound(`Webhook ${id}`);
    return `/app/settings/webhooks/${id}?done=enabled`;
  });

  action('remove', 'Removes the endpoint with its delivery log', async (session, id) => {
    if (!(await deleteWebhook(ctx.database, session.workspace.workspaceId, id, actorOf(session))))
      throw AppError.notFound(`Webhook ${id}`);
    return '/app/settings/webhooks?done=removed';
  });

  // The same core function as POST /v1/webhooks/:id/test; the page waits a moment for the outcome, then shows the log.
  action('test', 'Sends a signed webhook.test event now and shows its outcome', async (session, id) => {
    const job = await sendTestWebhook(ctx.database, session.workspace.workspaceId, id, ctx.clock.now());
    await ctx.queues.add('webhook.deliver', job);
    const deadline = Date.now() + Math.min(TEST_WAIT_MS, ctx.config.WEBHOOK_TIMEOUT_MS + 2_000);
    let status = await webhookDeliveryStatus(ctx.database, job.deliveryId);
    while (status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await webhookDeliveryStatus(ctx.database, job.deliveryId);
    }
    const log = await listWebhookDeliveries(ctx.database, session.workspace.workspaceId, id, { limit: 1 });
    const last = log?.data.find((d) => d.id === job.deliveryId)?.log.at(-1);
    const outcome = last ? (last.statusCode !== null ? `HTTP ${last.statusCode}` : (last.error ?? '')) : '';
    const query = new URLSearchParams({
      done: 'test',
      test: status ?? 'pending',
      outcome: outcome.slice(0, 300),
    });
    return `/app/settings/webhooks/${id}?${query.toString()}`;
  });
}
