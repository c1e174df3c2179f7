import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertPublicUrl,
  isPrivateAddress,
  OutboundUrlError,
  outboundFetch,
  publicLookup,
} from './outbound.ts';

describe('isPrivateAddress', () => {
  it('knows the private, local and metadata ranges, v4 and v6', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
      // IPv4 hidden in IPv6, in every spelling the URL parser may produce.
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '::7f00:1',
      '2002:7f00:1::',
      '::',
      '0:0:0:0:0:0:0:1',
      'FE80::1%eth0',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of [
      '8.8.8.8',
      '172.32.0.1',
      '172.15.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '::ffff:1.1.1.1',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it('every 10.x.y.z and 127.x.y.z is private', () => {
    fc.assert(
      fc.property(fc.constantFrom(10, 127), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
        expect(isPrivateAddress(`${a}.${b}.${c}.${d}`)).toBe(true);
      }),
    );
  });
});

describe('assertPublicUrl', () => {
  it('wants https and a public host; development may allow anything http(s)', async () => {
    await expect(assertPublicUrl('http://hooks.example.com/x', false)).rejects.toThrow(
      'must be an https URL',
    );
    await expect(assertPublicUrl('https://127.0.0.1:8080/x', false)).rejects.toThrow(/private or local/);
    for (const host of ['[::ffff:169.254.169.254]', '[64:ff9b::a9fe:a9fe]', '[::ffff:127.0.0.1]']) {
      await expect(assertPublicUrl(`https://${host}/x`, false), host).rejects.toThrow(/private or local/);
    }
    await expect(assertPublicUrl('https://[2606:4700::1111]/x', false)).resolves.toBeUndefined();
    await expect(assertPublicUrl('https://[::1]/x', false)).rejects.toThrow(/private or local/);
    await expect(assertPublicUrl('https://localhost/x', false)).rejects.toThrow(
      /private or local|does not resolve/,
    );
    await expect(assertPublicUrl('https://93.184.215.14/hook', false)).resolves.toBeUndefined();
    await expect(assertPublicUrl('http://127.0.0.1:8080/x', true)).resolves.toBeUndefined();
    await expect(assertPublicUrl('ftp://example.com/x', true)).rejects.toThrow('must be an http(s) URL');
  });
});

describe('the connection itself', () => {
  it('the lookup outbound connections use refuses a name that resolves to a private address', async () => {
    const result = await new Promise<unknown>((resolve) =>
      publicLookup('localhost', { all: true }, (err, address) => resolve(err ?? address)),
    );
    expect(result).toBeInstanceOf(OutboundUrlError);
  });

  it('a refused URL is an OutboundUrlError, never a request', async () => {
    await expect(outboundFetch('https://127.0.0.1:1/x', { method: 'POST' }, false)).rejects.toBeInstanceOf(
      OutboundUrlError,
    );
  });
});
