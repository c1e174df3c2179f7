// The team on the whole system: invitations are sign-in links, every change is checked against the permission table, removal is at once.
import { queuesIdle, waitFor } from '@surveyflow/testkit';
import { describe, expect } from 'vitest';
import {
  type Agent,
  consoleAgent,
  linkFromMail,
  OWNER,
  signedInOwner,
  type signIn,
} from './console-agent.ts';
import { type Shop, test } from './testing.ts';

type Sink = Parameters<typeof signIn>[1];

/** The owner invites `email` as `role`; the invitee signs in by the invitation's link. */
async function invited(shop: Shop, smtp: Sink, owner: Agent, email: string, role: string) {
  const before = smtp.messages.length;
  const res = await owner.submit('/app/team', '/app/team/invite', { email, role });
  expect(res.statusCode).toBe(303);
  const link = await linkFromMail(smtp, email, before);
  const agent = consoleAgent(shop);
  expect((await agent.submit(link, link)).statusCode).toBe(303);
  return agent;
}

const userId = async (shop: Shop, email: string) =>
  String((await shop.system.ctx.database.sql`select id from users where email = ${email}`)[0]?.id);

const roleOf = async (shop: Shop, email: string) =>
  (
    await shop.system.ctx.database
      .sql`select m.role from memberships m join users u on u.id = m.user_id where u.email = ${email}`
  )[0]?.role;

