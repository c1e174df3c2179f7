/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// The signed-in home at /app: the overview of the current workspace first, then your account — who you are, your workspaces with a
// switcher, sign out (here or everywhere) and, for instance admins, a new workspace.
import type { Locale, SignedIn } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';
import { Overview, type OverviewInput } from './overview.tsx';
import { t } from './overview.words.ts';

export function homePage(input: {
  locale: Locale;
  session: SignedIn;
  csrf: string;
  canCreateWorkspace: boolean;
  notice?: string | undefined;
  /** The overview of the current workspace (none without one). */
  overview?: OverviewInput | undefined;
}): string {
  const { locale, session, csrf } = input;
  const current = session.workspace;
  return document({
    locale,
    title: current?.workspaceName ?? say(locale, 'home'),
    session,
    section: 'home',
    children: (
      <>
        <h1>{current?.workspaceName ?? say(locale, 'home')}</h1>
        {input.notice ? (
          <p class="notice" role="status">
            {input.notice}
          </p>
        ) : null}
        {input.overview ? <Overview {...input.overview} /> : null}
        {input.overview ? <h2 class="account">{t(locale, 'account')}</h2> : null}
        <section class="card" aria-labelledby="me">
          <h2 id="me">{say(locale, 'signedInAs', { email: session.user.email })}</h2>
          {current ? (
            <p>
              {say(locale, 'yourRole', {
                workspace: current.workspaceName,
                role: say.role(locale, current.role),
              })}
            </p>
          ) : (
            <p>{say(locale, 'noWorkspace')}</p>
          )}
          <div class="row">
            <form method="post" action="/app/sign-out" class="inline">
              <Csrf token={csrf} />
              <button type="submit" class="secondary">
                {say(locale, 'signOut')}
              </button>
            </form>
            <form method="post" action="/app/sign-out-everywhere" class="inline">
              <Csrf token={csrf} />
              <button type="submit" class="secondary" aria-describedby="everywhere-hint">
                {say(locale, 'signOutEverywhere')}
              </button>
            </form>
          </div>
          <p class="muted" id="everywhere-hint">
            {say(locale, 'signOutEverywhereHint')}
          </p>
        </section>
        {session.memberships.length > 0 ? (
          <section class="card" aria-labelledby="ws">
            <h2 id="ws">{say(locale, 'workspaces')}</h2>
            <ul class="plain">
              {session.memberships.map((m) => (
                <li key={m.workspaceId}>
                  <span>
                    {m.workspaceName} <span class="muted">· {say.role(locale, m.role)}</span>
                  </span>
                  {m.workspaceId === current?.workspaceId ? (
                    <span class="tag">{say(locale, 'current')}</span>
                  ) : (
                    <form method="post" action="/app/workspace" class="inline">
                      <Csrf token={csrf} />
                      <input type="hidden" name="workspaceId" value={m.workspaceId} />
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`${say(locale, 'switchTo')}: ${m.workspaceName}`}
                      >
                        {say(locale, 'switchTo')}
                      </button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {input.canCreateWorkspace ? (
          <section class="card" aria-labelledby="new-ws">
            <h2 id="new-ws">{say(locale, 'createWorkspace')}</h2>
            <form method="post" action="/app/workspaces" class="row">
              <Csrf token={csrf} />
              <div class="field">
                <label for="name">{say(locale, 'workspaceName')}</label>
                <input type="text" id="name" name="name" required maxLength={200} />
              </div>
              <button type="submit">{say(locale, 'create')}</button>
            </form>
          </section>
        ) : null}
      </>
    ),
  });
}
