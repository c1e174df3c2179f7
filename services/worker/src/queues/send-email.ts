// Queue "send.email": invitations (alone or in batches), reminders and email notifications, each sent at most once (claim in Postgres, then send).
import { randomUUID } from 'node:crypto';
import {
  type AppContext,
  batchMembers,
  brandOf,
  type ClaimedReminder,
  claimInvitationsForSend,
  claimNotification,
  claimReminder,
  type EmailChannel,
  type EmailMessage,
  fillSignInLink,
  fillUnsubscribeLink,
  handOverNotification,
  handOverReminder,
  invitationEmail,
  invitationRateLimit,
  markEmailBounced,
  moveToBatch,
  type PermanentDeliveryError,
  pickLocale,
  queueNames,
  renderQuestion,
  settleNotification,
  settleReminder,
} from '@surveyflow/core';
import type { Job } from 'bullmq';
import { defineJob, type QueueJobs } from '../job-registry.ts';
import { holdIfOverWorkspaceLimit, takeSlots } from '../rate-limit.ts';
import { attempt, backoff, deliver, pauseForOutage } from './deliver.ts';
import { type InvitationChannel, invitationDelivery, sendInvitation } from './invitation-delivery.ts';

export function sendEmailJobs(ctx: AppContext, email: EmailChannel): QueueJobs<'send.email'> {
  const channel = emailInvitations(ctx, email);
  const inFlight = new SendSlots(ctx.config.EMAIL_CONCURRENCY);
  return {
    'invitation.send': defineJob('invitation.send', async ({ invitationId }, job, token) => {
      await holdIfOverWorkspaceLimit(ctx, job, token, await invitationRateLimit(ctx.database, invitationId));
      return sendInvitation(ctx, channel, invitationId, job, token);
    }),
    'invitations.send': defineJob('invitations.send', ({ batchId }) =>
      sendBatch(ctx, channel, inFlight, batchId),
    ),
    'reminder.send': defineJob('reminder.send', ({ invitationId, reminder }, job, token) =>
      sendReminder(ctx, email, invitationId, reminder, job, token),
    ),
    'notification.send': defineJob('notification.send', ({ notificationId }, job, token) =>
      sendNotification(ctx, email, notificationId, job, token),
    ),
  };
}

/** The survey invitation by email, with reminders to follow; a hard bounce stops mail to the address. */
const emailInvitations = (ctx: AppContext, email: EmailChannel): InvitationChannel<EmailMessage> => ({
  address: ({ contact }) => contact.email,
  noAddress: 'no_address: the contact has no email address',
  compose: (claimed, to) => ({ to, ...surveyEmail(ctx, claimed, false) }),
  send: (message, handOver) => email.send(message, handOver),
  onPermanent: (err, { contact }) => suppressOnHardBounce(ctx, err, contact.id),
  reminders: true,
});

/**
 * A batch of due invitations (invitations.send): admitted at the provider's pace and each workspace's
 * own, claimed in one statement, sent concurrently through the SMTP pool (each handed over at its own
 * 354, settled with its neighbours). Members over a rate limit go on as a later batch; one that fails
 * for now goes on as its own job (invitation.send), so retries and their horizon stay per invitation.
 */
async function sendBatch(
  ctx: AppContext,
  channel: InvitationChannel<EmailMessage>,
  inFlight: SendSlots,
  batchId: string,
) {
  const found = await batchMembers(ctx.database, batchId);
  if (found.length === 0) return { found: 0, claimed: 0, sent: 0, retried: 0, later: 0 };
  // Claimed only once there is room to send them: a claim never waits long in the pool's queue (past
  // RECONCILE_AFTER_MS the reconciler would take it back, and the send would be refused at its hand-over).
  const room = await inFlight.take(found.length);
  try {
    return await sendMembers(ctx, channel, found.slice(0, room), found.slice(room));
  } finally {
    inFlight.give(room);
  }
}

