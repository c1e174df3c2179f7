// Who may change the team: inviting, changing roles and removing members, decided from roles alone (no database).
import { type Role, roleAllows } from './access.ts';

export type TeamAction =
  | { kind: 'invite'; role: Role }
  | { kind: 'change_role'; from: Role; to: Role }
  | { kind: 'remove'; role: Role; self: boolean };

export type TeamDecision = { allowed: true } | { allowed: false; field: string; reason: string };

const refuse = (field: string, reason: string): TeamDecision => ({ allowed: false, field, reason });

/**
 * May a member with `actor` role do `action`, in a workspace that has `owners` owners? Managers
 * (team.manage) run the team; only owners (owners.manage) make, demote or remove owners; the last
 * owner can neither leave nor be demoted, so a workspace always has someone who can run it.
 * Anyone may leave a workspace themselves.
 */
export function decideTeamAction(actor: Role, action: TeamAction, owners: number): TeamDecision {
  const touchesOwner =
    action.kind === 'invite'
      ? action.role === 'owner'
      : action.kind === 'change_role'
        ? action.from === 'owner' || action.to === 'owner'
        : action.role === 'owner';
  const selfLeave = action.kind === 'remove' && action.self;
  if (!selfLeave && !roleAllows(actor, 'team.manage')) {
    return refuse('role', `a ${actor} cannot manage the team (admins and owners can)`);
  }
  if (!selfLeave && touchesOwner && !roleAllows(actor, 'owners.manage')) {
    return refuse('role', 'only an owner can make, demote or remove an owner');
  }
  const losesAnOwner =
    (action.kind === 'change_role' && action.from === 'owner' && action.to !== 'owner') ||
    (action.kind === 'remove' && action.role === 'owner');
  if (losesAnOwner && owners <= 1) {
    return refuse('userId', 'the last owner cannot leave or be demoted: make someone else an owner first');
  }
  return { allowed: true };
}
