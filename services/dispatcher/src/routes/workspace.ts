// /v1/workspace: the settings of the key's own workspace: global contact rule, quiet hours, its own email rate, referral page.
import {
  type AppContext,
  getWorkspace,
  isValidTimeZone,
  newWebhookSecret,
  quietHoursSchema,
  updateWorkspace,
} from '@surveyflow/core';
import { parseInput } from '@surveyflow/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireSignedBody } from '../raw-json.ts';

const patchSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    alertEmail: z.email().nullable(),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Warsaw'),
    globalContactDays: z.number().int().min(0).max(365),
    emailRatePerSecond: z.number().int().min(1).max(10_000).nullable(),
    quietHours: quietHoursSchema.nullable(),
    quietHoursChannels: z.array(z.enum(['email', 'sms'])).max(2),
    /** Where promoters' referral links lead; the code is added as ?ref=. */
    referralUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).nullable(),
  })
  .partial()
  .strict();

const view = (w: NonNullable<Awaited<ReturnType<typeof getWorkspace>>>) => ({
  id: w.id,
  name: w.name,
  alertEmail: w.alertEmail,
  timezone: w.timezone,
  globalContactDays: w.globalContactDays,
  emailRatePerSecond: w.emailRatePerSecond,
  quietHours: w.quietHours,
  quietHoursChannels: w.quietHoursChannels,
  referralUrl: w.referralUrl,
  signedEvents: w.eventSigningSecret !== null,
});

export function workspaceRoutes(app: FastifyInstance, ctx: AppContext, forgetKeys: () => void) {
  app.get('/v1/workspace', async (request) => {
    const w = await getWorkspace(ctx.database, request.workspaceId);
    if (!w) throw new Error('authenticated workspace is gone');
    return view(w);
  });

  app.patch('/v1/workspace', async (request) => {
    const changes = parseInput(patchSchema, request.body);
    const w = await updateWorkspace(ctx.database, request.workspaceId, changes);
    if (!w) throw new Error('authenticated workspace is gone');
    return view(w);
  });

  // From now on events must be signed with this secret (shown once; POST again, signed with the
  // current one, to rotate). Other processes see the change within the API key cache's 30 s.
  app.post('/v1/workspace/event-signing-secret', async (request, reply) => {
    requireSignedBody(request, ctx.clock.now());
    const secret = newWebhookSecret();
    await updateWorkspace(ctx.database, request.workspaceId, { eventSigningSecret: secret });
    forgetKeys();
    return reply.status(201).send({ secret });
  });

  app.delete('/v1/workspace/event-signing-secret', async (request, reply) => {
    requireSignedBody(request, ctx.clock.now());
    await updateWorkspace(ctx.database, request.workspaceId, { eventSigningSecret: null });
    forgetKeys();
    return reply.status(204).send();
  });
}
