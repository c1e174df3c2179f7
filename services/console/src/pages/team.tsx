/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Team (/app/team): members with their roles; invite by email with a role, change a role, remove. Forms only for who may use them.

import type { Locale, Member, Role, SignedIn } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';

/** A date in the workspace's time zone, named, so a team across zones reads it alike. */
const dateTime = (locale: Locale, d: Date, timeZone: string) =>
  new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(d);

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
}): string {
  const { locale, session, csrf } = input;
  const me = session.user.id;
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
    section: 'team',
    children: (
      <>
        <h1>{say(locale, 'team')}</h1>
        {input.notice ? (
          <p class="notice" role="status">
            {input.notice}
          </p>
        ) : null}
        {input.error ? (
          <p class="notice error" role="alert">
            {input.error}
          </p>
        ) : null}
        <section class="card" aria-labelledby="members">
          <h2 id="members">{say(locale, 'members')}</h2>
          {input.canManage ? null : <p class="muted">{say(locale, 'readOnlyTeam')}</p>}
          <table class="members">
            <thead>
              <tr>
                <th scope="col">{say(locale, 'member')}</th>
                <th scope="col">{say(locale, 'role')}</th>
                <th scope="col">{say(locale, 'lastSignIn')}</th>
                <th scope="col">
                  <span class="sr-only">{say(locale, 'remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {input.members.map((m) => {
                const editable =
                  input.canManage && (m.role !== 'owner' || input.assignable.includes('owner'));
                return (
                  <tr key={m.id}>
                    <td>
                      {m.email} {m.id === me ? <span class="tag">{say(locale, 'you')}</span> : null}
                      {m.lastSignInAt ? null : <span class="tag">{say(locale, 'invited')}</span>}
                    </td>
                    <td>
                      {editable ? (
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
                      )}
                    </td>
                    <td>
                      <span class="label">{say(locale, 'lastSignIn')}: </span>
                      {m.lastSignInAt
                        ? dateTime(locale, m.lastSignInAt, session.workspace?.timezone ?? 'UTC')
                        : say(locale, 'never')}
                    </td>
                    <td>
                      {editable || m.id === me ? (
                        <form method="post" action={`/app/team/${m.id}/remove`} class="inline">
                          <Csrf token={csrf} />
                          <button
                            type="submit"
                            class="danger"
                            aria-label={
                              m.id === me
                                ? say(locale, 'leave')
                                : say(locale, 'removeLabel', { email: m.email })
                            }
                          >
                            {m.id === me ? say(locale, 'leave') : say(locale, 'remove')}
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
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
