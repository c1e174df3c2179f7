// The job registry: every job is { name, queue, schema, handle }, and one generic processor per queue runs them.
import { type JobName, type JobPayload, jobs, type QueueName } from '@surveyflow/core';
import { type Job, type Processor, UnrecoverableError } from 'bullmq';

type QueueOf<N extends JobName> = (typeof jobs)[N]['queue'];

export type JobDefinition<N extends JobName> = {
  name: N;
  queue: QueueOf<N>;
  schema: (typeof jobs)[N]['payload'];
  /** Gets the payload already parsed; `token` is the worker's lock token (for moveToDelayed). */
  handle(payload: JobPayload<N>, job: Job, token: string | undefined): Promise<unknown>;
};

/** Every job on queue Q, and none from another queue. */
type JobsOn<Q extends QueueName> = { [N in JobName]: QueueOf<N> extends Q ? N : never }[JobName];

/** A queue's handlers: one for each of its jobs, so adding a job to core without its handler fails typecheck. */
export type QueueJobs<Q extends QueueName> = { [N in JobsOn<Q>]: JobDefinition<N> };

/** A job's definition: its queue and schema come from core's frozen table, the handler from the worker. */
export function defineJob<N extends JobName>(name: N, handle: JobDefinition<N>['handle']): JobDefinition<N> {
  return { name, queue: jobs[name].queue, schema: jobs[name].payload, handle };
}

/**
 * The one processor for a queue: looks the job up by name, parses its data with the job's schema
 * and calls the handler. An unknown name or a payload that does not parse can never succeed, so
 * both fail at once (UnrecoverableError) instead of using up the retries.
 */
export function queueProcessor<Q extends QueueName>(queue: Q, definitions: QueueJobs<Q>): Processor {
  const byName = new Map<string, JobDefinition<JobName>>(
    Object.values<JobDefinition<JobName>>(definitions).map((d) => [d.name, d]),
  );
  return async (job, token) => {
    const definition = byName.get(job.name);
    if (!definition) throw new UnrecoverableError(`unknown job ${job.name} on ${queue}`);
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
      throw new UnrecoverableError(`invalid ${job.name} payload: ${issues.join('; ')}`);
    }
    return definition.handle(parsed.data, job, token);
  };
}
