import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { connectionFailure, Outages } from './outages.ts';

function captured() {
  const lines: { level: number; msg: string; dependency?: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const refused = (port: number) =>
  Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED', port });

describe('outages', () => {
  it('recognises connection failures through drizzle-style causes and AggregateErrors, and nothing else', () => {
    expect(connectionFailure(new Error('query failed', { cause: refused(5432) }))).toEqual({
      code: 'ECONNREFUSED',
      port: 5432,
    });
    expect(connectionFailure(new AggregateError([refused(6379)]))).toMatchObject({ code: 'ECONNREFUSED' });
    expect(
      connectionFailure(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' })),
    ).toBeDefined();
    expect(connectionFailure(new Error('relation "x" does not exist'))).toBeUndefined();
    expect(connectionFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
  });

  it('a Postgres outage seen by many failing queries is one "postgres unavailable" line, and one "postgres back" once the probe answers', async () => {
    const { log, lines } = captured();
    let answers = false;
    let probes = 0;
    const outages = new Outages(log, {
      redisUrl: 'redis://127.0.0.1:6379',
      postgresUrl: 'postgres://u@127.0.0.1:5432/db',
      postgresProbe: async () => {
        probes++;
        if (!answers) throw refused(5432);
      },
    });
    try {
      for (let i = 0; i < 20; i++) expect(outages.absorb(refused(5432))).toBe(true);
      expect(outages.absorb(new Error('a bug'))).toBe(false);
      // Someone else's server refusing us (a webhook endpoint) is not our outage.
      expect(outages.absorb(refused(8443))).toBe(false);
      expect(outages.isDown('postgres')).toBe(true);
      await new Promise((r) => setTimeout(r, 1200));
      answers = true;
      await new Promise((r) => setTimeout(r, 1200));
      expect(probes).toBeGreaterThanOrEqual(2);
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [40, 'postgres unavailable'],
        [30, 'postgres back'],
      ]);
      expect(outages.isDown('postgres')).toBe(false);
      // The port tells Redis from Postgres.
      outages.absorb(refused(6379));
      expect(lines.at(-1)).toMatchObject({ msg: 'redis unavailable', dependency: 'redis' });
    } finally {
      outages.close();
    }
  });
});