describe('the team', () => {
  test('an owner invites a teammate as agent; the invitation signs them in to the workspace as agent', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const before = smtp.messages.length;
    const res = await owner.submit('/app/team', '/app/team/invite', {
      email: 'Ann@Shop.test',
      role: 'agent',
    });
    expect(res.headers.location).toContain('/app/team?done=invited');
    const mail = await smtp.waitFor(
      (m) => m.to.includes('ann@shop.test') && smtp.messages.indexOf(m) >= before,
    );
    expect(mail.subject).toBe('Sign in to Surveyflow — Shop');
    expect(mail.text).toContain('owner@shop.test invited you to Shop');
    const team = await owner.get('/app/team?done=invited&email=ann%40shop.test');
    expect(team.body).toContain('Invitation sent to ann@shop.test.');
    expect(team.body).toContain('ann@shop.test');

    const link = await linkFromMail(smtp, 'ann@shop.test', before);
    const ann = consoleAgent(shop);
    await ann.submit(link, link);
    const home = await ann.get('/app');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Your role in Shop: Agent');
    // Inviting a member again is a conflict naming the field.
    const again = await owner.submit('/app/team', '/app/team/invite', {
      email: 'ann@shop.test',
      role: 'viewer',
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('email');

    const audit = await shop.system.ctx.database
      .sql`select action, actor_label, detail from audit_log where action like 'member.%' order by id`;
    expect(audit.map((a) => a.action)).toEqual(['member.bootstrap', 'member.invite']);
    expect(audit[1]).toMatchObject({ actor_label: OWNER, detail: { email: 'ann@shop.test', role: 'agent' } });
  });

  test('role × action: an agent cannot invite, a viewer cannot change roles, an admin cannot demote an owner, the last owner cannot leave', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const agent = await invited(shop, smtp, owner, 'agent@shop.test', 'agent');
    const viewer = await invited(shop, smtp, owner, 'viewer@shop.test', 'viewer');
    const admin = await invited(shop, smtp, owner, 'admin@shop.test', 'admin');
    const ownerId = await userId(shop, OWNER);
    const agentId = await userId(shop, 'agent@shop.test');

    // The agent sees the team but no forms; a forged post is refused on the server.
    const agentTeam = await agent.get('/app/team');
    expect(agentTeam.statusCode).toBe(200);
    expect(agentTeam.body).not.toContain('action="/app/team/invite"');
    const byAgent = await agent.postFrom('/app/team', '/app/team/invite', {
      email: 'x@shop.test',
      role: 'viewer',
    });
    expect(byAgent.statusCode).toBe(403);
    expect(byAgent.body).toContain('role');

    const byViewer = await viewer.postFrom('/app/team', `/app/team/${agentId}/role`, { role: 'admin' });
    expect(byViewer.statusCode).toBe(403);
    expect(await roleOf(shop, 'agent@shop.test')).toBe('agent');

    const demote = await admin.postFrom('/app/team', `/app/team/${ownerId}/role`, { role: 'viewer' });
    expect(demote.statusCode).toBe(403);
    expect(demote.body).toContain('only an owner');
    const makeOwner = await admin.postFrom('/app/team', `/app/team/${agentId}/role`, { role: 'owner' });
    expect(makeOwner.statusCode).toBe(403);
    const removeOwner = await admin.postFrom('/app/team', `/app/team/${ownerId}/remove`);
    expect(removeOwner.statusCode).toBe(403);
    // Below owner, the admin runs the team.
    expect(
      (await admin.postFrom('/app/team', `/app/team/${agentId}/role`, { role: 'viewer' })).statusCode,
    ).toBe(303);
    expect(await roleOf(shop, 'agent@shop.test')).toBe('viewer');

    const leave = await owner.postFrom('/app/team', `/app/team/${ownerId}/remove`);
    expect(leave.statusCode).toBe(403);
    expect(leave.body).toContain('last owner');
    const selfDemote = await owner.postFrom('/app/team', `/app/team/${ownerId}/role`, { role: 'admin' });
    expect(selfDemote.statusCode).toBe(403);
    expect(await roleOf(shop, OWNER)).toBe('owner');

    // With a second owner, the first may leave.
    expect(
      (
        await owner.postFrom('/app/team', `/app/team/${await userId(shop, 'admin@shop.test')}/role`, {
          role: 'owner',
        })
      ).statusCode,
    ).toBe(303);
    expect((await owner.postFrom('/app/team', `/app/team/${ownerId}/remove`)).headers.location).toBe('/app');
    expect(await roleOf(shop, OWNER)).toBeUndefined();

    const audit = await shop.system.ctx.database
      .sql`select action, detail from audit_log where action in ('member.role', 'member.remove') order by id`;
    expect(audit).toEqual([
      { action: 'member.role', detail: { from: 'agent', to: 'viewer' } },
      { action: 'member.role', detail: { from: 'admin', to: 'owner' } },
      { action: 'member.remove', detail: { role: 'owner', casesUnassigned: 0 } },
    ]);
  });

  test('a removed member is out on their next request, and their cases go back to unassigned', async ({
    shop,
    smtp,
  }) => {
    const owner = await signedInOwner(shop, smtp);
    const ann = await invited(shop, smtp, owner, 'ann@shop.test', 'agent');
    expect((await ann.get('/app/team')).statusCode).toBe(200);
    const annId = await userId(shop, 'ann@shop.test');

    // A detractor's case, assigned to Ann.
    await shop.api('POST', '/v1/events', {
      id: 'order-1',
      type: 'order.delivered',
      contact: { id: 'dana', email: 'dana@example.com' },
    });
    const invitation = await smtp.waitFor((m) => m.to.includes('dana@example.com'));
    const path =
      /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
    await shop.system.app.inject({
      method: 'POST',
      url: path,
      payload: { score: 2, comment: 'Late' },
      headers: { accept: 'application/json' },
    });
    const caseId = await waitFor(
      async () => (await shop.system.ctx.database.sql`select id from cases`)[0]?.id ?? null,
    );
    // API users find members by GET /v1/members and assign by id; a stranger's id is refused by name.
    const members = (await shop.api('GET', '/v1/members')).json().data;
    expect(members).toEqual([
      { id: annId, email: 'ann@shop.test', name: null, role: 'agent' },
      { id: await userId(shop, OWNER), email: OWNER, name: null, role: 'owner' },
    ]);
    const stranger = await shop.api('PATCH', `/v1/cases/${caseId}`, {
      assigneeId: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.details).toEqual([
      { field: 'assigneeId', message: 'is not a member of this workspace (see GET /v1/members)' },
    ]);
    const assigned = await shop.api('PATCH', `/v1/cases/${caseId}`, { assigneeId: annId });
    expect(assigned.statusCode).toBe(200);
    expect(assigned.json()).toMatchObject({ assigneeId: annId });
    expect(assigned.json().history.at(-1)).toMatchObject({
      kind: 'assignee_changed',
      detail: { from: null, to: annId },
    });
    const ids = async (query: string) =>
      (await shop.api('GET', `/v1/cases?${query}`)).json().data.map((c: { id: string }) => c.id);
    expect(await ids(`assignee=${annId}`)).toEqual([caseId]);
    expect(await ids('assignee=none')).toEqual([]);
    expect((await shop.api('GET', '/v1/cases?assignee=anna')).statusCode).toBe(400);

    const removed = await owner.postFrom('/app/team', `/app/team/${annId}/remove`);
    expect(removed.headers.location).toBe('/app/team?done=removed');
    const next = await ann.get('/app/team');
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe('/app/sign-in');
    expect((await shop.system.ctx.database.sql`select assignee_id from cases`)[0]?.assignee_id).toBeNull();
    expect(await ids('assignee=none')).toEqual([caseId]);
    // Nor can a new link bring them back: nobody is emailed one.
    const before = smtp.messages.length;
    await consoleAgent(shop).submit('/app/sign-in', '/app/sign-in', { email: 'ann@shop.test' });
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.slice(before).filter((m) => m.to.includes('ann@shop.test'))).toEqual([]);
  });

  test('an instance admin creates a workspace, owns it, and switches between workspaces', async ({
    shopWith,
    smtp,
  }) => {
    const shop = await shopWith({
      env: { INSTANCE_ADMIN_EMAILS: `someone@else.test, ${OWNER.toUpperCase()}` },
    });
    const owner = await signedInOwner(shop, smtp);
    const home = await owner.get('/app');
    expect(home.body).toContain('action="/app/workspaces"');
    expect((await owner.submit('/app', '/app/workspaces', { name: 'Second shop' })).statusCode).toBe(303);
    const after = await owner.get('/app');
    expect(after.body).toContain('<h1>Second shop</h1>');
    expect(after.body).toContain('Your role in Second shop: Owner');
    const shopId = (await shop.system.ctx.database.sql`select id from workspaces where name = 'Shop'`)[0]?.id;
    expect((await owner.submit('/app', '/app/workspace', { workspaceId: String(shopId) })).statusCode).toBe(
      303,
    );
    expect((await owner.get('/app')).body).toContain('<h1>Shop</h1>');
    // Someone else's workspace is not one to switch to.
    const other = await owner.submit('/app', '/app/workspace', {
      workspaceId: '00000000-0000-4000-8000-000000000000',
    });
    expect(other.statusCode).toBe(404);

    // A member who is no instance admin sees no such form, and may not post it.
    const ann = await invited(shop, smtp, owner, 'ann@shop.test', 'admin');
    expect((await ann.get('/app')).body).not.toContain('action="/app/workspaces"');
    expect((await ann.postFrom('/app', '/app/workspaces', { name: 'Mine' })).statusCode).toBe(403);
  });

  test('a detractor alert goes to members by role as well as to addresses', async ({ shopWith, smtp }) => {
    const shop = await shopWith({ env: { FOLLOWUP_COMMENT_WAIT_MS: '0' } });
    const owner = await signedInOwner(shop, smtp);
    await invited(shop, smtp, owner, 'ann@shop.test', 'agent');
    await invited(shop, smtp, owner, 'vic@shop.test', 'viewer');
    const [survey] = (await shop.api('GET', '/v1/surveys')).json().data;
    const bad = await shop.api('PATCH', `/v1/surveys/${survey.id}`, {
      actions: [{ type: 'alert', roles: ['boss'] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('actions[0].roles[0]');
    const patched = await shop.api('PATCH', `/v1/surveys/${survey.id}`, {
      actions: [{ type: 'alert', emails: ['care@shop.test'], roles: ['owner', 'agent'] }],
    });
    expect(patched.statusCode).toBe(200);

    await shop.api('POST', '/v1/events', {
      id: 'order-2',
      type: 'order.delivered',
      contact: { id: 'dana', email: 'dana@example.com' },
    });
    const invitation = await smtp.waitFor((m) => m.to.includes('dana@example.com'));
    const path =
      /href="http:\/\/localhost:3000(\/s\/[\w-]{32})\?score=0"/.exec(invitation.html ?? '')?.[1] ?? '';
    await shop.system.app.inject({
      method: 'POST',
      url: path,
      payload: { score: 1, comment: 'Broken' },
      headers: { accept: 'application/json' },
    });
    for (const to of ['care@shop.test', OWNER, 'ann@shop.test']) {
      const alert = await smtp.waitFor((m) => m.to.includes(to) && m.subject.includes('Detractor'));
      expect(alert.text).toContain('Broken');
    }
    await queuesIdle(shop.system.ctx.queues);
    const alerted = smtp.messages.filter((m) => m.subject.includes('Detractor')).flatMap((m) => m.to);
    expect(alerted.sort()).toEqual(['ann@shop.test', 'care@shop.test', OWNER].sort());
  });
});
