import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerAddress } from './addresses.ts';

const jane = {
  email: 'jane@example.com',
  phone: '+15550100',
  optedOutAt: null,
  emailBouncedAt: null,
};

describe('customerAddress', () => {
  it('auto answers on the channel the customer answered by', () => {
    expect(customerAddress(jane, 'email', 'auto')).toEqual({ channel: 'email', to: 'jane@example.com' });
    expect(customerAddress(jane, 'sms', 'auto')).toEqual({ channel: 'sms', to: '+15550100' });
    expect(customerAddress(jane, 'qr', 'auto')).toEqual({ channel: 'email', to: 'jane@example.com' });
  });

  it('auto falls back to the other channel when the first has no working address', () => {
    expect(customerAddress({ ...jane, phone: null }, 'sms', 'auto')).toEqual({
      channel: 'email',
      to: 'jane@example.com',
    });
    expect(customerAddress({ ...jane, emailBouncedAt: new Date() }, 'email', 'auto')).toEqual({
      channel: 'sms',
      to: '+15550100',
    });
  });

  it('a chosen channel is that channel or nothing', () => {
    expect(customerAddress(jane, 'sms', 'email')).toEqual({ channel: 'email', to: 'jane@example.com' });
    expect(customerAddress({ ...jane, email: null }, 'sms', 'email')).toBeNull();
    expect(customerAddress({ ...jane, emailBouncedAt: new Date() }, 'email', 'email')).toBeNull();
  });

  it('an anonymous customer or one who opted out is never messaged', () => {
    expect(customerAddress(null, 'qr', 'auto')).toBeNull();
    fc.assert(
      fc.property(
        fc.constantFrom('email' as const, 'sms' as const, 'qr' as const),
        fc.constantFrom('auto' as const, 'email' as const, 'sms' as const),
        (answeredBy, choice) => {
          expect(customerAddress({ ...jane, optedOutAt: new Date() }, answeredBy, choice)).toBeNull();
        },
      ),
    );
  });

  it('property: the address returned is always one of the contact’s own, on a channel it may use', () => {
    fc.assert(
      fc.property(
        fc.option(fc.emailAddress(), { nil: null }),
        fc.option(fc.constant('+15550100'), { nil: null }),
        fc.boolean(),
        fc.constantFrom('email' as const, 'sms' as const, 'qr' as const),
        fc.constantFrom('auto' as const, 'email' as const, 'sms' as const),
        (email, phone, bounced, answeredBy, choice) => {
          const contact = { email, phone, optedOutAt: null, emailBouncedAt: bounced ? new Date() : null };
          const address = customerAddress(contact, answeredBy, choice);
          if (address === null) return;
          if (choice !== 'auto') expect(address.channel).toBe(choice);
          expect(address.to).toBe(address.channel === 'email' ? email : phone);
          if (address.channel === 'email') expect(bounced).toBe(false);
        },
      ),
    );
  });
});
