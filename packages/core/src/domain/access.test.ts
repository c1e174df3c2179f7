import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Permission, permissions, roleAllows, roles, scopes, scopesAllow } from './access.ts';

const all = Object.keys(permissions) as Permission[];

describe('access table', () => {
  it('a higher role may do everything a lower one may (owner ⊇ admin ⊇ agent ⊇ viewer)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.integer({ min: 0, max: roles.length - 2 }), (permission, i) => {
        const higher = roles[i] as (typeof roles)[number];
        const lower = roles[i + 1] as (typeof roles)[number];
        expect(!roleAllows(lower, permission) || roleAllows(higher, permission)).toBe(true);
      }),
    );
  });

  it('a wider key scope may do everything a narrower one may (admin ⊇ write ⊇ read)', () => {
    for (const permission of all) {
      if (scopesAllow(['read'], permission)) expect(scopesAllow(['write'], permission)).toBe(true);
      if (scopesAllow(['write'], permission)) expect(scopesAllow(['admin'], permission)).toBe(true);
    }
  });

  it('an ingest-only key sends events and reads nothing', () => {
    const allowed = all.filter((p) => scopesAllow(['events:write'], p));
    expect(allowed).toEqual(['events.write']);
  });

  it('the examples the README gives hold', () => {
    expect(roleAllows('agent', 'cases.work')).toBe(true);
    expect(roleAllows('agent', 'keys.manage')).toBe(false);
    expect(roleAllows('viewer', 'cases.work')).toBe(false);
    expect(roleAllows('viewer', 'data.read')).toBe(true);
    expect(roleAllows('admin', 'owners.manage')).toBe(false);
    expect(roleAllows('owner', 'owners.manage')).toBe(true);
    expect(scopesAllow(['events:write'], 'data.read')).toBe(false);
  });

  it('no key scope grants what only owners may do', () => {
    for (const scope of scopes) expect(scopesAllow([scope], 'owners.manage')).toBe(false);
  });
});
