// The closed vocabularies the rules decide over: which survey kinds and which invitation channels exist.
export const surveyKinds = ['nps', 'csat', 'ces'] as const;
export type SurveyKind = (typeof surveyKinds)[number];

/** widget: shown on the shop's own site (the on-site widget), never sent; it counts for the contact rules like the others. */
export const channels = ['email', 'sms', 'qr', 'widget'] as const;
export type ChannelName = (typeof channels)[number];

/** The channels a trigger can send on (the widget is shown when the visitor is on the site, not planned). */
export const triggerChannels = ['email', 'sms', 'qr'] as const satisfies readonly ChannelName[];
