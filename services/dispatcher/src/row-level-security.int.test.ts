// Row-level security on real Postgres: inside one workspace's transaction, as the services' role, a query with no
// workspace filter at all sees only that workspace's rows and cannot write another's.
import {
  type Database,
  findSurveyLink,
  inWorkspace,
  recordResponse,
  SERVICES_ROLE,
  tenantDatabase,
} from '@surveyflow/core';
import { anEvent, seedWorkspace, sentInvitation, test } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';

async function answered(database: Database, orderId: string, email: string) {
  const shop = await seedWorkspace(database);
  const { token } = await sentInvitation(
    database,
    shop.workspaceId,
    anEvent(orderId, { contact: { id: `c-${orderId}`, email, locale: 'en' } }),
  );
  const link = await findSurveyLink(database, token);
  if (!link) throw new Error('no link');
  await recordResponse(database, link, { score: 3, comment: `secret of ${orderId}` }, new Date(), 10);
  return shop;
}

describe('row-level security', () => {
  test('select * from responses inside one workspace sees only its rows, as the services role', async ({
    db,
  }) => {
    const a = await answered(db.database, 'order-a', 'a@shop.test');
    const b = await answered(db.database, 'order-b', 'b@shop.test');
    // The owning role (system work) sees both.
    const all = await db.database.db.execute<{ workspace_id: string }>(`select * from responses`);
    expect(new Set(all.map((r) => r.workspace_id))).toEqual(new Set([a.workspaceId, b.workspaceId]));

    const seen = await inWorkspace(db.database, a.workspaceId, async (tx) => ({
      role: (await tx.execute<{ current_user: string }>(`select current_user`))[0]?.current_user,
      responses: await tx.execute<{ workspace_id: string; comment: string }>(`select * from responses`),
      contacts: await tx.execute<{ workspace_id: string }>(`select * from contacts`),
      events: await tx.execute<{ workspace_id: string }>(`select * from events`),
      invitations: await tx.execute<{ workspace_id: string }>(`select * from invitations`),
      surveys: await tx.execute<{ workspace_id: string }>(`select * from surveys`),
      cases: await tx.execute<{ workspace_id: string }>(`select * from cases`),
      audit: await tx.execute<{ workspace_id: string }>(`select * from audit_log`),
    }));
    expect(seen.role).toBe(SERVICES_ROLE);
    expect(seen.responses.map((r) => r.comment)).toEqual(['secret of order-a']);
    for (const rows of [seen.contacts, seen.events, seen.invitations, seen.surveys, seen.audit]) {
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.workspace_id === a.workspaceId)).toBe(true);
    }
    expect(seen.cases.every((r) => r.workspace_id === a.workspaceId)).toBe(true);
  });

  test("another workspace's rows cannot be written, even by id", async ({ db }) => {
    const a = await answered(db.database, 'order-a', 'a@shop.test');
    const b = await answered(db.database, 'order-b', 'b@shop.test');
    const changed = await inWorkspace(db.database, a.workspaceId, (tx) =>
      tx.execute(
        `update responses set comment = 'overwritten' where workspace_id = '${b.workspaceId}' returning id`,
      ),
    );
    expect(changed.length).toBe(0);
    await expect(
      inWorkspace(db.database, a.workspaceId, (tx) =>
        tx.execute(
          `insert into surveys (workspace_id, kind, name, question, followup_question, actions)
              values ('${b.workspaceId}', 'nps', 'planted', '{}'::jsonb, '{}'::jsonb, '[]'::jsonb)`,
        ),
      ),
    ).rejects.toMatchObject({
      cause: { code: '42501', message: expect.stringMatching(/row-level security policy/) },
    });
    const [intact] = await db.database.db.execute<{ comment: string }>(
      `select comment from responses where workspace_id = '${b.workspaceId}'`,
    );
    expect(intact?.comment).toBe('secret of order-b');
  });

  test('outside a workspace transaction the services role sees nothing; the setting ends with the transaction', async ({
    db,
  }) => {
    await answered(db.database, 'order-a', 'a@shop.test');
    const none = await db.database.db.transaction(async (tx) => {
      await tx.execute(`select set_config('role', '${SERVICES_ROLE}', true)`);
      return tx.execute(`select * from responses`);
    });
    expect(none.length).toBe(0);
    const [after] = await db.database.db.execute<{ current_user: string }>(`select current_user`);
    expect(after?.current_user).not.toBe(SERVICES_ROLE);
  });

  test('tenantDatabase: code written against database.db runs inside the workspace while run() lasts', async ({
    db,
  }) => {
    const a = await answered(db.database, 'order-a', 'a@shop.test');
    await answered(db.database, 'order-b', 'b@shop.test');
    const tenants = tenantDatabase(db.database);
    const inside = await tenants.run(a.workspaceId, async () =>
      tenants.database.db.execute<{ comment: string }>(`select comment from responses`),
    );
    expect(inside.map((r) => r.comment)).toEqual(['secret of order-a']);
    const outside = await tenants.database.db.execute(`select * from responses`);
    expect(outside.length).toBe(2);
  });

  test('every table that holds a workspace_id has the wall, except the identity tables read before a workspace is known', async ({
    db,
  }) => {
    const identity = new Set(['memberships', 'sessions', 'sign_in_links', 'api_keys']);
    const tables = await db.database.db.execute<{ table: string; rls: boolean; policies: number }>(
      `select c.relname as table, c.relrowsecurity as rls,
              (select count(*)::int from pg_policies p where p.tablename = c.relname) as policies
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from information_schema.columns col
                       where col.table_schema = 'public' and col.table_name = c.relname and col.column_name = 'workspace_id')`,
    );
    expect(tables.length).toBeGreaterThan(10);
    const unwalled = tables
      .filter((t) => !identity.has(t.table) && (!t.rls || t.policies === 0))
      .map((t) => t.table);
    expect(unwalled).toEqual([]);
  });
});
