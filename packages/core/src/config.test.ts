import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('works with nothing set: every default makes npm start run', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      DEV_OUTBOX: true,
      EDIT_WINDOW_MINUTES: 30,
    });
  });

  it('a bad value stops start-up naming every variable at fault', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ALERT_EMAIL: 'nobody' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
        'ALERT_EMAIL',
        'DATABASE_URL',
        'PORT',
      ]);
      expect((err as Error).message).toContain('DATABASE_URL: must be a postgres:// URL');
    }
  });

  it('an SMTP_URL turns the dev outbox off unless DEV_OUTBOX says otherwise; empty strings count as unset', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mail:25' }).DEV_OUTBOX).toBe(false);
    expect(loadConfig({ SMTP_URL: 'smtp://mail:25', DEV_OUTBOX: 'true' }).DEV_OUTBOX).toBe(true);
    expect(loadConfig({ SMTP_URL: '' }).DEV_OUTBOX).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'https://s.example.com/' }).PUBLIC_URL).toBe('https://s.example.com');
  });

  it('Twilio and DKIM settings come as a set: a partial set names what is missing', () => {
    const sid = `AC${'a'.repeat(32)}`;
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: sid })).toThrow(/TWILIO_AUTH_TOKEN: required/);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'x'.repeat(32) })).toThrow(
      /TWILIO_FROM: required \(or TWILIO_MESSAGING_SERVICE_SID\)/,
    );
    expect(() => loadConfig({ DKIM_DOMAIN: 'shop.example' })).toThrow(/DKIM_SELECTOR: required/);
    const twilio = loadConfig({
      TWILIO_ACCOUNT_SID: sid,
      TWILIO_AUTH_TOKEN: 'x'.repeat(32),
      TWILIO_FROM: '+15005550006',
    });
    expect(twilio.SMS_DEV_OUTBOX).toBe(false);
    expect(loadConfig({}).SMS_DEV_OUTBOX).toBe(true);
  });

  it('INSTANCE_ADMIN_TOKEN is off when unset and refused when short, naming it', () => {
    expect(loadConfig({}).INSTANCE_ADMIN_TOKEN).toBeUndefined();
    expect(loadConfig({ INSTANCE_ADMIN_TOKEN: 'x'.repeat(24) }).INSTANCE_ADMIN_TOKEN).toBe('x'.repeat(24));
    expect(() => loadConfig({ INSTANCE_ADMIN_TOKEN: 'short' })).toThrow(
      /INSTANCE_ADMIN_TOKEN: must be at least 24/,
    );
  });
});
