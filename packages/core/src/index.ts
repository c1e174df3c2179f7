export * from './config.ts';
export * from './db/client.ts';
export type { ChannelName, InvitationStatus, Localized, Properties, SurveyKind } from './db/schema.ts';
export * as schema from './db/schema.ts';
export { surveyKinds } from './db/schema.ts';
export * from './errors.ts';
export * from './queues.ts';
export * from './tokens.ts';
