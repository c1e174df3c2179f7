// Moved to store/client.ts; this re-export stays only until process.ts (owned elsewhere right now) imports it from there.
export * from '../store/client.ts';
