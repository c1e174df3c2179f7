import { type Job, UnrecoverableError } from 'bullmq';
import { describe, expect, test } from 'vitest';
import { defineJob, queueProcessor } from './job-registry.ts';

const fakeJob = (name: string, data: unknown) => ({ name, data }) as Job;
const eventId = '0b9b6a52-5d0e-4a4e-9d55-6c1c5c6f0a11';

describe('the generic queue processor', () => {
  const seen: unknown[] = [];
  const processor = queueProcessor('followups', {
    'response.followup': defineJob('response.followup', async (payload) => {
      seen.push(payload);
      return { ok: payload.responseId };
    }),
    'response.reroute': defineJob('response.reroute', async ({ version }) => ({ version })),
    'audit.retention': defineJob('audit.retention', async () => ({ deleted: 0 })),
    'data.retention': defineJob('data.retention', async () => ({ workspaces: 0 })),
    'zendesk.sync': defineJob('zendesk.sync', async ({ attempt }) => ({ attempt })),
  });

  test('dispatches a job by name to its handler with the parsed payload', async () => {
    await expect(
      processor(fakeJob('response.reroute', { responseId: eventId, version: 7 })),
    ).resolves.toEqual({
      version: 7,
    });
    await expect(processor(fakeJob('response.followup', { responseId: eventId }))).resolves.toEqual({
      ok: eventId,
    });
    expect(seen).toEqual([{ responseId: eventId }]);
  });

  test('a payload that does not parse fails for good, naming the field', async () => {
    const run = processor(fakeJob('response.reroute', { responseId: eventId, version: 'x' }));
    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(run).rejects.toThrow(/invalid response\.reroute payload: version:/);
  });

  test('a job name the queue does not carry fails for good', async () => {
    await expect(processor(fakeJob('event.plan', { eventId }))).rejects.toThrow(
      new UnrecoverableError('unknown job event.plan on followups'),
    );
  });
});
