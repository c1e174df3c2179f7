// Errors that are the client's input, however deep the query builder wraps them, are 400s.
import { describe, expect, test } from 'vitest';
import { toAppError } from './app.ts';

/** What drizzle throws: its own error, with the driver's PostgresError (and its SQLSTATE) as the cause. */
function wrapped(code: string): Error {
  const driver = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code });
  return new Error('Failed query: insert into …', { cause: driver });
}

describe('toAppError', () => {
  test('a Postgres input error wrapped by the query builder is the client’s 400, not our 500', () => {
    for (const code of ['22021', '22P05', '22008', '22003', '54001']) {
      const mapped = toAppError(wrapped(code));
      expect(mapped.kind).toBe('invalid');
      expect(mapped.details?.[0]?.field).toBe('body');
    }
  });

  test('any other database failure stays a 500', () => {
    expect(toAppError(wrapped('57P01')).kind).toBe('internal');
    expect(toAppError(wrapped('constructor')).kind).toBe('internal');
  });
});
