// Loaded with `node --import` into each bench worker when BENCH_CPU_PROF is set (NODE_OPTIONS may not
// carry --cpu-prof): profiles the whole process and writes a .cpuprofile into that directory when it exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
process.on('exit', () => {
  // A session on the process's own thread answers synchronously, so this runs before the exit.
  session.post('Profiler.stop', (err, result) => {
    if (!err)
      writeFileSync(
        join(process.env.BENCH_CPU_PROF ?? '.', `worker-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
  });
});
