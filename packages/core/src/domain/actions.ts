// What a survey does after an answer, per segment: alert, open a case, message the customer, ask promoters to refer, link a review site, mirror the case into Zendesk.
import { z } from 'zod';
import { roles } from './access.ts';
import type { SurveyKind } from './kinds.ts';
import type { Segment } from './scoring.ts';
import { everyLocale } from './templates/locales.ts';

export const segments = ['detractor', 'passive', 'promoter'] as const satisfies readonly Segment[];

const localizedText = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'keys must be locales such as en or pl'),
    z.string().trim().min(1).max(2000),
  )
  .refine((v) => Object.keys(v).length > 0, 'must have at least one locale, e.g. { "en": "…" }');

const segmentList = z
  .array(z.enum(segments))
  .min(1)
  .refine((s) => new Set(s).size === s.length, 'must not repeat a segment');

/** Where a message to the customer goes: "auto" answers on the channel the answer came by (email for a QR code). */
const messageChannel = z.enum(['auto', 'email', 'sms']).default('auto');

export const actionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('alert'),
    segments: segmentList.default(['detractor']),
    /** Addresses to email; with no roles either, empty means the workspace's alert address. */
    emails: z.array(z.email()).max(20).default([]),
    /** Members with these roles are emailed too (e.g. ["admin", "agent"]). */
    roles: z
      .array(z.enum(roles))
      .max(roles.length)
      .refine((r) => new Set(r).size === r.length, 'must not repeat a role')
      .optional(),
    /** A Slack incoming webhook (or anything that takes Slack's { text } JSON). */
    slackWebhookUrl: z.url().optional(),
  }),
  z.object({
    type: z.literal('case'),
    segments: segmentList.default(['detractor']),
    /** Hours until the case is due; past it, unresolved, it escalates once. */
    slaHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(48),
    owner: z.string().trim().min(1).max(200).optional(),
    /** Who hears about an escalation; the workspace's alert address when unset. */
    escalateTo: z.email().optional(),
    /** The customer is told their complaint has an owner (the case acknowledgement); false sends nothing. */
    acknowledge: z.boolean().default(true),
    /** The acknowledgement per locale, instead of the default; {hours} is the SLA. */
    acknowledgement: localizedText.optional(),
  }),
  z.object({
    type: z.literal('message'),
    segments: segmentList,
    channel: messageChannel,
    /** Email subject per locale (ignored for SMS). Placeholders: {name} {company} {score}. */
    subject: localizedText.optional(),
    body: localizedText,
  }),
  z.object({
    type: z.literal('referral'),
    segments: segmentList.default(['promoter']),
    channel: messageChannel,
    /** The invitation to recommend us; {link} is the personal referral link (added at the end when absent). */
    body: localizedText.optional(),
  }),
  z.object({
    type: z.literal('review'),
    /** No review gating: a review-site link goes to every segment alike, or there is none. */
    segments: z
      .array(z.enum(segments))
      .default([...segments])
      .refine(
        (s) => segments.every((x) => s.includes(x)),
        'review links go to every segment alike (detractor, passive, promoter) or to none: no review gating',
      ),
    url: z.url(),
    channel: messageChannel,
    body: localizedText.optional(),
  }),
  z.object({
    type: z.literal('zendesk_ticket'),
    segments: segmentList.default(['detractor']),
    /** A zendesk connector with its API set (POST /v1/connectors, zendeskApi). */
    connectorId: z.uuid('must be the id of a zendesk connector (GET /v1/connectors)'),
    tags: z
      .array(
        z.string().regex(/^[a-z0-9_:-]{1,80}$/, 'must be a Zendesk tag: lower-case letters, digits, _ : -'),
      )
      .max(20)
      .default([]),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  }),
]);

export type SurveyAction = z.output<typeof actionSchema>;
export const actionsSchema = z.array(actionSchema).max(20);

/**
 * What a survey does when none is configured: detractors raise an alert and a case (and hear that
 * someone is on it); passives are asked what would move them up *their* scale; promoters are thanked.
 */
export function defaultActions(kind: SurveyKind = 'nps'): SurveyAction[] {
  return [
    { type: 'alert', segments: ['detractor'], emails: [] },
    { type: 'case', segments: ['detractor'], slaHours: 48, acknowledge: true },
    {
      type: 'message',
      segments: ['passive'],
      channel: 'auto',
      subject: everyLocale((t) => t.passiveSubject[kind]),
      body: everyLocale((t) => t.passiveBody[kind]),
    },
    { type: 'referral', segments: ['promoter'], channel: 'auto' },
  ];
}

/** The actions that apply to a segment, with their position (part of what makes each one's work unique). */
export function actionsFor(
  actions: readonly SurveyAction[],
  segment: Segment,
): { index: number; action: SurveyAction }[] {
  return actions.flatMap((action, index) => (action.segments.includes(segment) ? [{ index, action }] : []));
}
