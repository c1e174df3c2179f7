// Surveys and triggers (/app/surveys…, /app/triggers…): look (everyone), create and change (surveys.manage), preview what
// the actions send, and try a trigger on an event as the form stands. Saves go through the core use cases behind
// /v1/surveys and /v1/triggers and the very schemas those routes validate with, so a bad field is a 400 naming it.
import {
  type AppContext,
  AppError,
  createSurvey,
  createTrigger,
  defaultActions,
  defaultFollowupQuestion,
  deleteTrigger,
  dryRunTrigger,
  type ErrorDetail,
  eventView,
  getSurvey,
  getTrigger,
  getWorkspace,
  type IncomingEvent,
  type Locale,
  listEvents,
  listSurveys,
  listTriggers,
  previewFollowUps,
  requirePublicUrl,
  roleAllows,
  type SurveyAction,
  type SurveyKind,
  updateSurvey,
  updateTrigger,
} from '@surveyflow/core';
import {
  cancelNeedsKey,
  cancelNeedsKeyIssue,
  EventInput,
  type HttpApp,
  issuesToDetails,
  SurveyInput,
  SurveyPatch,
  TriggerInput,
  TriggerPatch,
  text,
  toAppError,
  toIncomingEvent,
  uuid,
} from '@surveyflow/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { localizedErrors } from '../error-words.ts';
import { type FieldErrors, fieldErrors, surveyPage, surveysPage } from '../pages/surveys.tsx';
import { t } from '../pages/surveys.words.ts';
import { type DryRunResult, dryRunFragment, triggerPage } from '../pages/triggers.tsx';
import { actorOf, localeOf, type Member, memberOf, memberWith, needSession } from '../scope.ts';
import { formErrors, htmlPage, redirect } from './shapes.ts';
import {
  applyFormOp,
  type Form,
  formFieldOf,
  newTriggerDraft,
  type SurveyDraft,
  surveyBody,
  surveyDraft,
  surveyDraftFromForm,
  type TriggerDraft,
  triggerBody,
  triggerDraft,
  triggerDraftFromForm,
} from './survey-forms.ts';

const member = memberOf;

/** The operator, allowed to change surveys and triggers (admins and owners); everyone else may only look. */
const manager = (request: FastifyRequest) =>
  memberWith(request, 'surveys.manage', 'change surveys or triggers');

/** A posted form: every field a bounded string (checkboxes: a list); what each means is the draft's business. */
const FormBody = z.record(z.string().max(100), z.union([text(20_000), z.array(text(2_000)).max(20)]));
const SurveyParams = z.object({ surveyId: uuid });
const TriggerParams = z.object({ triggerId: uuid });
const Done = z.enum(['created', 'saved', 'deleted']).optional().catch(undefined);
const PageQuery = z.object({ done: Done });
const NewTriggerQuery = z.object({ survey: uuid.optional().catch(undefined) });
const TryQuery = z.object({ fragment: z.enum(['1']).optional().catch(undefined) });

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').send(body);

/** What a refused save says: AppError details (a Slack URL, a survey id), as field errors. */
const detailsOf = (err: unknown): ErrorDetail[] | null => {
  const mapped = toAppError(err);
  return mapped.kind === 'invalid' && mapped.details?.length ? mapped.details : null;
};

const sampleContact = (locale: Locale) => ({
  externalId: 'cust-42',
  name: 'Jane Doe',
  email: 'jane@example.com',
  phone: '+48600100200',
  locale,
});