async function sendMembers(
  ctx: AppContext,
  channel: InvitationChannel<EmailMessage>,
  members: Awaited<ReturnType<typeof batchMembers>>,
  overflow: Awaited<ReturnType<typeof batchMembers>>,
) {
  const { database, config } = ctx;
  // This job took one slot of the queue's limiter when it started; its other members take theirs now.
  const paced = await takeProviderSlots(ctx, members.length - 1);
  const now = members.slice(0, 1 + paced.admitted);
  const later = [...members.slice(1 + paced.admitted), ...overflow].map((m) => m.id);
  let waitMs = later.length > 0 ? paced.waitMs : 0;
  const byWorkspace = new Map<string, { perSecond: number; ids: string[] }>();
  for (const { id, workspaceId, perSecond } of now) {
    if (!perSecond) continue;
    const w = byWorkspace.get(workspaceId) ?? { perSecond, ids: [] };
    w.ids.push(id);
    byWorkspace.set(workspaceId, w);
  }
  const held = new Set<string>();
  for (const [workspaceId, { perSecond, ids }] of byWorkspace) {
    const slots = await takeSlots(ctx, `email:${workspaceId}`, perSecond, ids.length);
    for (const id of ids.slice(slots.admitted)) held.add(id);
    if (slots.admitted < ids.length) waitMs = Math.max(waitMs, slots.waitMs);
  }
  await sendLater(ctx, [...later, ...held], waitMs);
  const claims = await claimInvitationsForSend(
    database,
    now.flatMap(({ id }) => (held.has(id) ? [] : [id])),
    ctx.clock.now(),
    { tokenTtlDays: config.TOKEN_TTL_DAYS, secret: config.SECRET_KEY },
  );
  const attempts = await Promise.all(
    claims.map(async (claimed) => {
      if (!claimed) return null;
      const delivery = await invitationDelivery(ctx, claimed, channel);
      if (!delivery) return null;
      return { id: claimed.invitation.id, ...(await attempt(ctx, queueNames.sendEmail, delivery)) };
    }),
  );
  const retries = attempts.flatMap((a) => (a && 'retry' in a ? [a] : []));
  const outage = retries.find((a) => a.unavailable)?.unavailable;
  if (outage) await pauseForOutage(ctx, queueNames.sendEmail, outage);
  // Released claims (queued again, out of the batch) go on alone; in an outage the paused queue holds them.
  await ctx.queues.addAgain(
    'invitation.send',
    retries.map((a) => ({ invitationId: a.id })),
    outage ? {} : { delayMs: backoff(config, 1) },
  );
  return {
    found: members.length + overflow.length,
    claimed: claims.filter(Boolean).length,
    sent: attempts.filter((a) => a && 'sent' in a).length,
    retried: retries.length,
    later: later.length + held.size,
  };
}

/**
 * Room for sends in flight in this process (EMAIL_CONCURRENCY), taken by a batch for its members before
 * they are claimed; a batch waits for room, and never takes more than all of it.
 */
class SendSlots {
  private waiting: (() => void)[] = [];
  private free: number;
  constructor(private readonly capacity: number) {
    this.free = capacity;
  }

