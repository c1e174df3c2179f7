export * from './app.ts';
export * from './event-schemas.ts';
export * from './process.ts';
export * from './schemas.ts';
export * from './survey-schemas.ts';
