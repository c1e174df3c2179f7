/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Every console page's frame: the document, the shared look, the top bar for a signed-in operator. Markup is JSX, escaped by default.
import { type Locale, roleAllows, type SignedIn } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { assets } from '../assets.ts';
import { say } from '../i18n.ts';

export type Section = 'home' | 'team' | 'keys';

/** A hidden field carrying this response's CSRF token: every form that changes something has one. */
export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

export function document(opts: {
  locale: Locale;
  title: string;
  children: ComponentChildren;
  session?: SignedIn | undefined;
  section?: Section | undefined;
  csrf?: string | undefined;
  narrow?: boolean;
}): string {
  const { locale, session, section } = opts;
  const nav = (href: string, name: Section, label: string) => (
    <a href={href} aria-current={section === name ? 'page' : undefined}>
      {label}
    </a>
  );
  const page = (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${opts.title} · Surveyflow`}</title>
        <link rel="stylesheet" href={assets.css.path} />
      </head>
      <body>
        <a class="skip" href="#content">
          {say(locale, 'skip')}
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/app">
              {say(locale, 'product')}
            </a>
            {session?.workspace ? (
              <nav class="main" aria-label={session.workspace.workspaceName}>
                {nav('/app', 'home', say(locale, 'home'))}
                {nav('/app/team', 'team', say(locale, 'team'))}
                {roleAllows(session.workspace.role, 'keys.manage')
                  ? nav('/app/keys', 'keys', say(locale, 'apiKeys'))
                  : null}
              </nav>
            ) : null}
            {session ? (
              <span class="who">
                {session.workspace ? `${session.workspace.workspaceName} · ` : ''}
                {session.user.email}
              </span>
            ) : null}
          </div>
        </header>
        <main id="content" class={opts.narrow ? 'narrow' : undefined}>
          {opts.children}
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${render(page)}`;
}
