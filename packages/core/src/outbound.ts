// Where we let tenants make us send requests (webhooks, Slack): public HTTPS hosts only, so no tenant can reach our own network.
import { type LookupAddress, lookup as lookupCallback } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { AppError } from './errors.ts';

export class OutboundUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

const v4 = (ip: string) => ip.split('.').map(Number) as [number, number, number, number];

function privateV4(ip: string): boolean {
  const [a, b] = v4(ip);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/** An IPv6 address as its eight 16-bit groups ("::" expanded, a dotted IPv4 tail converted). */
function groupsOf(ip: string): number[] {
  let text = ip.toLowerCase().replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const [a, b, c, d] = v4(tail);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = Array(8 - left.length - right.length).fill('0');
  return [...left, ...(rest === undefined ? [] : zeros), ...right].map((g) => Number.parseInt(g || '0', 16));
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** Loopback, private, link-local (cloud metadata), carrier-grade NAT, unspecified, multicast and reserved. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) return privateV4(ip);
  const g = groupsOf(ip);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4 hidden in IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16.
  if (zeroTo(5) && g5 === 0xffff) return privateV4(v4From(g6, g7));
  if (zeroTo(6)) return g6 === 0 && g7 <= 1 ? true : privateV4(v4From(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return privateV4(v4From(g6, g7));
  if (g0 === 0x2002) return privateV4(v4From(g1, g2));
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xff00) === 0xff00 // multicast ff00::/8
  );
}

/**
 * Throws OutboundUrlError unless the URL is https and every address its host resolves to is public.
 * `allowPrivate` (development and tests) accepts http and any host. Checked when the URL is saved and
 * again before each request, since DNS can change in between.
 */
export async function assertPublicUrl(raw: string, allowPrivate: boolean): Promise<void> {
  const url = new URL(raw);
  if (allowPrivate) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new OutboundUrlError('must be an http(s) URL');
    return;
  }
  if (url.protocol !== 'https:') throw new OutboundUrlError('must be an https URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((a) => a.address),
        () => {
          throw new OutboundUrlError(`host ${host} does not resolve`);
        },
      );
  if (addresses.some(isPrivateAddress)) {
    throw new OutboundUrlError(`host ${host} is a private or local address; only public hosts are allowed`);
  }
}

/** The API's side of the rule: a URL that may not be used is a 400 naming the field. */
export async function requirePublicUrl(url: string, field: string, allowPrivate: boolean): Promise<void> {
  try {
    await assertPublicUrl(url, allowPrivate);
  } catch (err) {
    if (err instanceof OutboundUrlError) throw AppError.validation([{ field, message: err.message }]);
    throw err;
  }
}

/**
 * The DNS lookup of outbound connections: only public addresses come back, so the check runs on the
 * address actually dialled and a host whose DNS answer changes after the URL was checked (rebinding)
 * still cannot reach us. Shaped as net.connect's `lookup` option.
 */
export function publicLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  lookupCallback(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) {
      return callback(new OutboundUrlError(`host ${hostname} resolves to a private or local address`), '', 0);
    }
    const [first] = addresses as [LookupAddress];
    // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
    return options.all ? callback(null, addresses) : callback(null, first.address, first.family);
  });
}

const publicOnly = new Agent({ connect: { lookup: publicLookup as never } });

/**
 * fetch for URLs a tenant chose (webhooks, Slack): the URL checked, and the connection made only to
 * a public address. A refusal is thrown as OutboundUrlError, whatever layer noticed it.
 */
export async function outboundFetch(
  url: string,
  init: RequestInit,
  allowPrivate: boolean,
): Promise<Response> {
  await assertPublicUrl(url, allowPrivate);
  try {
    return await fetch(url, allowPrivate ? init : { ...init, dispatcher: publicOnly });
  } catch (err) {
    if (err instanceof Error && err.cause instanceof OutboundUrlError) throw err.cause;
    throw err;
  }
}