export function surveyRoutes(app: HttpApp, ctx: AppContext) {
  const signedIn = needSession(ctx);
  const tags = ['console'];

  /** Slack webhooks are requests we make on a tenant's say-so: public https hosts only (as /v1/surveys). */
  async function requireSlackUrls(actions: readonly SurveyAction[]) {
    for (const [i, action] of actions.entries()) {
      if (action.type === 'alert' && action.slackWebhookUrl) {
        await requirePublicUrl(
          action.slackWebhookUrl,
          `actions[${i}].slackWebhookUrl`,
          ctx.config.OUTBOUND_ALLOW_PRIVATE,
        );
      }
    }
  }

  const triggersBySurvey = async (workspaceId: string) => {
    const all = await listTriggers(ctx.database, workspaceId);
    return (surveyId: string) =>
      all
        .filter((tr) => tr.surveyId === surveyId)
        .map((tr) => ({ id: tr.id, name: tr.name, enabled: tr.enabled, eventTypes: tr.eventTypes }));
  };

  /** The survey form page, with the preview of what `actions` send (null: none shown). */
  async function renderSurvey(
    request: FastifyRequest,
    reply: FastifyReply,
    opts: {
      status: number;
      surveyId: string | null;
      draft: SurveyDraft;
      errors: FieldErrors;
      actions: readonly SurveyAction[] | null;
      previewUnsaved: boolean;
      notice?: string | undefined;
    },
  ) {
    const session = member(request);
    const locale = localeOf(request);
    const workspace = await getWorkspace(ctx.database, session.workspace.workspaceId);
    if (!workspace) throw AppError.notFound('Workspace');
    const contact = sampleContact(locale);
    const preview = opts.actions
      ? previewFollowUps({
          survey: { kind: opts.draft.kind as SurveyKind, name: opts.draft.name, actions: opts.actions },
          workspace,
          contact,
          comment: t(locale, 'sampleComment'),
          publicUrl: ctx.config.PUBLIC_URL,
          answeredAt: ctx.clock.now(),
        })
      : null;
    const triggers = opts.surveyId
      ? (await triggersBySurvey(session.workspace.workspaceId))(opts.surveyId)
      : [];
    return html(
      reply,
      opts.status,
      surveyPage({
        locale,
        session,
        csrf: reply.generateCsrf(),
        surveyId: opts.surveyId,
        draft: opts.draft,
        canManage: roleAllows(session.workspace.role, 'surveys.manage'),
        triggers,
        // Core's and the schemas' English rule errors, in the operator's language (the API keeps them English).
        errors: localizedErrors(localeOf(request), opts.errors),
        preview,
        previewUnsaved: opts.previewUnsaved,
        sample: { name: contact.name, email: contact.email, locale },
        notice: opts.notice,
      }),
    );
  }

  /**
   * A posted survey form, validated by the API's own schema: POST's for a new survey (`input`), PATCH's for a
   * stored one (`patch`, its kind fixed), or the field errors.
   */
  async function readSurveyForm(form: Form, stored: { kind: SurveyKind } | null) {
    const op = typeof form.op === 'string' ? form.op : '';
    // An "add" or "remove" button: the form comes back changed (its errors wait for a save or a preview).
    const draft = op ? applyFormOp(surveyDraftFromForm(form), op, form) : surveyDraftFromForm(form);
    if (stored) draft.kind = stored.kind;
    const { body, errors } = surveyBody(draft, { creating: !stored });
    const details = [...errors];
    let input: z.output<typeof SurveyInput> | null = null;
    let patch: z.output<typeof SurveyPatch> | null = null;
    if (stored) {
      const { kind: _kind, ...changes } = body;
      const r = SurveyPatch.safeParse(changes);
      if (r.success) patch = r.data;
      else details.push(...issuesToDetails(r.error));
    } else {
      const r = SurveyInput.safeParse(body);
      if (r.success) input = r.data;
      else details.push(...issuesToDetails(r.error));
    }
    const actions = input?.actions ?? patch?.actions;
    if (actions) {
      try {
        await requireSlackUrls(actions);
      } catch (err) {
        const found = detailsOf(err);
        if (!found) throw err;
        details.push(...found);
      }
    }
    const ok = details.length === 0;
    return { draft, input: ok ? input : null, patch: ok ? patch : null, details, op };
  }

  app.get(
    '/app/surveys',
    {
      schema: {
        tags,
        summary: 'The surveys with their triggers (everyone looks; admins and owners change)',
        querystring: PageQuery,
        response: { 200: htmlPage('The surveys page'), 303: redirect('Not signed in') },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const locale = localeOf(request);
      const ws = session.workspace.workspaceId;
      const [surveys, triggersOf] = await Promise.all([listSurveys(ctx.database, ws), triggersBySurvey(ws)]);
      return html(
        reply,
        200,
        surveysPage({
          locale,
          session,
          surveys: surveys.map((s) => ({
            id: s.id,
            name: s.name,
            kind: s.kind,
            question: s.question,
            triggers: triggersOf(s.id),
          })),
          canManage: roleAllows(session.workspace.role, 'surveys.manage'),
          notice: request.query.done === 'deleted' ? t(locale, 'deleted') : undefined,
        }),
      );
    },
  );

  const emptySurvey = (): SurveyDraft => ({
    name: '',
    kind: 'nps',
    question: { en: 'How likely are you to recommend {company} to a friend?' },
    followupQuestion: { ...defaultFollowupQuestion },
    questions: [],
    actions: [],
    rollupProperties: '',
  });

  app.get(
    '/app/surveys/new',
    {
      schema: {
        tags,
        summary: 'The form for a new survey (admins and owners)',
        response: {
          200: htmlPage('The new survey form'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      manager(request);
      return renderSurvey(request, reply, {
        status: 200,
        surveyId: null,
        draft: emptySurvey(),
        errors: new Map(),
        actions: defaultActions('nps'),
        previewUnsaved: false,
      });
    },
  );

  const formRoute = (summary: string, extra: Record<string, unknown> = {}) => ({
    schema: {
      tags,
      summary,
      consumes: ['application/x-www-form-urlencoded'],
      body: FormBody,
      response: { 200: htmlPage('The form again'), 303: redirect('Saved'), ...formErrors, ...extra },
    },
    preValidation: app.csrfProtection,
    preHandler: signedIn,
  });

  app.post('/app/surveys', formRoute('Creates a survey as POST /v1/surveys does'), async (request, reply) => {
    const session = manager(request);
    const { draft, input: parsed, details } = await readSurveyForm(request.body, null);
    if (!parsed) {
      return renderSurvey(request, reply, {
        status: 400,
        surveyId: null,
        draft,
        errors: fieldErrors(details),
        actions: null,
        previewUnsaved: false,
      });
    }
    const survey = await createSurvey(
      ctx.database,
      session.workspace.workspaceId,
      {
        ...parsed,
        followupQuestion: parsed.followupQuestion ?? defaultFollowupQuestion,
        actions: parsed.actions ?? defaultActions(parsed.kind),
      },
      actorOf(session),
    );
    return reply.redirect(`/app/surveys/${survey.id}?done=created`, 303);
  });

  app.post(
    '/app/surveys/new/preview',
    formRoute(
      'Shows what a new survey’s actions would send; stores nothing. With op (add-action, remove-action:i, add-question, remove-question:i, add-option:i, remove-option:i:j) the form comes back with that row added or removed',
    ),
    async (request, reply) => {
      manager(request);
      const { draft, input: parsed, details, op } = await readSurveyForm(request.body, null);
      return renderSurvey(request, reply, {
        status: parsed || op ? 200 : 400,
        surveyId: null,
        draft,
        errors: op ? new Map() : fieldErrors(details),
        actions: parsed ? (parsed.actions ?? defaultActions(parsed.kind)) : null,
        previewUnsaved: true,
      });
    },
  );

  app.get(
    '/app/surveys/:surveyId',
    {
      schema: {
        tags,
        summary:
          'One survey: its form (read-only without surveys.manage), its triggers, what its actions send',
        params: SurveyParams,
        querystring: PageQuery,
        response: {
          200: htmlPage('The survey page'),
          303: redirect('Not signed in'),
          404: htmlPage('No such survey'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const survey = await getSurvey(ctx.database, session.workspace.workspaceId, request.params.surveyId);
      if (!survey) throw AppError.notFound(`Survey ${request.params.surveyId}`);
      const locale = localeOf(request);
      const { done } = request.query;
      return renderSurvey(request, reply, {
        status: 200,
        surveyId: survey.id,
        draft: surveyDraft(survey),
        errors: new Map(),
        actions: survey.actions,
        previewUnsaved: false,
        notice: done === 'created' ? t(locale, 'created') : done === 'saved' ? t(locale, 'saved') : undefined,
      });
    },
  );

  const surveyFormRoute = (summary: string) => {
    const base = formRoute(summary, { 404: htmlPage('No such survey') });
    return { ...base, schema: { ...base.schema, params: SurveyParams } };
  };

  const storedSurvey = async (session: Member, id: string) => {
    const survey = await getSurvey(ctx.database, session.workspace.workspaceId, id);
    if (!survey) throw AppError.notFound(`Survey ${id}`);
    return survey;
  };

  app.post(
    '/app/surveys/:surveyId',
    surveyFormRoute('Changes a survey as PATCH /v1/surveys/:id does (not its kind)'),
    async (request, reply) => {
      const session = manager(request);
      const stored = await storedSurvey(session, request.params.surveyId);
      const { draft, patch, details } = await readSurveyForm(request.body, stored);
      if (!patch) {
        return renderSurvey(request, reply, {
          status: 400,
          surveyId: stored.id,
          draft,
          errors: fieldErrors(details),
          actions: null,
          previewUnsaved: false,
        });
      }
      await updateSurvey(ctx.database, session.workspace.workspaceId, stored.id, patch, actorOf(session));
      return reply.redirect(`/app/surveys/${stored.id}?done=saved`, 303);
    },
  );

  app.post(
    '/app/surveys/:surveyId/preview',
    surveyFormRoute(
      'Shows what the survey’s actions, as edited, would send; stores nothing. With op, the form comes back with a row added or removed (as for a new survey)',
    ),
    async (request, reply) => {
      const session = manager(request);
      const stored = await storedSurvey(session, request.params.surveyId);
      const { draft, patch, details, op } = await readSurveyForm(request.body, stored);
      return renderSurvey(request, reply, {
        status: patch || op ? 200 : 400,
        surveyId: stored.id,
        draft,
        errors: op ? new Map() : fieldErrors(details),
        actions: patch ? (patch.actions ?? stored.actions) : null,
        previewUnsaved: true,
      });
    },
  );

  // ——— Triggers ———

  async function renderTrigger(
    request: FastifyRequest,
    reply: FastifyReply,
    opts: {
      status: number;
      triggerId: string | null;
      draft: TriggerDraft;
      errors: FieldErrors;
      picked?: string;
      pasted?: string;
      result?: DryRunResult;
      notice?: string | undefined;
    },
  ) {
    const session = member(request);
    const ws = session.workspace.workspaceId;
    const [workspace, surveys, recent] = await Promise.all([
      getWorkspace(ctx.database, ws),
      listSurveys(ctx.database, ws),
      listEvents(ctx.database, ws, { limit: 25 }),
    ]);
    return html(
      reply,
      opts.status,
      triggerPage({
        locale: localeOf(request),
        session,
        csrf: reply.generateCsrf(),
        triggerId: opts.triggerId,
        draft: opts.draft,
        surveys: surveys.map((s) => ({ id: s.id, name: s.name })),
        canManage: roleAllows(session.workspace.role, 'surveys.manage'),
        // Core's and the schemas' English rule errors, in the operator's language (the API keeps them English).
        errors: localizedErrors(localeOf(request), opts.errors),
        quietHours: workspace?.quietHours
          ? { ...workspace.quietHours, channels: workspace.quietHoursChannels }
          : null,
        recentEvents: recent.map((e) => ({
          id: e.externalId,
          type: e.type,
          contact: e.contactExternalId,
          at: e.receivedAt,
        })),
        picked: opts.picked ?? '',
        pasted: opts.pasted ?? '',
        result: opts.result ?? { kind: 'none' },
        now: ctx.clock.now(),
        notice: opts.notice,
      }),
    );
  }

  const requireSurvey = async (workspaceId: string, surveyId: string) => {
    if (!(await getSurvey(ctx.database, workspaceId, surveyId))) {
      throw AppError.validation([{ field: 'surveyId', message: 'no survey with this id in your workspace' }]);
    }
  };

  app.get(
    '/app/triggers/new',
    {
      schema: {
        tags,
        summary: 'The form for a new trigger of a survey (admins and owners)',
        querystring: NewTriggerQuery,
        response: {
          200: htmlPage('The new trigger form'),
          303: redirect('Not signed in'),
          403: formErrors[403],
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      const surveys = await listSurveys(ctx.database, session.workspace.workspaceId);
      const surveyId = surveys.find((s) => s.id === request.query.survey)?.id ?? surveys[0]?.id;
      if (!surveyId) return reply.redirect('/app/surveys/new', 303);
      return renderTrigger(request, reply, {
        status: 200,
        triggerId: null,
        draft: newTriggerDraft(surveyId),
        errors: new Map(),
      });
    },
  );

  /** A posted trigger form, validated by the API's schema (create: with its defaults; change: every field). */
  function readTriggerForm(form: Form, creating: boolean) {
    const draft = triggerDraftFromForm(form);
    const { body, errors } = triggerBody(draft);
    const details = [...errors];
    const r = creating ? TriggerInput.safeParse(body) : TriggerPatch.safeParse(body);
    if (!r.success) details.push(...issuesToDetails(r.error));
    return { draft, data: details.length || !r.success ? null : r.data, details };
  }

  const triggerErrors = (details: ErrorDetail[]) => fieldErrors(details, formFieldOf);

  app.post(
    '/app/triggers',
    formRoute('Creates a trigger as POST /v1/triggers does'),
    async (request, reply) => {
      const session = manager(request);
      const ws = session.workspace.workspaceId;
      const { draft, data, details } = readTriggerForm(request.body, true);
      let saved: { id: string } | null = null;
      if (data && 'surveyId' in data && data.surveyId) {
        const input = data as z.output<typeof TriggerInput>;
        try {
          await requireSurvey(ws, input.surveyId);
          saved = await createTrigger(
            ctx.database,
            ws,
            { ...input, name: input.name ?? `${input.eventTypes.join(', ')} → survey` },
            actorOf(session),
          );
        } catch (err) {
          const found = detailsOf(err);
          if (!found) throw err;
          details.push(...found);
        }
      }
      if (!saved) {
        return renderTrigger(request, reply, {
          status: 400,
          triggerId: null,
          draft,
          errors: triggerErrors(details),
        });
      }
      return reply.redirect(`/app/triggers/${saved.id}?done=created`, 303);
    },
  );

  const storedTrigger = async (session: Member, id: string) => {
    const trigger = await getTrigger(ctx.database, session.workspace.workspaceId, id);
    if (!trigger) throw AppError.notFound(`Trigger ${id}`);
    return trigger;
  };

  app.get(
    '/app/triggers/:triggerId',
    {
      schema: {
        tags,
        summary: 'One trigger: its form (read-only without surveys.manage) and the dry run',
        params: TriggerParams,
        querystring: PageQuery,
        response: {
          200: htmlPage('The trigger page'),
          303: redirect('Not signed in'),
          404: htmlPage('No such trigger'),
        },
      },
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = member(request);
      const trigger = await storedTrigger(session, request.params.triggerId);
      const locale = localeOf(request);
      const { done } = request.query;
      return renderTrigger(request, reply, {
        status: 200,
        triggerId: trigger.id,
        draft: triggerDraft(trigger),
        errors: new Map(),
        notice:
          done === 'created'
            ? t(locale, 'triggerCreated')
            : done === 'saved'
              ? t(locale, 'triggerSaved')
              : undefined,
      });
    },
  );

  const triggerFormRoute = (summary: string) => {
    const base = formRoute(summary, { 404: htmlPage('No such trigger') });
    return { ...base, schema: { ...base.schema, params: TriggerParams } };
  };

  app.post(
    '/app/triggers/:triggerId',
    triggerFormRoute('Changes a trigger as PATCH /v1/triggers/:id does'),
    async (request, reply) => {
      const session = manager(request);
      const ws = session.workspace.workspaceId;
      const stored = await storedTrigger(session, request.params.triggerId);
      const { draft, data, details } = readTriggerForm(request.body, false);
      if (data) {
        if (!cancelNeedsKey({ ...stored, ...data }))
          details.push({ field: 'cancelOn', message: cancelNeedsKeyIssue.message });
        try {
          if (data.surveyId && details.length === 0) await requireSurvey(ws, data.surveyId);
        } catch (err) {
          const found = detailsOf(err);
          if (!found) throw err;
          details.push(...found);
        }
      }
      if (!data || details.length > 0) {
        return renderTrigger(request, reply, {
          status: 400,
          triggerId: stored.id,
          draft,
          errors: triggerErrors(details),
        });
      }
      await updateTrigger(ctx.database, ws, stored.id, data, actorOf(session));
      return reply.redirect(`/app/triggers/${stored.id}?done=saved`, 303);
    },
  );

  /** The event to try: pasted JSON (as POST /v1/events takes it) wins over a picked recent one. */
  async function eventToTry(
    ws: string,
    form: Form,
    now: Date,
  ): Promise<{ event: IncomingEvent } | { result: DryRunResult }> {
    const pasted = String(form.eventJson ?? '').trim();
    if (pasted) {
      let raw: unknown;
      try {
        raw = JSON.parse(pasted);
      } catch (err) {
        return { result: { kind: 'bad_event', fields: [`JSON: ${(err as Error).message}`] } };
      }
      const parsed = EventInput.safeParse(raw);
      if (!parsed.success) {
        return {
          result: {
            kind: 'bad_event',
            fields: issuesToDetails(parsed.error).map((d) => `${d.field}: ${d.message}`),
          },
        };
      }
      try {
        return { event: toIncomingEvent(parsed.data, now) };
      } catch (err) {
        const found = detailsOf(err);
        if (!found) throw err;
        return { result: { kind: 'bad_event', fields: found.map((d) => `${d.field}: ${d.message}`) } };
      }
    }
    const picked = String(form.event ?? '').trim();
    if (!picked) return { result: { kind: 'none' } };
    const view = await eventView(ctx.database, ws, picked);
    if (!view) return { result: { kind: 'event_gone' } };
    const c = view.contact;
    const known = <T>(v: T | null) => v ?? undefined;
    return {
      event: {
        id: view.id,
        type: view.type,
        occurredAt: view.occurredAt,
        properties: view.properties,
        contact: {
          id: c.id,
          email: known(c.email),
          phone: known(c.phone),
          name: known(c.name),
          locale: known(c.locale),
          timezone: known(c.timezone),
        },
      },
    };
  }

  /**
   * The dry run of the form as it stands: a stored trigger's (its edits stand in for the stored fields) or a new
   * one's (triggerId null: the form is all of it), through dryRunTrigger as POST /v1/triggers/:id/test.
   */
  async function tryTrigger(
    request: FastifyRequest,
    reply: FastifyReply,
    triggerId: string | null,
    form: Form,
    fragment: boolean,
  ) {
    const session = manager(request);
    const ws = session.workspace.workspaceId;
    const locale = localeOf(request);
    const now = ctx.clock.now();
    const { draft, data, details } = readTriggerForm(form, triggerId === null);
    if (data && triggerId === null) {
      try {
        await requireSurvey(ws, (data as z.output<typeof TriggerInput>).surveyId);
      } catch (err) {
        const found = detailsOf(err);
        if (!found) throw err;
        details.push(...found);
      }
    }
    const usable = details.length === 0 ? data : null;
    let result: DryRunResult;
    if (!usable) {
      result = { kind: 'form_errors', fields: [...new Set(details.map((d) => formFieldOf(d.field)))] };
    } else {
      const found = await eventToTry(ws, form, now);
      if ('result' in found) result = found.result;
      else {
        const decision = await dryRunTrigger(ctx.database, now, ws, triggerId, found.event, usable);
        if (!decision) throw AppError.notFound(`Trigger ${triggerId}`);
        result = { kind: 'decision', decision };
      }
    }
    if (fragment) {
      return html(reply, 200, dryRunFragment({ locale, result, now, zone: session.workspace.timezone }));
    }
    return renderTrigger(request, reply, {
      status: 200,
      triggerId,
      draft,
      errors: usable ? new Map() : triggerErrors(details),
      picked: String(form.event ?? ''),
      pasted: String(form.eventJson ?? ''),
      result,
    });
  }

  const tryDescription =
    'Dry run of the trigger as the form stands on a picked or pasted event; stores and sends nothing. With fragment=1, only the outcome (the page script asks so)';

  app.post(
    '/app/triggers/new/try',
    (() => {
      const base = formRoute(`${tryDescription}. A trigger not saved yet: the form is all of it`);
      return { ...base, schema: { ...base.schema, querystring: TryQuery } };
    })(),
    (request, reply) => tryTrigger(request, reply, null, request.body, Boolean(request.query.fragment)),
  );

  app.post(
    '/app/triggers/:triggerId/try',
    (() => {
      const base = triggerFormRoute(`${tryDescription}. The stored trigger with the form's edits`);
      return { ...base, schema: { ...base.schema, querystring: TryQuery } };
    })(),
    async (request, reply) => {
      const session = manager(request);
      const stored = await storedTrigger(session, request.params.triggerId);
      return tryTrigger(request, reply, stored.id, request.body, Boolean(request.query.fragment));
    },
  );

  app.post(
    '/app/triggers/:triggerId/delete',
    {
      schema: {
        tags,
        summary: 'Deletes a trigger as DELETE /v1/triggers/:id does (its decisions and invitations stay)',
        consumes: ['application/x-www-form-urlencoded'],
        params: TriggerParams,
        body: FormBody,
        response: { 303: redirect('Back to the surveys'), ...formErrors, 404: htmlPage('No such trigger') },
      },
      preValidation: app.csrfProtection,
      preHandler: signedIn,
    },
    async (request, reply) => {
      const session = manager(request);
      if (
        !(await deleteTrigger(
          ctx.database,
          session.workspace.workspaceId,
          request.params.triggerId,
          actorOf(session),
        ))
      )
        throw AppError.notFound(`Trigger ${request.params.triggerId}`);
      return reply.redirect('/app/surveys?done=deleted', 303);
    },
  );
}
