import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapHeader, mapRow } from './send-rows.ts';

const header = (h: string[]) => {
  const m = mapHeader(h);
  if ('error' in m) throw new Error(m.error);
  return m.map;
};

describe('a list send CSV row', () => {
  it('maps the header by name, whatever the case or separators; other columns are properties', () => {
    const map = header(['Contact ID', 'E-mail', 'phone_number', 'Name', 'lang', 'Time Zone', 'plan']);
    expect(
      mapRow(map, ['c-1', 'kim@example.com', '+48600100200', 'Kim', 'pl-PL', 'Europe/Warsaw', 'gold']),
    ).toEqual({
      ok: true,
      row: {
        externalId: 'c-1',
        email: 'kim@example.com',
        phone: '+48600100200',
        name: 'Kim',
        locale: 'pl-PL',
        timezone: 'Europe/Warsaw',
        properties: { plan: 'gold' },
      },
    });
  });

  it('a header without an id column is refused, naming the names it takes', () => {
    expect(mapHeader(['email', 'name'])).toEqual({ error: expect.stringContaining('no id column') });
  });

  it('a bad row says why: no id, invalid email, invalid phone, unknown zone', () => {
    const map = header(['id', 'email', 'phone', 'timezone']);
    expect(mapRow(map, ['', 'a@example.com', '', ''])).toMatchObject({ ok: false, reason: 'no id' });
    expect(mapRow(map, ['c', 'nope', '', ''])).toMatchObject({ ok: false, reason: 'invalid email: nope' });
    expect(mapRow(map, ['c', '', '600100200', ''])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invalid phone'),
    });
    expect(mapRow(map, ['c', '', '', 'Mars/Base'])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown time zone'),
      externalId: 'c',
    });
  });

  it('empty cells are absent, never empty strings, and any id with valid optional fields maps', () => {
    const map = header(['id', 'email', 'extra']);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== ''),
        fc.option(fc.constantFrom('a@example.com', 'b.c@shop.test'), { nil: '' }),
        fc.string({ maxLength: 20 }),
        (id, email, extra) => {
          const mapped = mapRow(map, [id, email, extra]);
          expect(mapped.ok).toBe(true);
          if (!mapped.ok) return;
          expect(mapped.row.externalId).toBe(id.trim());
          expect(mapped.row.email).toBe(email === '' ? null : email);
          expect(mapped.row.properties).toEqual(extra.trim() ? { extra: extra.trim() } : {});
        },
      ),
    );
  });
});

describe('time zones of a million rows', () => {
  it('are checked once per zone: the same answer every time, unknown ones never remembered as known', () => {
    const map = header(['id', 'timezone']);
    for (let i = 0; i < 3; i++) {
      expect(mapRow(map, ['a', 'Europe/Warsaw']).ok).toBe(true);
      expect(mapRow(map, ['a', 'Mars/Olympus']).ok).toBe(false);
      expect(mapRow(map, ['a', 'Europe/Warsaw2']).ok).toBe(false);
    }
  });

  it('costs no memory per row: 20,000 rows of one zone grow the resident set by far less than a megabyte per thousand', () => {
    const map = header(['id', 'timezone']);
    mapRow(map, ['warm', 'America/New_York']);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 20_000; i++) mapRow(map, [`c-${i}`, 'America/New_York']);
    // Before the cache every check built an Intl.DateTimeFormat: about 500 MB for 20,000 rows.
    expect(process.memoryUsage().rss - before).toBeLessThan(20 * 1024 * 1024);
  });
});
