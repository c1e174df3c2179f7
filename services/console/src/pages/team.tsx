/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Team (/app/team): members with their roles; invite by email with a role, change a role, remove. Forms only for who may use them.

import type { Locale, Member, Role, SignedIn } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';
import { Notice, type SettingsTab, SettingsTabs, Table, When } from './parts.tsx';

export function teamPage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  members: Member[];
  canManage: boolean;
  /** Roles the operator may hand out (owners only by owners). */
  assignable: readonly Role[];
  notice?: string | undefined;
  error?: string | undefined;
  /** The settings tabs this operator may open. */
  tabs: readonly SettingsTab[];
}): string {
  const { locale, session, csrf } = input;
  const me = session.user.id;
  const zone = session.workspace?.timezone ?? 'UTC';
  const editable = (m: Member) =>
    input.canManage && (m.role !== 'owner' || input.assignable.includes('owner'));
  const roleOptions = (selected: Role) =>
    input.assignable.map((r) => (
      <option key={r} value={r} selected={r === selected}>
        {say.role(locale, r)}
      </option>
    ));
  return document({
    locale,
    title: say(locale, 'team'),
    session,
    section: 'settings',
    children: (
      <>
        <h1>{say(locale, 'team')}</h1>
        <SettingsTabs locale={locale} current="team" show={input.tabs} />
        <Notice text={input.notice} />
        <Notice text={input.error} error />
        <section class="card" aria-labelledby="members">
          <h2 id="members">{say(locale, 'members')}</h2>
          {input.canManage ? null : <p class="muted">{say(locale, 'readOnlyTeam')}</p>}
          <Table
            label={say(locale, 'members')}
            rows={input.members}
            rowKey={(m) => m.id}
            columns={[
              {
                header: say(locale, 'member'),
                cell: (m) => (
                  <>
                    {m.email} {m.id === me ? <span class="tag">{say(locale, 'you')}</span> : null}
                    {m.lastSignInAt ? null : <span class="tag">{say(locale, 'invited')}</span>}
                  </>
                ),
              },
              {
                header: say(locale, 'role'),
                cell: (m) =>
                  editable(m) ? (
                    <form method="post" action={`/app/team/${m.id}/role`} class="inline">
                      <Csrf token={csrf} />
                      <label class="sr-only" for={`role-${m.id}`}>
                        {say(locale, 'changeRole', { email: m.email })}
                      </label>
                      <select id={`role-${m.id}`} name="role">
                        {roleOptions(m.role)}
                      </select>
                      <button type="submit" class="secondary">
                        {say(locale, 'save')}
                      </button>
                    </form>
                  ) : (
                    say.role(locale, m.role)
                  ),
              },
              {
                header: say(locale, 'lastSignIn'),
                cell: (m) =>
                  m.lastSignInAt ? (
                    <When locale={locale} at={m.lastSignInAt} zone={zone} />
                  ) : (
                    say(locale, 'never')
                  ),
              },
              {
                header: say(locale, 'remove'),
                hiddenHeader: true,
                cell: (m) =>
                  editable(m) || m.id === me ? (
                    <form method="post" action={`/app/team/${m.id}/remove`} class="inline">
                      <Csrf token={csrf} />
                      <button
                        type="submit"
                        class="danger"
                        aria-label={
                          m.id === me ? say(locale, 'leave') : say(locale, 'removeLabel', { email: m.email })
                        }
                      >
                        {m.id === me ? say(locale, 'leave') : say(locale, 'remove')}
                      </button>
                    </form>
                  ) : null,
              },
            ]}
          />
        </section>
        {input.canManage ? (
          <section class="card" aria-labelledby="invite">
            <h2 id="invite">{say(locale, 'invite')}</h2>
            <form method="post" action="/app/team/invite" class="row">
              <Csrf token={csrf} />
              <div class="field">
                <label for="invite-email">{say(locale, 'email')}</label>
                <input
                  type="email"
                  id="invite-email"
                  name="email"
                  required
                  maxLength={320}
                  autocomplete="off"
                />
              </div>
              <div class="field">
                <label for="invite-role">{say(locale, 'role')}</label>
                <select id="invite-role" name="role">
                  {roleOptions('agent')}
                </select>
              </div>
              <button type="submit">{say(locale, 'inviteButton')}</button>
            </form>
          </section>
        ) : null}
      </>
    ),
  });
}
