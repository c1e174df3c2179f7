import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Role, roles } from './access.ts';
import { decideTeamAction, type TeamAction } from './team.ts';

const role = fc.constantFrom(...roles);
const action: fc.Arbitrary<TeamAction> = fc.oneof(
  role.map((r) => ({ kind: 'invite' as const, role: r })),
  fc.record({ kind: fc.constant('change_role' as const), from: role, to: role }),
  fc.record({ kind: fc.constant('remove' as const), role, self: fc.boolean() }),
);

describe('team actions by role', () => {
  test('an agent cannot invite; a viewer cannot change roles', () => {
    expect(decideTeamAction('agent', { kind: 'invite', role: 'viewer' }, 1)).toMatchObject({
      allowed: false,
      field: 'role',
    });
    expect(decideTeamAction('viewer', { kind: 'change_role', from: 'agent', to: 'viewer' }, 1).allowed).toBe(
      false,
    );
  });

  test('an admin runs the team below owner but cannot demote, remove or make an owner', () => {
    expect(decideTeamAction('admin', { kind: 'invite', role: 'agent' }, 1).allowed).toBe(true);
    expect(decideTeamAction('admin', { kind: 'change_role', from: 'agent', to: 'admin' }, 1).allowed).toBe(
      true,
    );
    expect(decideTeamAction('admin', { kind: 'change_role', from: 'owner', to: 'admin' }, 2).allowed).toBe(
      false,
    );
    expect(decideTeamAction('admin', { kind: 'invite', role: 'owner' }, 2).allowed).toBe(false);
    expect(decideTeamAction('admin', { kind: 'remove', role: 'owner', self: false }, 2).allowed).toBe(false);
  });

  test('the last owner can neither leave nor be demoted; with two owners either may', () => {
    expect(decideTeamAction('owner', { kind: 'remove', role: 'owner', self: true }, 1)).toMatchObject({
      allowed: false,
      field: 'userId',
    });
    expect(decideTeamAction('owner', { kind: 'change_role', from: 'owner', to: 'admin' }, 1).allowed).toBe(
      false,
    );
    expect(decideTeamAction('owner', { kind: 'remove', role: 'owner', self: true }, 2).allowed).toBe(true);
    expect(decideTeamAction('owner', { kind: 'change_role', from: 'owner', to: 'admin' }, 2).allowed).toBe(
      true,
    );
  });

  test('anyone may leave by themselves', () => {
    for (const r of ['admin', 'agent', 'viewer'] as Role[]) {
      expect(decideTeamAction(r, { kind: 'remove', role: r, self: true }, 1).allowed).toBe(true);
    }
  });

  test('property: no allowed action leaves a workspace without an owner', () => {
    fc.assert(
      fc.property(role, action, fc.integer({ min: 1, max: 5 }), (actor, a, owners) => {
        if (!decideTeamAction(actor, a, owners).allowed) return;
        const lost =
          (a.kind === 'change_role' && a.from === 'owner' && a.to !== 'owner') ||
          (a.kind === 'remove' && a.role === 'owner');
        expect(owners - (lost ? 1 : 0)).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  test('property: only owners ever touch an owner (except one leaving by themselves)', () => {
    fc.assert(
      fc.property(role, action, fc.integer({ min: 1, max: 5 }), (actor, a, owners) => {
        const touchesOwner =
          a.kind === 'invite'
            ? a.role === 'owner'
            : a.kind === 'change_role'
              ? a.from === 'owner' || a.to === 'owner'
              : a.role === 'owner';
        const selfLeave = a.kind === 'remove' && a.self;
        if (touchesOwner && !selfLeave && actor !== 'owner') {
          expect(decideTeamAction(actor, a, owners).allowed).toBe(false);
        }
        if (!selfLeave && (actor === 'agent' || actor === 'viewer')) {
          expect(decideTeamAction(actor, a, owners).allowed).toBe(false);
        }
      }),
    );
  });
});