  async take(wanted: number): Promise<number> {
    const n = Math.min(wanted, this.capacity);
    while (this.free < n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.free -= n;
    return n;
  }

  give(n: number) {
    this.free += n;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/** Members that wait for the next window: a new batch, delayed; the rows name it before its job exists. */
async function sendLater(ctx: AppContext, ids: string[], waitMs: number) {
  if (ids.length === 0) return;
  const batchId = randomUUID();
  const moved = await moveToBatch(ctx.database, ids, batchId);
  if (moved.length === 0) return;
  await ctx.queues.add('invitations.send', { batchId }, { delayMs: waitMs + Math.floor(Math.random() * 50) });
}

/**
 * The provider's pace (EMAIL_RATE_PER_SECOND) is the send queue's BullMQ limiter, which counts jobs: a
 * batch adds its other members to the same counter (the limiter's own key and window), so every worker
 * holds back as if each member were a job. Returns how many of them fit in this window.
 */
async function takeProviderSlots(
  ctx: AppContext,
  extra: number,
): Promise<{ admitted: number; waitMs: number }> {
  if (extra <= 0) return { admitted: 0, waitMs: 0 };
  const key = ctx.queues.queue(queueNames.sendEmail).keys.limiter ?? '';
  // The limiter's window opens with its first job (PEXPIRE on the first INCR); NX keeps that window.
  const replies = (await ctx.redis.multi().incrby(key, extra).pexpire(key, 1000, 'NX').pttl(key).exec()) as [
    [null, number],
    unknown,
    [null, number],
  ];
  const count = replies[0][1];
  const max = ctx.config.EMAIL_RATE_PER_SECOND;
  return {
    admitted: Math.max(0, Math.min(extra, max - (count - extra))),
    waitMs: Math.max(replies[2][1], 1),
  };
}

/** A reminder: the same link, sent once per reminder number, never after an answer, an opt-out or expiry. */
async function sendReminder(
  ctx: AppContext,
  email: EmailChannel,
  invitationId: string,
  reminder: number,
  job: Job,
  token: string | undefined,
) {
  await holdIfOverWorkspaceLimit(ctx, job, token, await invitationRateLimit(ctx.database, invitationId));
  const claimed = await claimReminder(
    ctx.database,
    invitationId,
    reminder,
    ctx.clock.now(),
    ctx.config.SECRET_KEY,
  );
  if (!claimed || 'skipped' in claimed) return { sent: false, skipped: claimed?.skipped ?? 'already_sent' };
  const { contact } = claimed;
  const to = contact.email;
  if (!to) {
    await settleReminder(ctx.database, invitationId, reminder, { failed: 'no_address' });
    return { sent: false, skipped: 'no_address' };
  }
  const claimedAt = claimed.invitation.reminderClaimedAt ?? ctx.clock.now();
  const message = { to, ...surveyEmail(ctx, claimed, true) };
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverReminder(ctx.database, invitationId, reminder, claimedAt, ctx.clock.now()),
    send: (handOver) => email.send(message, handOver),
    settle: (outcome) => settleReminder(ctx.database, invitationId, reminder, outcome),
    onPermanent: (err) => suppressOnHardBounce(ctx, err, contact.id),
    validUntil: claimed.invitation.tokenExpiresAt,
  });
  return { sent: sent !== null };
}

/**
 * The survey email with its one-click unsubscribe (RFC 8058): a List-Unsubscribe https URL that
 * mail clients POST to, and the same link in the footer for people. With UNSUBSCRIBE_MAILTO, also a
 * mailto: whose subject carries the token, for clients that only send mail.
 */
function surveyEmail(
  ctx: AppContext,
  { contact, survey, workspace, token }: ClaimedReminder,
  reminder: boolean,
) {
  const locale = pickLocale(contact.locale);
  const unsubscribeUrl = `${ctx.config.PUBLIC_URL}/u/${token}`;
  const mail = invitationEmail({
    locale,
    kind: survey.kind,
    question: renderQuestion(survey.question, locale, workspace.name),
    contactName: contact.name,
    workspaceName: workspace.name,
    surveyUrl: `${ctx.config.PUBLIC_URL}/s/${token}`,
    reminder,
    unsubscribeUrl,
    brand: brandOf(workspace, ctx.config.PUBLIC_URL),
  });
  return {
    ...mail,
    headers: {
      'List-Unsubscribe': [
        `<${unsubscribeUrl}>`,
        ...(ctx.config.UNSUBSCRIBE_MAILTO
          ? [
              `<mailto:${ctx.config.UNSUBSCRIBE_MAILTO}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>`,
            ]
          : []),
      ].join(', '),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

async function sendNotification(
  ctx: AppContext,
  email: EmailChannel,
  notificationId: string,
  job: Job,
  token: string | undefined,
) {
  const claimed = await claimNotification(ctx.database, notificationId, ctx.clock.now());
  if (!claimed?.claimedAt) return { sent: false };
  const claimedAt = claimed.claimedAt;
  if (claimed.channel === 'slack') {
    // Enqueued here before Slack had its own queue: release the claim and hand it over.
    await settleNotification(ctx.database, notificationId, { retry: true });
    await ctx.queues.add('notification.slack', { notificationId });
    return { sent: false, handedOver: 'send.slack' };
  }
  const filled = await fillUnsubscribeLink(ctx.database, claimed, {
    publicUrl: ctx.config.PUBLIC_URL,
    secret: ctx.config.SECRET_KEY,
  });
  const message = {
    to: claimed.recipient,
    subject: claimed.subject,
    ...fillSignInLink(filled, claimed.dedupeKey, ctx.config.SECRET_KEY),
    ...(claimed.attachments ? { attachments: claimed.attachments } : {}),
  };
  const sent = await deliver(ctx, job, token, {
    handOver: () => handOverNotification(ctx.database, notificationId, claimedAt, ctx.clock.now()),
    send: (handOver) => email.send(message, handOver),
    settle: (o) => settleNotification(ctx.database, notificationId, o),
    since: claimed.createdAt,
  });
  return { sent: sent !== null };
}

/** A hard bounce means the address does not exist: no more mail to it until the contact's address changes. */
async function suppressOnHardBounce(ctx: AppContext, err: PermanentDeliveryError, contactId: string) {
  if (err.kind === 'hard_bounce') await markEmailBounced(ctx.database, contactId, ctx.clock.now());
}
