export * from './app.ts';
export * from './process.ts';
export * from './schemas.ts';
