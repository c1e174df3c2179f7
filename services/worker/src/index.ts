export { createEmailChannel, noDelaySocket } from './channels/email.ts';
export { reconcile } from './reconciler.ts';
export { type RunningWorker, startWorker } from './worker.ts';
