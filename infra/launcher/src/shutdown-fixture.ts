// A process that runs until a signal, for shutdown.int.test.ts: argv[2] says how its stop behaves, argv[3] what goes wrong.
import { runUntilSignal } from '@surveyflow/http';

const [stopKind = 'quick', trouble = 'none'] = process.argv.slice(2);
const keepAlive = setInterval(() => {}, 60_000);

await runUntilSignal(
  async () => {
    if (trouble === 'throw')
      setTimeout(() => {
        throw new Error('boom from a timer');
      }, 50);
    if (trouble === 'reject')
      setTimeout(() => void Promise.reject(new Error('a promise nobody awaited')), 50);
    return async () => {
      if (stopKind === 'hang') await new Promise(() => {});
      clearInterval(keepAlive);
      console.error('stopped cleanly');
    };
  },
  { timeoutMs: 1000 },
);
console.error('ready');
