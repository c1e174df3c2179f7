// The chaos suite as a module: `npm run chaos` runs the full plan, chaos.int.test.ts a short one.
export { chaosTable, failed, type Row } from './report.ts';
export { type ChaosPlan, type ChaosResult, runChaos } from './scenario.ts';
