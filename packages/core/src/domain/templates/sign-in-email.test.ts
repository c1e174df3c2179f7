import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { locales } from './locales.ts';
import { signInEmail } from './sign-in-email.ts';

const url = 'https://feedback.shop.test/app/sign-in/abc';

describe('the sign-in email', () => {
  test('in every locale: the link as a button and as text, its lifetime, and what to do if unasked', () => {
    for (const locale of locales) {
      const mail = signInEmail({ locale, url, minutes: 15 });
      expect(mail.html).toContain(`href="${url}"`);
      expect(mail.html).toContain(`lang="${locale}"`);
      expect(mail.text).toContain(url);
      expect(mail.text).toContain('15');
    }
    expect(signInEmail({ locale: 'pl', url, minutes: 15 }).subject).toBe('Logowanie do Surveyflow');
  });

  test('an invitation names who invited and the workspace, in the subject too', () => {
    const mail = signInEmail({
      locale: 'en',
      url,
      minutes: 15,
      invitation: { inviter: 'ola@shop.test', workspace: 'Shop' },
    });
    expect(mail.subject).toBe('Sign in to Surveyflow — Shop');
    expect(mail.text).toContain('ola@shop.test invited you to Shop on Surveyflow.');
  });

  test('property: a workspace or inviter name never becomes markup', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (inviter, workspace) => {
        const mail = signInEmail({
          locale: 'en',
          url,
          minutes: 15,
          invitation: { inviter: `<b>${inviter}`, workspace },
        });
        expect(mail.html).not.toContain('<b>');
      }),
    );
  });
});
