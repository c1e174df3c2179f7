// Who may do what: the one table of permissions, and which member roles and API-key scopes grant each.
// Routes (API and console) declare the permission they need; nothing else decides access.

export const roles = ['owner', 'admin', 'agent', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const scopes = ['events:write', 'read', 'write', 'admin'] as const;
export type Scope = (typeof scopes)[number];

type Grant = { readonly roles: readonly Role[]; readonly scopes: readonly Scope[]; readonly what: string };

const everyone: readonly Role[] = ['owner', 'admin', 'agent', 'viewer'];
const workers: readonly Role[] = ['owner', 'admin', 'agent'];
const managers: readonly Role[] = ['owner', 'admin'];

/** Every permission, with the roles and scopes that grant it. The README's access table is this table. */
export const permissions = {
  'events.write': {
    what: 'send events (ingest)',
    roles: managers,
    scopes: ['events:write', 'write', 'admin'],
  },
  'data.read': {
    what: 'read events, contacts, invitations, responses, cases, metrics',
    roles: everyone,
    scopes: ['read', 'write', 'admin'],
  },
  'data.export': {
    what: 'export responses as CSV',
    roles: workers,
    scopes: ['read', 'write', 'admin'],
  },
  'cases.work': {
    what: 'assign, acknowledge, note and resolve cases; message the customer',
    roles: workers,
    scopes: ['write', 'admin'],
  },
  'contacts.write': {
    what: "change a contact's details and opt-out state",
    roles: workers,
    scopes: ['write', 'admin'],
  },
  'contacts.erase': { what: 'erase a contact (GDPR)', roles: managers, scopes: ['admin'] },
  'invitations.send': {
    what: 'send or re-send an invitation by hand',
    roles: managers,
    scopes: ['write', 'admin'],
  },
  'surveys.manage': {
    what: 'create and edit surveys, triggers and locations',
    roles: managers,
    scopes: ['write', 'admin'],
  },
  'sends.manage': {
    what: 'start, pause, resume and cancel list sends',
    roles: managers,
    scopes: ['write', 'admin'],
  },
  'webhooks.manage': { what: 'create, edit and test webhooks', roles: managers, scopes: ['admin'] },
  'connectors.manage': {
    what: 'create, edit and inspect inbound connectors and their secrets',
    roles: managers,
    scopes: ['admin'],
  },
  'keys.manage': { what: 'create, list and revoke API keys', roles: managers, scopes: ['admin'] },
  'team.manage': {
    what: 'invite members, change roles (below owner), remove members',
    roles: managers,
    scopes: ['admin'],
  },
  'workspace.settings': { what: "change the workspace's settings", roles: managers, scopes: ['admin'] },
  'audit.read': { what: 'read the audit log', roles: managers, scopes: ['admin'] },
  'owners.manage': { what: 'make or remove owners; delete the workspace', roles: ['owner'], scopes: [] },
} as const satisfies Record<string, Grant>;

export type Permission = keyof typeof permissions;

export function roleAllows(role: Role, permission: Permission): boolean {
  return (permissions[permission].roles as readonly Role[]).includes(role);
}

export function scopesAllow(granted: readonly Scope[], permission: Permission): boolean {
  const needed = permissions[permission].scopes as readonly Scope[];
  return granted.some((scope) => needed.includes(scope));
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}
