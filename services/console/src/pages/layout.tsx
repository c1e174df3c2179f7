/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// Every console page's frame: the document, the shared look, the top bar for a signed-in operator. Markup is JSX, escaped by default.
import { type Locale, roleAllows, type SignedIn } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { accentStylesheet, assets, scriptPath } from '../assets.ts';
import { say } from '../i18n.ts';

/** The top-level sections, in the order of the top bar. Team, API keys, webhooks, workspace and branding are tabs of settings. */
export type Section =
  | 'home'
  | 'responses'
  | 'cases'
  | 'contacts'
  | 'surveys'
  | 'events'
  | 'sends'
  | 'connectors'
  | 'settings';

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
  /** Names of scripts under assets/scripts/ (without .js) this page is enhanced by. */
  scripts?: readonly string[];
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
        {accentStylesheet(session?.workspace?.accentColor) ? (
          <link rel="stylesheet" href={accentStylesheet(session?.workspace?.accentColor) ?? ''} />
        ) : null}
        {(opts.scripts ?? []).map((name) => (
          <script key={name} type="module" src={scriptPath(name)} />
        ))}
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
                {nav('/app/responses', 'responses', say(locale, 'navResponses'))}
                {nav('/app/cases', 'cases', say(locale, 'navCases'))}
                {nav('/app/contacts', 'contacts', say(locale, 'navContacts'))}
                {nav('/app/surveys', 'surveys', say(locale, 'navSurveys'))}
                {nav('/app/events', 'events', say(locale, 'navEvents'))}
                {nav('/app/sends', 'sends', say(locale, 'navSends'))}
                {roleAllows(session.workspace.role, 'connectors.manage')
                  ? nav('/app/connectors', 'connectors', say(locale, 'navConnectors'))
                  : null}
                {nav('/app/settings', 'settings', say(locale, 'navSettings'))}
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
