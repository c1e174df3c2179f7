// The sign-in email (also the team invitation): one button, the link's lifetime, in the operator's language.
import { type RenderedEmail, textFromHtml } from './emails.ts';
import { html } from './html.ts';
import { fill, type Locale } from './locales.ts';

const texts: Record<
  Locale,
  { subject: string; invited: string; title: string; button: string; expires: string; ignore: string }
> = {
  en: {
    subject: 'Sign in to Surveyflow',
    invited: '{inviter} invited you to {workspace} on Surveyflow.',
    title: 'Sign in to Surveyflow',
    button: 'Sign in',
    expires: 'The link works once, for {minutes} minutes.',
    ignore: 'If you did not ask for it, ignore this email: nobody can sign in without opening it.',
  },
  ru: {
    subject: 'Вход в Surveyflow',
    invited: '{inviter} приглашает вас в {workspace} в Surveyflow.',
    title: 'Вход в Surveyflow',
    button: 'Войти',
    expires: 'Ссылка работает один раз, {minutes} минут.',
    ignore: 'Если вы не запрашивали вход, просто удалите это письмо: без ссылки никто не войдёт.',
  },
  pl: {
    subject: 'Logowanie do Surveyflow',
    invited: '{inviter} zaprasza Cię do {workspace} w Surveyflow.',
    title: 'Zaloguj się do Surveyflow',
    button: 'Zaloguj się',
    expires: 'Link działa raz, przez {minutes} minut.',
    ignore: 'Jeśli to nie Ty prosisz o logowanie, zignoruj tę wiadomość: bez linku nikt się nie zaloguje.',
  },
};

export function signInEmail(input: {
  locale: Locale;
  url: string;
  minutes: number;
  invitation?: { inviter: string; workspace: string } | undefined;
}): RenderedEmail {
  const t = texts[input.locale];
  const intro = input.invitation ? fill(t.invited, input.invitation) : null;
  const markup = String(html`<!doctype html>
<html lang="${input.locale}"><head><meta charset="utf-8"><title>${t.title}</title></head>
<body style="margin:0;padding:24px 12px;background:#f4f5f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2430;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;"><tr><td style="padding:28px 24px;">
<h1 style="margin:0 0 16px 0;font-size:20px;line-height:28px;">${t.title}</h1>
${intro ? html`<p style="margin:0 0 16px 0;font-size:15px;line-height:22px;">${intro}</p>` : ''}
<p style="margin:0 0 20px 0;"><a href="${input.url}" style="display:inline-block;background:#4f46e5;color:#ffffff;text-decoration:none;font-weight:700;padding:12px 24px;border-radius:10px;">${t.button}</a></p>
<p style="margin:0 0 8px 0;font-size:14px;line-height:20px;">${input.url}</p>
<p style="margin:0 0 8px 0;font-size:14px;line-height:20px;color:#6b7280;">${fill(t.expires, { minutes: String(input.minutes) })}</p>
<p style="margin:0;font-size:13px;line-height:18px;color:#6b7280;">${t.ignore}</p>
</td></tr></table></body></html>`);
  const subject = input.invitation ? `${t.subject} — ${input.invitation.workspace}` : t.subject;
  return { subject, html: markup, text: textFromHtml(markup) };
}
