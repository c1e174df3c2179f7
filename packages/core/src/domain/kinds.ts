// The closed vocabularies the rules decide over: which survey kinds and which invitation channels exist.
export const surveyKinds = ['nps', 'csat', 'ces'] as const;
export type SurveyKind = (typeof surveyKinds)[number];

export const channels = ['email', 'sms', 'qr'] as const;
export type ChannelName = (typeof channels)[number];
