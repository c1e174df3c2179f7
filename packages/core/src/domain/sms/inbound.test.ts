// Inbound SMS replies: scores on NPS and CSAT scales, carrier keywords, and everything else as text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyInbound, type InboundIntent } from './inbound.ts';

const nps = { min: 0, max: 10 };
const csat = { min: 1, max: 5 };
const score = (n: number): InboundIntent => ({ kind: 'score', score: n });
const text = (t: string): InboundIntent => ({ kind: 'text', text: t });
const stop: InboundIntent = { kind: 'stop' };
const start: InboundIntent = { kind: 'start' };
const help: InboundIntent = { kind: 'help' };

describe('classifyInbound', () => {
  it('reads each kind of reply on the NPS and CSAT scales', () => {
    const cases: [string, { min: number; max: number }, InboundIntent][] = [
      ['9', nps, score(9)],
      ['0', nps, score(0)],
      ['10', nps, score(10)],
      ['  7 \n', nps, score(7)],
      ['09', nps, score(9)],
      ['9/10', nps, score(9)],
      ['9 / 10', nps, score(9)],
      ['10/10', nps, score(10)],
      ['９', nps, score(9)],
      ['１０／１０', nps, score(10)],
      ['11', nps, text('11')],
      ['-1', nps, text('-1')],
      ['8.5', nps, text('8.5')],
      ['9/5', nps, text('9/5')],
      ['9/', nps, text('9/')],
      ['/10', nps, text('/10')],
      ['9!', nps, text('9!')],
      ['nine', nps, text('nine')],
      ['great', nps, text('great')],
      ['9 great service', nps, text('9 great service')],
      ['', nps, text('')],
      ['4', csat, score(4)],
      ['1', csat, score(1)],
      ['4/5', csat, score(4)],
      ['0', csat, text('0')],
      ['6', csat, text('6')],
      ['4/10', csat, text('4/10')],
      ['stop', nps, stop],
      ['STOP.', nps, stop],
      ['  Stop!! ', nps, stop],
      ['"stop"', nps, stop],
      ['ＳＴＯＰ', nps, stop],
      ['stopall', nps, stop],
      ['Unsubscribe', nps, stop],
      ['cancel', nps, stop],
      ['END', nps, stop],
      ['quit', nps, stop],
      ['optout', nps, stop],
      ['REVOKE', csat, stop],
      ["please don't stop", nps, text("please don't stop")],
      ['stop it', nps, text('stop it')],
      ['opt out', nps, text('opt out')],
      ['start', nps, start],
      ['Unstop', nps, start],
      ['yes!', nps, start],
      ['yes please', nps, text('yes please')],
      ['help', nps, help],
      ['Help?', nps, help],
      ['INFO', csat, help],
      ['  Thanks a lot!  ', nps, text('Thanks a lot!')],
    ];
    for (const [reply, scale, expected] of cases)
      expect(classifyInbound(reply, scale), reply).toEqual(expected);
  });

  const scale = fc
    .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
  const whitespace = fc.string({
    unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2003'),
  });

  it('property: every integer on the scale, padded with any whitespace, is that score', () => {
    fc.assert(
      fc.property(
        scale.chain((s) => fc.tuple(fc.constant(s), fc.integer(s))),
        whitespace,
        whitespace,
        fc.boolean(),
        ([s, n], before, after, withMax) => {
          const reply = `${before}${n}${withMax ? ` / ${s.max}` : ''}${after}`;
          expect(classifyInbound(reply, s)).toEqual(score(n));
        },
      ),
    );
  });

  it('property: a message with a letter in it is never a score', () => {
    const letter = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => /\p{L}/u.test(c));
    fc.assert(
      fc.property(fc.string(), letter, fc.string(), scale, (before, l, after, s) => {
        expect(classifyInbound(`${before}${l}${after}`, s).kind).not.toBe('score');
      }),
    );
  });

  it('property: any unicode string, lone surrogates included, classifies without throwing', () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: anyCodeUnit })),
        scale,
        (reply, s) => {
          const intent = classifyInbound(reply, s);
          if (intent.kind === 'text') expect(intent.text).toBe(reply.trim());
        },
      ),
    );
  });
});
