import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSmsStatus } from './status.ts';

const fold = (statuses: string[]) =>
  statuses.reduce<string | null>((s, next) => mergeSmsStatus(s, next), null);

describe('mergeSmsStatus', () => {
  it('moves forward through the stages and ignores late or repeated ones', () => {
    expect(fold(['queued', 'sent', 'delivered'])).toBe('delivered');
    expect(fold(['delivered', 'sent', 'queued'])).toBe('delivered');
    expect(fold(['sent', 'queued', 'sent'])).toBe('sent');
    expect(fold(['queued', 'undelivered', 'sent'])).toBe('undelivered');
  });

  it('the first final status stands: a later different final one does not replace it', () => {
    expect(fold(['failed', 'delivered'])).toBe('failed');
    expect(fold(['delivered', 'undelivered'])).toBe('delivered');
  });

  it('an unknown status never replaces a known one', () => {
    expect(fold(['sent', 'receiving'])).toBe('sent');
  });

  it('any delivery order of a real lifecycle, with duplicates, ends in its final status', () => {
    const lifecycle = fc.constantFrom(
      ['queued', 'sending', 'sent', 'delivered'],
      ['accepted', 'queued', 'sent', 'undelivered'],
      ['queued', 'failed'],
    );
    fc.assert(
      fc.property(
        lifecycle.chain((steps) =>
          fc.tuple(
            fc.constant(steps),
            fc.shuffledSubarray([...steps, ...steps], { minLength: steps.length * 2 }),
          ),
        ),
        ([steps, deliveries]) => {
          expect(fold(deliveries)).toBe(steps.at(-1));
        },
      ),
    );
  });

  it('never goes backward: after any prefix, the kept status is at or past every one seen', () => {
    const all = ['accepted', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...all), { minLength: 1, maxLength: 12 }), (seq) => {
        let kept: string | null = null;
        for (const s of seq) {
          const next = mergeSmsStatus(kept, s);
          if (kept !== null) expect(mergeSmsStatus(next, kept)).toBe(next);
          kept = next;
        }
      }),
    );
  });
});
