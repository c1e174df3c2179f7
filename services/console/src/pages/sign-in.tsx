/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// The pages before a session: the sign-in form, "check your email", and the link's confirm page (a button, so scanners sign nobody in).
import type { Locale } from '@surveyflow/core';
import { say } from '../i18n.ts';
import { Csrf, document } from './layout.tsx';

export function signInPage(input: { locale: Locale; csrf: string; email?: string; error?: string }): string {
  const { locale } = input;
  return document({
    locale,
    title: say(locale, 'signInTitle'),
    narrow: true,
    children: (
      <div class="card">
        <h1>{say(locale, 'signInTitle')}</h1>
        <p>{say(locale, 'signInLead')}</p>
        {input.error ? (
          <p class="notice error" role="alert">
            {input.error}
          </p>
        ) : null}
        <form method="post" action="/app/sign-in">
          <Csrf token={input.csrf} />
          <div class="field">
            <label for="email">{say(locale, 'email')}</label>
            <input
              type="email"
              id="email"
              name="email"
              required
              maxLength={320}
              autocomplete="email"
              value={input.email ?? ''}
            />
          </div>
          <button type="submit">{say(locale, 'sendLink')}</button>
        </form>
      </div>
    ),
  });
}

export function checkEmailPage(input: { locale: Locale; email: string }): string {
  const { locale } = input;
  return document({
    locale,
    title: say(locale, 'checkTitle'),
    narrow: true,
    children: (
      <div class="card">
        <h1>{say(locale, 'checkTitle')}</h1>
        <p role="status">{say(locale, 'checkLead', { email: input.email })}</p>
        <p>
          <a href="/app/sign-in">{say(locale, 'checkAgain')}</a>
        </p>
      </div>
    ),
  });
}

export type LinkState = 'valid' | 'used' | 'expired' | 'unknown';

export function confirmPage(input: {
  locale: Locale;
  state: LinkState;
  email: string | null;
  actionUrl: string;
  csrf: string;
}): string {
  const { locale } = input;
  const problem =
    input.state === 'used'
      ? say(locale, 'linkUsed')
      : input.state === 'expired'
        ? say(locale, 'linkExpired')
        : input.state === 'unknown'
          ? say(locale, 'linkUnknown')
          : null;
  return document({
    locale,
    title: say(locale, 'confirmTitle'),
    narrow: true,
    children: (
      <div class="card">
        <h1>{say(locale, 'confirmTitle')}</h1>
        {problem ? (
          <>
            <p class="notice error" role="alert">
              {problem}
            </p>
            <p>
              <a href="/app/sign-in">{say(locale, 'askAgain')}</a>
            </p>
          </>
        ) : (
          <form method="post" action={input.actionUrl}>
            <Csrf token={input.csrf} />
            <p>{say(locale, 'confirmLead', { email: input.email ?? '' })}</p>
            <button type="submit">{say(locale, 'confirmButton')}</button>
          </form>
        )}
      </div>
    ),
  });
}

/** An error as a page (a browser's 4xx): what happened, and the way back. */
export function errorPage(input: { locale: Locale; title: string; message: string }): string {
  return document({
    locale: input.locale,
    title: input.title,
    narrow: true,
    children: (
      <div class="card">
        <h1>{input.title}</h1>
        <p role="alert">{input.message}</p>
        <p>
          <a href="/app">{say(input.locale, 'back')}</a>
        </p>
      </div>
    ),
  });
}
